"""GP workforce planning toolkit.

All logic used by the notebooks lives here; notebooks call these functions and narrate.
"""

__version__ = "0.1.0"
