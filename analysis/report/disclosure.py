"""Disclosure control: one switch for every chapter.

Counts derived from staff-level or case-level data that are at least 1 and below the threshold
are suppressed in published reports. The threshold comes from ``report: disclosure:
suppress_below`` in the config (default 5); ``make report ... INTERNAL=1`` (environment variable
``GPW_SUPPRESS_BELOW=0``) turns it off for internal use.
"""

from __future__ import annotations

import os

from analysis.config import load_config

ENV = "GPW_SUPPRESS_BELOW"
DEFAULT = 5


def threshold() -> int:
    """Current threshold: the environment variable if set, else the config; 0 means off."""
    env = os.environ.get(ENV)
    if env is not None and env.strip() != "":
        return max(0, int(env))
    cfg = load_config()
    return int(((cfg.get("report") or {}).get("disclosure") or {}).get("suppress_below",
                                                                       DEFAULT))


def mode() -> str:
    """'published' when suppression is on, 'internal' when off."""
    return "published" if threshold() > 0 else "internal"
