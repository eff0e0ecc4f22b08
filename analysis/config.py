"""Project paths, the typed settings and the area registry, built once from the project root.

The control panel is ``config/config.yaml``; its schema is :mod:`analysis.settings`. This module
exposes:

* ``ROOT`` and the standard folders (``DATA_RAW``, ``DATA_PROCESSED``, ``OUTPUTS`` ...);
* :func:`settings`, the validated config (``settings().inputs.gpw_summary``,
  ``settings().report.disclosure.suppress_below`` ...), read once; a problem in the file is one
  line naming the file and the key, e.g. ``config/config.yaml: report.jobs: unknown key``;
* :func:`returns_lookup` and :func:`published_tables`, the other files the config names, read and
  validated the same way;
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

from analysis.settings import (
    PublishedTables,
    ReturnsLookup,
    Settings,
    check_stp_slugs,
    validate_yaml,
)
from analysis.util.errors import ConfigError

ROOT = Path(os.environ.get("GPW_ROOT", Path(__file__).resolve().parents[1]))
CONFIG_FILE = ROOT / "config" / "config.yaml"
PUBLISHED = ROOT / "config" / "published"
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


def project_path(path: str | Path) -> Path:
    """``path`` made absolute: relative paths are under the project root."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def shown_path(path: str | Path) -> str:
    """How error messages name a file: relative to the project root when under it."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path(ROOT).resolve()).as_posix()
    except ValueError:
        return str(p)


def load_settings(path: str | Path = CONFIG_FILE) -> Settings:
    """Read and validate a config file (uncached; see :func:`settings`).

    Parameters
    ----------
    path : str or Path
        Config file; defaults to ``config/config.yaml`` under the project root.

    Returns
    -------
    Settings

    Raises
    ------
    ConfigError
        One line naming the file and the dotted key path (or the line of a YAML syntax error).
    """
    source = shown_path(path)
    return check_stp_slugs(validate_yaml(Settings, Path(path), source), source)


@lru_cache(maxsize=4)
def settings(path: str | Path = CONFIG_FILE) -> Settings:
    """The validated control panel, read once (see :func:`load_settings`)."""
    return load_settings(path)


@lru_cache(maxsize=4)
def returns_lookup(path: str | Path | None = None) -> ReturnsLookup:
    """The maintained returns lookup named by ``returns: lookup:``, validated once.

    Parameters
    ----------
    path : str or Path, optional
        Another lookup file (tests); default the one the config names.
    """
    p = project_path(path if path is not None else settings().returns.lookup)
    return validate_yaml(ReturnsLookup, p, shown_path(p))


@lru_cache(maxsize=4)
def published_tables(path: str | Path) -> PublishedTables:
    """A file of published figures under ``config/published/``, validated once.

    Parameters
    ----------
    path : str or Path
        The file (relative paths are under the project root).
    """
    p = project_path(path)
    return validate_yaml(PublishedTables, p, shown_path(p))


def registry(cfg: Settings | None = None) -> dict[str, Area]:
    """Every area in the registry, keyed by slug (CCGs first, then STPs).

    Parameters
    ----------
    cfg : Settings, optional
        Another validated config (tests); default :func:`settings`.
    """
    cfg = cfg or settings()
    areas: dict[str, Area] = {}
    for slug, c in cfg.ccgs.items():
        if c.stp not in cfg.stps:
            raise ConfigError(f"config: CCG {slug!r} names unknown STP {c.stp!r}")
        areas[slug] = Area(slug, "ccg", c.name, c.short_name, c.code, c.stp, (c.code,),
                           dict(c.successor))
    for slug, s in cfg.stps.items():
        members = tuple(c.code for c in cfg.ccgs.values() if c.stp == slug)
        areas[slug] = Area(slug, "stp", s.name, s.short_name, s.code, slug, members,
                           dict(s.successor))
    return areas


def stp_members(stp_slug: str, cfg: Settings | None = None) -> list[Area]:
    """The CCGs of an STP, in registry order."""
    return [a for a in registry(cfg).values() if a.kind == "ccg" and a.stp == stp_slug]


def resolve_area(value: str, kind: str | None = None, cfg: Settings | None = None) -> Area:
    """Turn a user-typed slug into an :class:`Area`.

    Parameters
    ----------
    value : str
        Slug as typed (case and surrounding spaces are ignored).
    kind : {'ccg', 'stp', None}
        Restrict to CCGs or STPs; ``None`` accepts either.
    cfg : Settings, optional
        Another validated config (tests); default :func:`settings`.

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


def input_path(key: str, cfg: Settings | None = None) -> Path | None:
    """Absolute path of an input named in the ``inputs`` section (None when set to null).

    Raises
    ------
    ConfigError
        When ``key`` is not an input of the ``inputs`` section.
    """
    inputs = (cfg or settings()).inputs
    if key not in type(inputs).model_fields:
        raise ConfigError(f"unknown input {key!r}; expected one of: "
                          f"{', '.join(type(inputs).model_fields)}")
    value = getattr(inputs, key)
    return None if value is None else project_path(value)


def input_paths(cfg: Settings | None = None) -> dict[str, Path | None]:
    """Every input of the ``inputs`` section -> absolute path (None when set to null)."""
    inputs = (cfg or settings()).inputs
    return {k: input_path(k, cfg) for k in type(inputs).model_fields}


def named_paths(cfg: Settings | None = None) -> list[Path]:
    """Every file or folder the settings name (inputs, returns folders, lookups, scenario,
    funding, risk and urgent-care files), made absolute, wherever they live.

    What a report depends on besides the code: :func:`analysis.report.runner.fingerprint`
    hashes them, so a changed input outside ``data/raw`` is seen as a change.
    """
    found: list[Path] = []

    def walk(value) -> None:
        if isinstance(value, Path):
            found.append(project_path(value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif hasattr(type(value), "model_fields"):
            for name in type(value).model_fields:
                walk(getattr(value, name))

    walk(cfg or settings())
    return sorted(set(found))

