"""Project paths and the area registry, built once from the project root.

The control panel is ``config/config.yaml``. This module reads it and exposes:

* ``ROOT`` and the standard folders (``DATA_RAW``, ``DATA_PROCESSED``, ``OUTPUTS`` ...);
* :class:`Area` and :func:`resolve_area`, which turns a slug typed by a user (``wolverhampton``,
  ``black-country``) into an area, or fails with one line listing the valid slugs and the closest
  match.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from analysis.util.errors import ConfigError

ROOT = Path(os.environ.get("GPW_ROOT", Path(__file__).resolve().parents[1]))
CONFIG_FILE = ROOT / "config" / "config.yaml"
DATA_RAW = ROOT / "data" / "raw"
DATA_DEMO = DATA_RAW / "demo"
DATA_PROCESSED = ROOT / "data" / "processed"
OUTPUTS = Path(os.environ.get("GPW_OUTPUT_ROOT", ROOT / "outputs"))
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"

MAX_SLUG_LENGTH = 64


@dataclass(frozen=True)
class Area:
    """A CCG or an STP from the registry.

    Attributes
    ----------
    slug : str
        Short name used on the command line and in output folders.
    kind : {'ccg', 'stp'}
    name, short_name, code : str
        Published name (``NHS Wolverhampton CCG``), the label used in tables (``Wolverhampton``)
        and the ODS/ONS code.
    stp : str
        Slug of the STP the area belongs to (itself for an STP).
    members : tuple of str
        CCG codes the area covers (one for a CCG).
    successor : dict
        Later codes where known (sub-ICB location, ICB).
    """

    slug: str
    kind: str
    name: str
    short_name: str
    code: str
    stp: str
    members: tuple[str, ...]
    successor: dict = field(default_factory=dict, compare=False, hash=False)


@lru_cache(maxsize=4)
def load_config(path: str | Path = CONFIG_FILE) -> dict:
    """Read the YAML control panel.

    Parameters
    ----------
    path : str or Path
        Config file; defaults to ``config/config.yaml`` under the project root.

    Returns
    -------
    dict
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            cfg = yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({exc})") from None
    for section in ("stps", "ccgs", "inputs", "snapshots"):
        if section not in (cfg or {}):
            raise ConfigError(f"{path.name}: missing section {section!r}")
    return cfg


def registry(cfg: dict | None = None) -> dict[str, Area]:
    """Every area in the registry, keyed by slug (CCGs first, then STPs)."""
    cfg = cfg or load_config()
    areas: dict[str, Area] = {}
    for slug, c in cfg["ccgs"].items():
        if c["stp"] not in cfg["stps"]:
            raise ConfigError(f"config: CCG {slug!r} names unknown STP {c['stp']!r}")
        areas[slug] = Area(slug, "ccg", c["name"], c["short_name"], str(c["code"]), c["stp"],
                           (str(c["code"]),), c.get("successor", {}))
    for slug, s in cfg["stps"].items():
        members = tuple(str(c["code"]) for c in cfg["ccgs"].values() if c["stp"] == slug)
        areas[slug] = Area(slug, "stp", s["name"], s["short_name"], str(s["code"]), slug,
                           members, s.get("successor", {}))
    return areas


def stp_members(stp_slug: str, cfg: dict | None = None) -> list[Area]:
    """The CCGs of an STP, in registry order."""
    return [a for a in registry(cfg).values() if a.kind == "ccg" and a.stp == stp_slug]


def resolve_area(value: str, kind: str | None = None, cfg: dict | None = None) -> Area:
    """Turn a user-typed slug into an :class:`Area`.

    Parameters
    ----------
    value : str
        Slug as typed (case and surrounding spaces are ignored).
    kind : {'ccg', 'stp', None}
        Restrict to CCGs or STPs; ``None`` accepts either.

    Raises
    ------
    ConfigError
        One line naming the valid slugs and the closest match.
    """
    areas = registry(cfg)
    valid = [s for s, a in areas.items() if kind is None or a.kind == kind]
    label = {"ccg": "CCG", "stp": "STP"}.get(kind, "area")
    raw = "" if value is None else str(value)
    slug = raw.strip().lower()
    if slug in valid:
        return areas[slug]
    shown = raw if len(raw) <= MAX_SLUG_LENGTH else raw[:MAX_SLUG_LENGTH] + "..."
    shown = shown.encode("unicode_escape").decode("ascii")
    close = difflib.get_close_matches(slug[:MAX_SLUG_LENGTH], valid, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"unknown {label} {shown!r}.{hint} Valid {label} slugs: {', '.join(valid)}"
    )


def input_path(key: str, cfg: dict | None = None) -> Path | None:
    """Absolute path of an input named in the ``inputs`` section (None when set to null)."""
    cfg = cfg or load_config()
    value = cfg["inputs"].get(key)
    if value is None:
        return None
    p = Path(value)
    return p if p.is_absolute() else ROOT / p
