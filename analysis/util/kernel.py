"""Register the project's Jupyter kernel (``gp-workforce``) inside the virtual environment
(``python -m analysis kernel``, run by the Makefile when it sets up ``.venv``).

Papermill always runs the notebooks with this named kernel, so a fresh machine never meets
"no such kernel". The kernel logs only critical errors: ipykernel's start-up warnings and
shutdown messages would otherwise reach the terminal during batch runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analysis.config import settings


def install(prefix: str = sys.prefix) -> Path:
    """Install the kernelspec in ``<prefix>/share/jupyter/kernels/<name>``; return its path."""
    from ipykernel.kernelspec import install as ipk_install

    name = settings().report.kernel_name
    path = Path(ipk_install(kernel_name=name, display_name=f"Python ({name})", prefix=prefix))
    spec_file = path / "kernel.json"
    spec = json.loads(spec_file.read_text())
    spec["argv"] = [a for a in spec["argv"] if not a.startswith("--IPKernelApp.log_level")]
    spec["argv"].append("--IPKernelApp.log_level=CRITICAL")
    spec_file.write_text(json.dumps(spec, indent=1))
    return path

