"""Scenario models: GP supply against demand, the gap, its uncertainty and its cost.

Everything here is a pure function of numbers (or arrays of numbers) except
:func:`load_scenario_file`, which reads a named scenario file (``scenarios/*.yaml``) and checks
it. The supply model takes the parameters of :data:`PARAMETERS` as scalars or as equal-length
arrays, so one call projects one scenario, every scenario of a file, every arm of a tornado or
10,000 Monte Carlo draws alike.

Two calculation modes (docs/scenarios.md):

``published``
    The arithmetic of the LLR GP workforce plan, Tables 12-14: each component is linear over the
    horizon and computed on the starting figures (over-55 WTE x loss rate x years; baseline WTE x
    session loss rate x years; trainees x retention; international recruits; role-substitution
    staff / ratio), then rounded as the source rounds (LLR truncates: 39.15 -> 39), and
    position = baseline - losses + joiners. Reproduces 561, 630 and 658.
``annual``
    Steps year by year: losses apply to the current (shrinking) stock, so they compound, a share
    of the under-55 WTE turns 55 each year and joins the group that retires, and joiners arrive
    evenly across the horizon. Nothing is rounded.

Around the model: demand (0.58 WTE per 1,000 patients, a fixed target, population growth by age
group, or the demand implied by a published gap), HEE-style retirement cases, one-at-a-time
sensitivity (tornado), seeded vectorised Monte Carlo, solving for a lever by bisection, and
finance. ``python -m analysis.models.scenarios bench`` times 10,000 draws against one
deterministic run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import math
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.util.errors import InputError
from analysis.util.rounding import round_half_up

# -------------------------------------------------------------------------------------------
# Parameters
# -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One model parameter: reader label, kind (domain) and default."""

    label: str
    kind: str  # 'count' (>= 0), 'rate' (0..1), 'ratio' (> 0 or missing), 'real'
    default: float | None


PARAMETERS: dict[str, Param] = {
    "baseline_wte": Param("Baseline GP WTE", "count", None),
    "over55_wte": Param("GP WTE aged 55 or over", "count", 0.0),
    "over55_loss_rate_pa": Param("Over-55 WTE lost per year", "rate", 0.0),
    "session_loss_rate_pa": Param("Sessions lost per year (whole workforce)", "rate", 0.0),
    "trainees": Param("Newly qualified GPs over the horizon", "count", 0.0),
    "trainee_retention": Param("Share of newly qualified GPs retained", "rate", 0.0),
    "international_recruits": Param("International recruits over the horizon", "count", 0.0),
    "role_substitution_staff": Param("Role-substitution staff", "count", 0.0),
    "role_substitution_ratio": Param("Role-substitution staff per GP WTE", "ratio", math.nan),
    "other_net_joiners": Param("Other joiners net of other leavers", "real", 0.0),
    "ageing_into_55_rate_pa": Param("Under-55 WTE turning 55 each year (annual mode)", "rate",
                                    0.0),
}
# Convenience input: the share of over-55s who retire within the horizon (HEE style); the
# loader turns it into over55_loss_rate_pa = share / horizon_years.
RETIRE_SHARE = "over55_retire_share"

COMPONENTS = ["over55_change", "session_change", "trainee_change", "international_change",
              "role_substitution_change", "other_change"]
COMPONENT_LABELS = {
    "over55_change": "Over-55s retiring or leaving",
    "session_change": "Sessions lost across the workforce",
    "trainee_change": "Newly qualified GPs retained",
    "international_change": "International recruits",
    "role_substitution_change": "Role substitution (GP WTE equivalent)",
    "other_change": "Other joiners, net",
}
MODES = ("published", "annual")
ROUNDINGS = ("truncate", "half_up", "none")
DEFAULT_SPREAD = 0.2  # tornado range (+/-20%) for parameters without an uncertainty entry
_EPS = 1e-9


def _as_arrays(params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Every parameter as a float array, defaults filled, broadcast to one shape (n,)."""
    missing = [k for k, p in PARAMETERS.items() if p.default is None and k not in params]
    if missing:
        raise ValueError(f"missing parameter(s): {', '.join(missing)}")
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        raise ValueError(f"unknown parameter(s): {', '.join(unknown)}")
    raw = {k: np.asarray(params.get(k, p.default) if params.get(k) is not None else p.default,
                         dtype=float) for k, p in PARAMETERS.items()}
    arrays = np.broadcast_arrays(*[np.atleast_1d(v) for v in raw.values()])
    return dict(zip(raw, (a.astype(float, copy=True) for a in arrays), strict=True))


def _round(x: np.ndarray, rounding: str) -> np.ndarray:
    """Round magnitudes as the source does; the sign is kept."""
    if rounding == "none":
        return x
    mag = np.abs(x)
    if rounding == "truncate":
        mag = np.floor(mag + _EPS)
    elif rounding == "half_up":
        mag = round_half_up(mag, 0)
    else:
        raise ValueError(f"rounding must be one of {ROUNDINGS}, not {rounding!r}")
    return np.sign(x) * mag


def _role_substitution(p: dict[str, np.ndarray]) -> np.ndarray:
    staff, ratio = p["role_substitution_staff"], p["role_substitution_ratio"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(staff > 0, staff / ratio, 0.0)


def project(params: Mapping[str, object], horizon_years: int, mode: str = "published",
            rounding: str = "none") -> dict[str, np.ndarray]:
    """Project GP WTE supply over the horizon.

    Parameters
    ----------
    params : mapping
        Parameter name (see :data:`PARAMETERS`) -> scalar or 1-D array; arrays are broadcast
        together, so each position of the arrays is one independent run.
    horizon_years : int
        Years from the baseline to the horizon (LLR: 3).
    mode : {'published', 'annual'}
        See the module docstring.
    rounding : {'truncate', 'half_up', 'none'}
        Published mode only: how each component is rounded (LLR truncates).

    Returns
    -------
    dict of ndarray
        ``baseline``, each of :data:`COMPONENTS` (negative for losses), ``position`` (supply at
        the horizon), ``path`` (shape (n, horizon_years + 1), supply at each year end, the
        baseline first), and in annual mode ``aged_into_55`` and ``over55_end``.
    """
    h = int(horizon_years)
    if h < 1:
        raise ValueError("horizon_years must be at least 1")
    p = _as_arrays(params)
    if mode == "published":
        return _published(p, h, rounding)
    if mode == "annual":
        return _annual(p, h)
    raise ValueError(f"mode must be one of {MODES}, not {mode!r}")


def _published(p: dict[str, np.ndarray], h: int, rounding: str) -> dict[str, np.ndarray]:
    base = p["baseline_wte"]
    over55 = np.minimum(p["over55_wte"], base)
    comp = {
        "over55_change": -np.minimum(over55 * p["over55_loss_rate_pa"] * h, over55),
        "session_change": -np.minimum(base * p["session_loss_rate_pa"] * h, base),
        "trainee_change": p["trainees"] * p["trainee_retention"],
        "international_change": p["international_recruits"],
        "role_substitution_change": _role_substitution(p),
        "other_change": p["other_net_joiners"],
    }
    comp = {k: _round(v, rounding) for k, v in comp.items()}
    position = base + sum(comp.values())
    steps = np.arange(h + 1) / h
    path = base[:, None] + (position - base)[:, None] * steps[None, :]
    return {"baseline": base, **comp, "position": position, "path": path}


def _annual(p: dict[str, np.ndarray], h: int) -> dict[str, np.ndarray]:
    base = p["baseline_wte"]
    o = np.minimum(p["over55_wte"], base)
    u = base - o
    r55, s, age_rate = p["over55_loss_rate_pa"], p["session_loss_rate_pa"], \
        p["ageing_into_55_rate_pa"]
    trainee_pa = p["trainees"] * p["trainee_retention"] / h
    intl_pa = p["international_recruits"] / h
    other_pa = p["other_net_joiners"] / h
    rs_pa = _role_substitution(p) / h
    n = base.shape[0]
    path = np.empty((n, h + 1))
    path[:, 0] = base
    lost55 = np.zeros(n)
    lost_sessions = np.zeros(n)
    aged = np.zeros(n)
    rs = np.zeros(n)
    for year in range(1, h + 1):
        sess_u, sess_o = u * s, o * s
        # Retirements are on the start-of-year stock, capped at what session losses leave.
        retire = np.minimum(o * r55, o - sess_o)
        ageing = u * age_rate
        u = u - sess_u - ageing + trainee_pa + intl_pa + other_pa
        o = o - sess_o - retire + ageing
        rs = rs + rs_pa
        lost55 += retire
        lost_sessions += sess_u + sess_o
        aged += ageing
        path[:, year] = u + o + rs
    comp = {
        "over55_change": -lost55,
        "session_change": -lost_sessions,
        "trainee_change": trainee_pa * h,
        "international_change": intl_pa * h,
        "role_substitution_change": rs,
        "other_change": other_pa * h,
    }
    return {"baseline": base, **comp, "position": path[:, -1], "path": path,
            "aged_into_55": aged, "over55_end": o}


# -------------------------------------------------------------------------------------------
# Scenario files
# -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dist:
    """A parameter's range: triangular (low, scenario value, high) or uniform (low, high).

    With ``relative`` the bounds multiply the scenario's value.
    """

    kind: str
    low: float
    high: float
    relative: bool = True
    source: str = ""

    def bounds(self, value: float, name: str) -> tuple[float, float]:
        """Absolute (low, high) for a scenario value, clipped to the parameter's domain."""
        lo, hi = (value * self.low, value * self.high) if self.relative else (self.low,
                                                                              self.high)
        return _clip_domain(np.asarray(lo), name).item(), _clip_domain(np.asarray(hi),
                                                                       name).item()

    def ppf(self, u: np.ndarray, value: float, name: str) -> np.ndarray:
        """Inverse CDF at uniforms ``u`` (vectorised; a zero-width range returns the value)."""
        lo, hi = self.bounds(value, name)
        if not math.isfinite(value):
            return np.full(u.shape, value)
        if hi <= lo:
            return np.full(u.shape, lo)
        if self.kind == "uniform":
            return lo + u * (hi - lo)
        c = min(max(value, lo), hi)
        fc = (c - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (c - lo))
        right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - c))
        return np.where(u < fc, left, right)


def _clip_domain(x: np.ndarray, name: str) -> np.ndarray:
    kind = PARAMETERS[name].kind
    if kind == "rate":
        return np.clip(x, 0.0, 1.0)
    if kind == "count":
        return np.maximum(x, 0.0)
    if kind == "ratio":
        return np.maximum(x, 1e-6)
    return x


@dataclass(frozen=True)
class Scenario:
    """One named scenario: parameter values with their sources."""

    id: str
    name: str
    description: str
    params: dict[str, float]
    sources: dict[str, str]
    uncertainty: dict[str, Dist]
    published: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioSet:
    """A scenario file: scenarios, demand, ranges, levers, finance and area shares."""

    path: Path
    title: str
    source: str
    start: dt.date
    horizon_years: int
    horizon_label: str
    rounding: str
    headline: str
    solve_from: str
    scenarios: tuple[Scenario, ...]
    demand: dict
    history: tuple[tuple[dt.date, float], ...] = ()
    history_source: str = ""
    solve: dict = field(default_factory=dict)
    finance: dict = field(default_factory=dict)
    finance_sources: dict = field(default_factory=dict)
    area_shares: dict = field(default_factory=dict)

    @property
    def end(self) -> dt.date:
        """Horizon date: the start plus ``horizon_years``."""
        return _add_years(self.start, self.horizon_years)

    def scenario(self, sid: str) -> Scenario:
        """The scenario with id ``sid``."""
        for s in self.scenarios:
            if s.id == sid:
                return s
        raise KeyError(sid)

    def with_horizon(self, horizon_years: int) -> ScenarioSet:
        """The same scenarios over another horizon (flows over the horizon scale pro rata)."""
        h = int(horizon_years)
        if h == self.horizon_years:
            return self
        if h < 1:
            raise ValueError("horizon_years must be at least 1")
        f = h / self.horizon_years
        scen = []
        for s in self.scenarios:
            params = dict(s.params)
            for k in ("trainees", "international_recruits", "other_net_joiners"):
                params[k] = params[k] * f
            scen.append(Scenario(s.id, s.name, s.description, params, s.sources,
                                 s.uncertainty, {}))
        return replace(self, horizon_years=h, horizon_label=str(_add_years(self.start, h).year),
                       scenarios=tuple(scen))


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _line_index(node, path=(), out=None) -> dict[tuple, int]:
    """Map each key path in a composed YAML document to its 1-based line."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = (*path, k.value)
            out[key] = k.start_mark.line + 1
            _line_index(v, key, out)
            out[key] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_index(v, (*path, i), out)
    return out


class _Reader:
    """Reads a scenario file, raising InputError with the file, line and key on problems."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(self.path, "scenario file not found") from None
        try:
            node = yaml.compose(text)
            self.doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(self.path, f"not valid YAML ({getattr(exc, 'problem', exc)})",
                             row=mark.line + 1 if mark else None) from None
        if not isinstance(self.doc, dict):
            raise InputError(self.path, "expected a mapping of settings at the top level")
        self.lines = _line_index(node) if node is not None else {}

    def fail(self, keypath: tuple, message: str):
        line = None
        for i in range(len(keypath), -1, -1):
            if keypath[:i] in self.lines:
                line = self.lines[keypath[:i]]
                break
        column = ".".join(f"[{k}]" if isinstance(k, int) else str(k) for k in keypath)
        raise InputError(self.path, message, row=line, column=column.replace(".[", "["))

    def get(self, keypath: tuple, required: bool = True, default=None):
        cur = self.doc
        for k in keypath:
            if isinstance(cur, dict) and k in cur:
                cur = cur[k]
            elif isinstance(cur, list) and isinstance(k, int) and k < len(cur):
                cur = cur[k]
            else:
                if required:
                    self.fail(keypath[:-1], f"missing setting {keypath[-1]!r}")
                return default
        return cur

    def number(self, keypath: tuple, value, allow_none: bool = False) -> float:
        if isinstance(value, dict):
            value = value.get("value")
        if value is None and allow_none:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(keypath, f"expected a number, got {value!r}")
        if not math.isfinite(float(value)):
            self.fail(keypath, f"expected a finite number, got {value!r}")
        return float(value)

    def param(self, keypath: tuple, name: str, raw) -> tuple[float, str]:
        if name not in PARAMETERS:
            close = difflib.get_close_matches(name, [*PARAMETERS, RETIRE_SHARE], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.fail(keypath, f"unknown parameter {name!r}{hint}")
        kind = PARAMETERS[name].kind
        source = raw.get("source", "") if isinstance(raw, dict) else ""
        if isinstance(raw, dict) and "value" not in raw:
            self.fail(keypath, "expected 'value' (and optionally 'source')")
        v = self.number(keypath, raw, allow_none=(kind == "ratio"))
        if kind == "rate" and not 0 <= v <= 1:
            self.fail(keypath, f"a rate must be between 0 and 1, got {v:g}")
        if kind == "count" and v < 0:
            self.fail(keypath, f"must be 0 or more, got {v:g}")
        if kind == "ratio" and not math.isnan(v) and v <= 0:
            self.fail(keypath, f"a ratio must be more than 0, got {v:g}")
        return v, str(source).strip()

    def dist(self, keypath: tuple, raw) -> Dist:
        if not isinstance(raw, dict):
            self.fail(keypath, "expected {dist: triangular|uniform, low: ..., high: ...}")
        kind = raw.get("dist", "triangular")
        if kind not in ("triangular", "uniform"):
            self.fail((*keypath, "dist"), f"dist must be triangular or uniform, not {kind!r}")
        low = self.number((*keypath, "low"), raw.get("low"))
        high = self.number((*keypath, "high"), raw.get("high"))
        if high < low:
            self.fail((*keypath, "high"), f"high ({high:g}) is below low ({low:g})")
        relative = raw.get("relative", True)
        if not isinstance(relative, bool):
            self.fail((*keypath, "relative"), "expected true or false")
        return Dist(kind, low, high, relative, str(raw.get("source", "")).strip())


def load_scenario_file(path: str | Path) -> ScenarioSet:
    """Read and check a scenario file (``scenarios/*.yaml``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ScenarioSet

    Raises
    ------
    InputError
        Naming the file, the line and the setting (e.g. ``scenarios[1].parameters.trainees``).
    """
    r = _Reader(Path(path))
    d = r.doc
    start = r.get(("start",))
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            r.fail(("start",), f"expected a date YYYY-MM-DD, got {start!r}")
    if not isinstance(start, dt.date):
        r.fail(("start",), f"expected a date YYYY-MM-DD, got {start!r}")
    horizon = r.get(("horizon_years",))
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 30:
        r.fail(("horizon_years",), f"expected whole years from 1 to 30, got {horizon!r}")
    rounding = d.get("rounding", "none")
    if rounding not in ROUNDINGS:
        r.fail(("rounding",), f"rounding must be one of {', '.join(ROUNDINGS)}")

    defaults_raw = d.get("defaults") or {}
    if not isinstance(defaults_raw, dict):
        r.fail(("defaults",), "expected a mapping of parameters")
    defaults, dsources = {}, {}
    for name, raw in defaults_raw.items():
        defaults[name], dsources[name] = r.param(("defaults", name), name, raw)

    file_unc = {}
    for name, raw in (d.get("uncertainty") or {}).items():
        if name not in PARAMETERS:
            r.fail(("uncertainty", name), f"unknown parameter {name!r}")
        file_unc[name] = r.dist(("uncertainty", name), raw)

    raw_scen = r.get(("scenarios",))
    if not isinstance(raw_scen, list) or not raw_scen:
        r.fail(("scenarios",), "expected a list of scenarios")
    scenarios, seen = [], set()
    for i, s in enumerate(raw_scen):
        kp = ("scenarios", i)
        if not isinstance(s, dict):
            r.fail(kp, "expected a mapping with id, name and parameters")
        sid = str(r.get((*kp, "id")))
        if sid in seen:
            r.fail((*kp, "id"), f"duplicate scenario id {sid!r}")
        seen.add(sid)
        params, sources = dict(defaults), dict(dsources)
        for name, raw in (s.get("parameters") or {}).items():
            pk = (*kp, "parameters", name)
            if name == RETIRE_SHARE:
                share = r.number(pk, raw)
                if not 0 <= share <= 1:
                    r.fail(pk, f"a share must be between 0 and 1, got {share:g}")
                params["over55_loss_rate_pa"] = share / horizon
                src = raw.get("source", "") if isinstance(raw, dict) else ""
                sources["over55_loss_rate_pa"] = (
                    f"{src} ({share:.0%} within {horizon} years = {share / horizon:.3g} a year)"
                ).strip()
                continue
            params[name], sources[name] = r.param(pk, name, raw)
        for name, p in PARAMETERS.items():
            if name not in params:
                if p.default is None:
                    r.fail((*kp, "parameters"), f"scenario {sid!r} has no {name}")
                params[name] = p.default
                sources.setdefault(name, "Not set: default")
        if params["role_substitution_staff"] > 0 and math.isnan(
                params["role_substitution_ratio"]):
            r.fail((*kp, "parameters"), f"scenario {sid!r} has role-substitution staff but "
                                        "no role_substitution_ratio")
        unc = dict(file_unc)
        for name, raw in (s.get("uncertainty") or {}).items():
            if name not in PARAMETERS:
                r.fail((*kp, "uncertainty", name), f"unknown parameter {name!r}")
            unc[name] = r.dist((*kp, "uncertainty", name), raw)
        for name, dist in unc.items():
            if not dist.relative and math.isfinite(params[name]) and not (
                    dist.low - _EPS <= params[name] <= dist.high + _EPS):
                where = (*kp, "uncertainty", name) if name in (s.get("uncertainty") or {}) \
                    else ("uncertainty", name)
                r.fail(where, f"range {dist.low:g}-{dist.high:g} does not contain scenario "
                              f"{sid!r}'s value {params[name]:g}")
        published = {}
        for k, v in (s.get("published") or {}).items():
            published[k] = r.number((*kp, "published", k), v)
        scenarios.append(Scenario(sid, str(s.get("name", sid)),
                                  " ".join(str(s.get("description", "")).split()),
                                  params, sources, unc, published))

    ids = [s.id for s in scenarios]
    headline = str(d.get("headline", ids[-1]))
    solve_from = str(d.get("solve_from", headline))
    for key, val in (("headline", headline), ("solve_from", solve_from)):
        if val not in ids:
            r.fail((key,), f"no scenario with id {val!r} (ids: {', '.join(ids)})")

    demand = r.get(("demand",))
    if not isinstance(demand, dict) or demand.get("method") not in DEMAND_METHODS:
        r.fail(("demand", "method"), f"method must be one of {', '.join(DEMAND_METHODS)}")
    if demand["method"] not in demand:
        r.fail(("demand",), f"no settings for the chosen method {demand['method']!r}")
    _check_demand(r, demand)

    history = []
    for i, h in enumerate(d.get("history") or []):
        try:
            day = h["date"] if isinstance(h["date"], dt.date) else dt.date.fromisoformat(
                str(h["date"]))
        except (KeyError, TypeError, ValueError):
            r.fail(("history", i), "expected {date: YYYY-MM-DD, wte: number}")
        history.append((day, r.number(("history", i, "wte"), h.get("wte"))))

    solve = {}
    for lever, spec in (d.get("solve") or {}).items():
        if lever not in LEVERS:
            r.fail(("solve", lever), f"lever must be one of {', '.join(LEVERS)}")
        lo = r.number(("solve", lever, "low"), (spec or {}).get("low"))
        hi = r.number(("solve", lever, "high"), (spec or {}).get("high"))
        if hi <= lo:
            r.fail(("solve", lever, "high"), "high must be above low")
        solve[lever] = {"low": lo, "high": hi,
                        "ratio_if_unset": float((spec or {}).get("ratio_if_unset", 3))}

    finance, fsources = {}, {}
    for k, raw in (d.get("finance") or {}).items():
        finance[k] = r.number(("finance", k), raw)
        fsources[k] = str(raw.get("source", "")).strip() if isinstance(raw, dict) else ""

    shares = {}
    for basis, spec in (d.get("area_shares") or {}).items():
        vals = (spec or {}).get("values") or {}
        nums = {a: r.number(("area_shares", basis, "values", a), v) for a, v in vals.items()}
        total = sum(nums.values())
        if total <= 0:
            r.fail(("area_shares", basis), "values must add up to more than 0")
        shares[basis] = {"source": str((spec or {}).get("source", "")),
                         "shares": {a: v / total for a, v in nums.items()}}

    return ScenarioSet(
        path=r.path, title=str(d.get("title", r.path.stem)), source=str(d.get("source", "")),
        start=start, horizon_years=horizon, horizon_label=str(d.get("horizon_label",
                                                                   _add_years(start,
                                                                              horizon).year)),
        rounding=rounding, headline=headline, solve_from=solve_from,
        scenarios=tuple(scenarios), demand=demand, history=tuple(history),
        history_source=str(d.get("history_source", "")), solve=solve, finance=finance,
        finance_sources=fsources, area_shares=shares)


# -------------------------------------------------------------------------------------------
# Demand
# -------------------------------------------------------------------------------------------

DEMAND_METHODS = ("fixed", "ratio", "population_growth", "implied_gap")
DEMAND_LABELS = {
    "fixed": "Fixed target",
    "ratio": "0.58 WTE per 1,000 patients",
    "population_growth": "Population growth by age group",
    "implied_gap": "Implied by the published gap",
}


def _check_demand(r: _Reader, demand: dict) -> None:
    for method in DEMAND_METHODS:
        spec = demand.get(method)
        if spec is None:
            continue
        kp = ("demand", method)
        if not isinstance(spec, dict):
            r.fail(kp, "expected a mapping")
        need = {"fixed": ["target_wte"], "ratio": ["wte_per_1000", "patients"],
                "population_growth": ["period_years", "groups"],
                "implied_gap": ["gap_wte", "gap_share"]}[method]
        for k in need:
            if k not in spec:
                r.fail(kp, f"missing setting {k!r}")
            if k != "groups":
                v = r.number((*kp, k), spec[k])
                if v <= 0 or (k == "gap_share" and v >= 1):
                    r.fail((*kp, k), f"out of range: {v:g}")
        if method == "population_growth":
            if spec.get("base", "ratio") not in ("ratio", "fixed"):
                r.fail((*kp, "base"), "base must be ratio or fixed")
            if spec.get("base", "ratio") not in demand:
                r.fail((*kp, "base"), f"no demand.{spec.get('base', 'ratio')} to grow")
            groups = spec["groups"]
            if not isinstance(groups, dict) or not groups:
                r.fail((*kp, "groups"), "expected age groups with growth, share and weight")
            for g, gs in groups.items():
                for k in ("growth", "share", "weight"):
                    v = r.number((*kp, "groups", g, k), (gs or {}).get(k))
                    if k != "growth" and v < 0:
                        r.fail((*kp, "groups", g, k), "must be 0 or more")


def demand_ratio(wte_per_1000: float, patients: float) -> float:
    """Demand as a ratio to the registered list: ``wte_per_1000 * patients / 1000``."""
    return wte_per_1000 * patients / 1000.0


def population_growth_factor(groups: Mapping[str, Mapping[str, float]], years: float,
                             period_years: float) -> float:
    """Growth in GP demand from population growth by age group.

    Each group's growth over ``period_years`` is converted to ``years`` by compounding
    (``(1 + g) ** (years / period_years)``) and weighted by population share x relative GP use.

    Parameters
    ----------
    groups : mapping
        Group -> ``{'growth': g, 'share': population share, 'weight': relative GP use}``.
    years : float
        Years of growth wanted.
    period_years : float
        Years over which ``growth`` is stated (LLR: 5).

    Returns
    -------
    float
        Demand at ``years`` over demand now (1.0 = no growth).
    """
    w = np.array([g["share"] * g["weight"] for g in groups.values()], dtype=float)
    growth = np.array([g["growth"] for g in groups.values()], dtype=float)
    if w.sum() <= 0:
        raise ValueError("population shares x weights add up to 0")
    return float((w * (1 + growth) ** (years / period_years)).sum() / w.sum())


def implied_demand(gap_wte: float, gap_share: float, share_decimals: int = 2) -> dict:
    """Demand implied by a gap quoted as a share of demand ("222 = 26%").

    Parameters
    ----------
    gap_wte : float
        The quoted gap.
    gap_share : float
        The gap as a share of demand (0.26).
    share_decimals : int
        Decimals the share was rounded to (0.26: 2); gives the range of demand the quote allows.

    Returns
    -------
    dict
        ``demand``, ``demand_low``, ``demand_high`` (share at the top and bottom of its rounding
        interval) and ``supply`` (demand - gap).
    """
    half = 0.5 * 10.0 ** -share_decimals
    demand = gap_wte / gap_share
    return {"demand": demand, "demand_low": gap_wte / (gap_share + half),
            "demand_high": gap_wte / (gap_share - half), "supply": demand - gap_wte}


def demand_options(sset: ScenarioSet, horizon_years: int | None = None) -> pd.DataFrame:
    """Every demand measure the file defines, at the horizon; the chosen one flagged.

    Returns
    -------
    DataFrame
        ``method``, ``label``, ``demand_wte``, ``chosen`` and ``source``.
    """
    h = sset.horizon_years if horizon_years is None else horizon_years
    d = sset.demand
    rows = []
    if "fixed" in d:
        rows.append(("fixed", float(d["fixed"]["target_wte"]), d["fixed"].get("source", "")))
    if "ratio" in d:
        rows.append(("ratio", demand_ratio(float(d["ratio"]["wte_per_1000"]),
                                           float(d["ratio"]["patients"])),
                     d["ratio"].get("source", "")))
    if "population_growth" in d:
        pg = d["population_growth"]
        base = dict((m, v) for m, v, _ in rows)[pg.get("base", "ratio")]
        factor = population_growth_factor(pg["groups"], h, float(pg["period_years"]))
        rows.append(("population_growth", base * factor,
                     f"{pg.get('source', '')} {pg.get('weights_source', '')}".strip()))
    if "implied_gap" in d:
        ig = d["implied_gap"]
        imp = implied_demand(float(ig["gap_wte"]), float(ig["gap_share"]),
                             int(ig.get("share_decimals", 2)))
        rows.append(("implied_gap", imp["demand"], ig.get("source", "")))
    out = pd.DataFrame(rows, columns=["method", "demand_wte", "source"])
    out.insert(1, "label", out["method"].map(DEMAND_LABELS))
    out.insert(3, "chosen", out["method"] == d["method"])
    out["source"] = out["source"].map(lambda s: " ".join(str(s).split()))
    return out


def target_wte(sset: ScenarioSet, horizon_years: int | None = None) -> float:
    """Demand at the horizon by the file's chosen method (the target line)."""
    opts = demand_options(sset, horizon_years)
    return float(opts.loc[opts["chosen"], "demand_wte"].iloc[0])


# -------------------------------------------------------------------------------------------
# Running scenario files
# -------------------------------------------------------------------------------------------


def params_frame(sset: ScenarioSet) -> pd.DataFrame:
    """Scenario parameters, one row per scenario (index = scenario id)."""
    return pd.DataFrame({s.id: s.params for s in sset.scenarios}).T[list(PARAMETERS)]


def run(sset: ScenarioSet, mode: str = "published") -> pd.DataFrame:
    """Every scenario of a file in one mode, with the gap to the chosen demand.

    Returns
    -------
    DataFrame
        Index scenario id; ``name``, ``baseline``, the :data:`COMPONENTS`, ``position``,
        ``demand``, ``gap`` (demand - position; positive = short), ``gap_pct`` (of demand) and
        ``meets_target``.
    """
    pf = params_frame(sset)
    rounding = sset.rounding if mode == "published" else "none"
    res = project(pf.to_dict("list"), sset.horizon_years, mode, rounding)
    out = pd.DataFrame({k: res[k] for k in ["baseline", *COMPONENTS, "position"]},
                       index=pf.index)
    out.insert(0, "name", [s.name for s in sset.scenarios])
    demand = target_wte(sset)
    out["demand"] = demand
    out["gap"] = demand - out["position"]
    out["gap_pct"] = out["gap"] / demand
    out["meets_target"] = out["position"] >= demand - _EPS
    return out


def _integral(s: pd.Series) -> pd.Series:
    v = s.to_numpy(dtype=float)
    if np.all(np.isfinite(v)) and np.all(np.abs(v - np.round(v)) < 1e-9):
        return pd.Series(np.round(v).astype("int64"), index=s.index, name=s.name)
    return s.astype(float)


def published_table(sset: ScenarioSet) -> pd.DataFrame:
    """Published mode in the layout of LLR Tables 12-14 (one row per scenario).

    Column names carry the horizon (``over55_change_3y``, ``position_2020``); count columns
    that are whole numbers are integers, as in the published table.
    """
    h, end = sset.horizon_years, sset.end.year
    pf = params_frame(sset)
    res = run(sset, "published")
    cols = {
        "scenario": res["name"],
        "baseline_wte": pf["baseline_wte"],
        "over55_wte": pf["over55_wte"],
        "over55_loss_rate_pa": pf["over55_loss_rate_pa"],
        f"over55_change_{h}y": res["over55_change"],
        "session_loss_rate_pa": pf["session_loss_rate_pa"],
        f"session_change_{h}y": res["session_change"],
        f"trainees_{h}y": pf["trainees"],
        "trainee_retention": pf["trainee_retention"],
        f"trainee_change_{h}y": res["trainee_change"],
        f"international_recruits_{h}y": res["international_change"],
        "role_substitution_staff": pf["role_substitution_staff"],
        "role_substitution_ratio": pf["role_substitution_ratio"],
        f"role_substitution_change_{h}y": res["role_substitution_change"],
    }
    if (pf["other_net_joiners"] != 0).any():
        cols[f"other_net_joiners_{h}y"] = res["other_change"]
    cols[f"position_{end}"] = res["position"]
    out = pd.DataFrame(cols).reset_index(drop=True)
    keep_float = {"over55_loss_rate_pa", "session_loss_rate_pa", "trainee_retention",
                  "role_substitution_ratio"}
    for c in out.columns[1:]:
        out[c] = out[c].astype(float) if c in keep_float else _integral(out[c])
    out["scenario"] = out["scenario"].astype(str)
    return out


def annual_paths(sset: ScenarioSet) -> pd.DataFrame:
    """Annual mode, year by year: long table (scenario, year, date, supply)."""
    pf = params_frame(sset)
    res = project(pf.to_dict("list"), sset.horizon_years, "annual")
    rows = []
    for i, s in enumerate(sset.scenarios):
        for y in range(sset.horizon_years + 1):
            rows.append({"scenario": s.id, "name": s.name, "year": y,
                         "date": _add_years(sset.start, y), "supply": res["path"][i, y]})
    return pd.DataFrame(rows)


def check_published(sset: ScenarioSet) -> pd.DataFrame:
    """Published figures against the published-mode model (the report's back-test table)."""
    res = run(sset, "published")
    rows = []
    for s in sset.scenarios:
        for k, v in s.published.items():
            got = float(res.loc[s.id, k])
            rows.append({"scenario": s.name, "figure": COMPONENT_LABELS.get(
                k, "Position at the horizon" if k == "position" else k),
                "published": v, "model": got, "matches": abs(got - v) < 1e-9})
    return pd.DataFrame(rows, columns=["scenario", "figure", "published", "model", "matches"])


def retirement_cases(over55_wte: float, shares, years: int, rounding: str = "half_up"
                     ) -> pd.DataFrame:
    """HEE-style cumulative retirements: a share of the over-55s retiring within ``years``.

    Retirements are spread evenly over the years (share / years of the starting group a year).

    Returns
    -------
    DataFrame
        ``share``, then ``year_1`` .. ``year_N`` cumulative retirements (unrounded), and
        ``retirements`` (the total, rounded as published).
    """
    shares = np.atleast_1d(np.asarray(shares, dtype=float))
    cum = over55_wte * shares[:, None] * (np.arange(1, years + 1) / years)[None, :]
    out = pd.DataFrame(cum, columns=[f"year_{k}" for k in range(1, years + 1)])
    out.insert(0, "share", shares)
    out["retirements"] = _round(cum[:, -1], rounding)
    return out


def area_scaled(sset: ScenarioSet, area_slug: str, mode: str = "published"
                ) -> pd.DataFrame | None:
    """An indicative CCG version of the STP scenarios, scaled by the CCG's shares.

    ``workforce`` share scales baseline, joiners, role substitution and demand; ``over55``
    (or the workforce share when absent) scales the over-55 WTE. Results are unrounded.
    Returns None when the file has no share for the area.
    """
    wf = sset.area_shares.get("workforce", {}).get("shares", {})
    if area_slug not in wf:
        return None
    w = wf[area_slug]
    o = sset.area_shares.get("over55", {}).get("shares", {}).get(area_slug, w)
    pf = params_frame(sset)
    for c in ("baseline_wte", "trainees", "international_recruits", "role_substitution_staff",
              "other_net_joiners"):
        pf[c] = pf[c] * w
    pf["over55_wte"] = pf["over55_wte"] * o
    res = project(pf.to_dict("list"), sset.horizon_years, mode, "none")
    demand = target_wte(sset) * w
    out = pd.DataFrame({"scenario": [s.name for s in sset.scenarios],
                        "baseline": res["baseline"], "over55_change": res["over55_change"],
                        "position": res["position"], "demand": demand})
    out["gap"] = out["demand"] - out["position"]
    out.attrs.update(workforce_share=w, over55_share=o)
    return out


# -------------------------------------------------------------------------------------------
# Sensitivity and uncertainty
# -------------------------------------------------------------------------------------------


def tornado(params: Mapping[str, float], uncertainty: Mapping[str, Dist], horizon_years: int,
            mode: str = "annual", rounding: str = "none",
            default_spread: float = DEFAULT_SPREAD) -> pd.DataFrame:
    """One-at-a-time sensitivity of the horizon supply to every parameter.

    Each parameter is set to its low and then its high value (from ``uncertainty``, or
    +/- ``default_spread`` of its value when it has no entry) with the others at the scenario
    values. All 2 x P runs are one vectorised :func:`project` call.

    Returns
    -------
    DataFrame
        ``parameter``, ``label``, ``value``, ``low``, ``high``, ``position_low``,
        ``position_high``, ``swing`` (absolute difference), ``range_source``; sorted by swing,
        largest first. ``base_position`` is in ``attrs``.
    """
    names = [n for n in PARAMETERS if not (mode == "published" and
                                           n == "ageing_into_55_rate_pa")]
    base = {k: float(params[k]) if params.get(k) is not None else PARAMETERS[k].default
            for k in PARAMETERS}
    rows, lows, highs = [], [], []
    for n in names:
        v = base[n]
        if n in uncertainty:
            lo, hi = uncertainty[n].bounds(v, n)
            src = uncertainty[n].source or "uncertainty range"
        else:
            lo, hi = (_clip_domain(np.asarray(v * (1 - default_spread)), n).item(),
                      _clip_domain(np.asarray(v * (1 + default_spread)), n).item())
            src = f"default +/-{default_spread:.0%}"
        rows.append((n, PARAMETERS[n].label, v, lo, hi, src))
        lows.append(lo)
        highs.append(hi)
    k = len(names)
    arrays = {p: np.full(2 * k, base[p]) for p in PARAMETERS}
    for i, n in enumerate(names):
        arrays[n][i], arrays[n][k + i] = lows[i], highs[i]
    res = project(arrays, horizon_years, mode, rounding)
    centre = project(base, horizon_years, mode, rounding)["position"][0]
    out = pd.DataFrame(rows, columns=["parameter", "label", "value", "low", "high",
                                      "range_source"])
    out["position_low"] = res["position"][:k]
    out["position_high"] = res["position"][k:]
    out["swing"] = (out["position_high"] - out["position_low"]).abs().fillna(0.0)
    out = out[["parameter", "label", "value", "low", "high", "position_low", "position_high",
               "swing", "range_source"]]
    out = out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs["base_position"] = float(centre)
    return out


def sample_parameters(params: Mapping[str, float], uncertainty: Mapping[str, Dist],
                      draws: int, seed: int) -> dict[str, np.ndarray]:
    """Seeded draws of every parameter (vectorised).

    One uniform stream per parameter in the fixed order of :data:`PARAMETERS`, drawn whether
    or not the parameter is uncertain, so a parameter's draws do not change when another
    parameter's range is added or removed. Parameters without a range stay at their value.
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    rng = np.random.default_rng(seed)
    u = rng.random((len(PARAMETERS), int(draws)))
    out = {}
    for i, (name, p) in enumerate(PARAMETERS.items()):
        v = params.get(name)
        v = p.default if v is None else float(v)
        out[name] = (uncertainty[name].ppf(u[i], v, name) if name in uncertainty
                     else np.full(int(draws), v))
    return out


@dataclass(frozen=True)
class MonteCarlo:
    """Monte Carlo result: draws, supply paths and summary."""

    draws: dict[str, np.ndarray]
    paths: np.ndarray  # (n, horizon + 1)
    position: np.ndarray  # (n,)
    target: float

    @property
    def p_meet(self) -> float:
        """Share of draws whose horizon supply meets the target."""
        return float(np.mean(self.position >= self.target - _EPS))

    def bands(self, levels=(0.5, 0.8, 0.95)) -> pd.DataFrame:
        """Central bands by year: median and ``low_50``/``high_50`` ... columns."""
        cols = {"year": np.arange(self.paths.shape[1]),
                "median": np.percentile(self.paths, 50, axis=0)}
        for lv in levels:
            cols[f"low_{round(lv * 100)}"] = np.percentile(self.paths, 50 - lv * 50, axis=0)
            cols[f"high_{round(lv * 100)}"] = np.percentile(self.paths, 50 + lv * 50, axis=0)
        return pd.DataFrame(cols)


def monte_carlo(params: Mapping[str, float], uncertainty: Mapping[str, Dist],
                horizon_years: int, target: float, draws: int = 10_000, seed: int = 0,
                mode: str = "annual", rounding: str = "none") -> MonteCarlo:
    """Monte Carlo over the parameter ranges: one vectorised :func:`project` call.

    Parameters
    ----------
    params, uncertainty
        Scenario values and ranges (:class:`Dist`; triangular around the value or uniform).
    horizon_years : int
    target : float
        Demand at the horizon; :attr:`MonteCarlo.p_meet` is the share of draws meeting it.
    draws : int
        Number of draws (the report uses at least 10,000).
    seed : int
        Same seed, same draws.
    mode, rounding
        As :func:`project`.
    """
    d = sample_parameters(params, uncertainty, draws, seed)
    res = project(d, horizon_years, mode, rounding)
    return MonteCarlo(d, res["path"], res["position"], float(target))


# -------------------------------------------------------------------------------------------
# Solve for a lever
# -------------------------------------------------------------------------------------------

LEVERS = {
    "international_recruits": ("International recruits over the horizon", "count"),
    "trainee_retention": ("Share of newly qualified GPs retained", "rate"),
    "role_substitution_staff": ("Role-substitution staff", "count"),
    "over55_loss_rate_pa": ("Over-55 WTE lost per year (retention of older GPs)", "rate"),
    "other_net_joiners": ("Other joiners net of other leavers", "real"),
}


@dataclass(frozen=True)
class Solution:
    """The value of a lever that meets the target, or why none does."""

    lever: str
    value: float | None
    position: float
    target: float
    status: str  # 'solved', 'already_met', 'no_solution'
    message: str


def solve_lever(params: Mapping[str, float], lever: str, target: float, horizon_years: int,
                low: float, high: float, mode: str = "published", rounding: str = "none",
                ratio_if_unset: float = 3.0, tol: float = 1e-7) -> Solution:
    """The value of one lever at which supply at the horizon reaches the target.

    Bisection on the monotone supply (works with the step functions that published rounding
    makes); scipy is not needed. Whole-number levers (recruits, staff) are rounded up to the
    first whole value that meets the target.

    Parameters
    ----------
    params : mapping
        The starting scenario.
    lever : str
        One of :data:`LEVERS`.
    target : float
        Demand at the horizon.
    low, high : float
        Range searched.
    ratio_if_unset : float
        Role-substitution ratio to use when the scenario has none.

    Returns
    -------
    Solution
        ``status`` 'solved' with the value, 'already_met' (the target is met without moving the
        lever beyond the scenario's value) or 'no_solution' with a message giving the best supply
        reachable in the range.
    """
    if lever not in LEVERS:
        raise ValueError(f"lever must be one of {', '.join(LEVERS)}")
    label, kind = LEVERS[lever]
    base = {k: (PARAMETERS[k].default if params.get(k) is None else float(params[k]))
            for k in PARAMETERS}
    if lever == "role_substitution_staff" and math.isnan(base["role_substitution_ratio"]):
        base["role_substitution_ratio"] = ratio_if_unset

    def supply(x) -> np.ndarray:
        arr = dict(base)
        arr[lever] = np.atleast_1d(np.asarray(x, dtype=float))
        return project(arr, horizon_years, mode, rounding)["position"]

    current = float(supply(base[lever])[0])
    ends = supply([low, high])
    met_lo, met_hi = ends >= target - _EPS
    increasing = ends[1] >= ends[0]
    fmt = (lambda v: f"{v:,.0f}") if kind == "count" else (
        (lambda v: f"{v:.1%}") if kind == "rate" else (lambda v: f"{v:,.1f}"))
    if current >= target - _EPS:
        return Solution(lever, base[lever], current, target, "already_met",
                        f"Already met: the scenario reaches {current:,.1f} WTE against "
                        f"{target:,.1f} with this lever at {fmt(base[lever])}.")
    if not (met_lo or met_hi):
        best = float(max(ends))
        at = high if increasing else low
        return Solution(lever, None, best, target, "no_solution",
                        f"No value of this lever between {fmt(low)} and {fmt(high)} meets the "
                        f"target on its own: the best is {best:,.1f} WTE at {fmt(at)}, "
                        f"{target - best:,.1f} short of {target:,.1f}.")
    # Bisection between a point that misses (a) and one that meets (b).
    a, b = (low, high) if met_hi else (high, low)
    for _ in range(200):
        if abs(b - a) <= tol:
            break
        mid = 0.5 * (a + b)
        if supply(mid)[0] >= target - _EPS:
            b = mid
        else:
            a = mid
    value = b
    if kind == "count":
        value = math.ceil(b - 1e-6) if b > a else math.floor(b + 1e-6)
        if supply(value)[0] < target - _EPS:  # guard against the tolerance
            value = value + (1 if b > a else -1)
    pos = float(supply(value)[0])
    return Solution(lever, float(value), pos, target, "solved",
                    f"{fmt(value)} (scenario: {fmt(base[lever])}) gives {pos:,.1f} WTE "
                    f"against the target of {target:,.1f}.")


def solve_table(sset: ScenarioSet, scenario_id: str | None = None,
                modes=MODES) -> pd.DataFrame:
    """Every lever in the file's ``solve`` section, in each mode, from one scenario."""
    s = sset.scenario(scenario_id or sset.solve_from)
    target = target_wte(sset)
    rows = []
    for lever, spec in sset.solve.items():
        for mode in modes:
            sol = solve_lever(s.params, lever, target, sset.horizon_years, spec["low"],
                              spec["high"], mode,
                              sset.rounding if mode == "published" else "none",
                              spec.get("ratio_if_unset", 3.0))
            rows.append({"lever": LEVERS[lever][0], "mode": mode,
                         "scenario_value": s.params[lever], "value_needed": sol.value,
                         "position": sol.position, "target": target, "status": sol.status,
                         "message": sol.message})
    return pd.DataFrame(rows)


# -------------------------------------------------------------------------------------------
# Finance
# -------------------------------------------------------------------------------------------

FINANCE_DEFAULTS = {
    "gp_cost_per_wte": 112_000.0,
    "locum_premium": 0.45,
    "retention_scheme_per_session": 76.92,
    "retention_sessions_per_week": 4.0,
    "retention_sessions_per_year_max": 208.0,
    "international_recruit_cost": 25_000.0,
    "role_substitution_cost_per_staff": 55_000.0,
    "sessions_per_wte": 9.0,
}


def _fin(fin: Mapping[str, float] | None) -> dict[str, float]:
    return {**FINANCE_DEFAULTS, **(fin or {})}


def gap_cost(gap_wte, fin: Mapping[str, float] | None = None) -> dict[str, np.ndarray | float]:
    """Annual cost of filling a gap with salaried GPs, and with locums at the premium.

    Returns
    -------
    dict
        ``salaried`` = gap x cost per WTE; ``locum`` = salaried x (1 + premium);
        ``locum_premium`` = the difference. A negative gap (surplus) costs nothing.
    """
    f = _fin(fin)
    g = np.maximum(np.asarray(gap_wte, dtype=float), 0.0)
    salaried = g * f["gp_cost_per_wte"]
    premium = salaried * f["locum_premium"]
    out = {"salaried": salaried, "locum": salaried + premium, "locum_premium": premium}
    return {k: (v.item() if np.ndim(v) == 0 else v) for k, v in out.items()}


def retention_scheme_cost(retained_gps: float, fin: Mapping[str, float] | None = None,
                          sessions_per_week: float | None = None, weeks: float = 52.0) -> float:
    """Annual GP retention scheme allowance: GBP per session x sessions (capped) x GPs.

    Sessions per week are capped at the scheme maximum (4) and sessions per year at 208.
    """
    f = _fin(fin)
    spw = f["retention_sessions_per_week"] if sessions_per_week is None else sessions_per_week
    spw = min(spw, f["retention_sessions_per_week"])
    sessions = min(spw * weeks, f["retention_sessions_per_year_max"])
    return float(retained_gps * sessions * f["retention_scheme_per_session"])


def unit_costs(fin: Mapping[str, float] | None = None, ratio: float = 3.0) -> pd.DataFrame:
    """Cost of one GP WTE (or equivalent) by route, per year unless stated.

    Returns
    -------
    DataFrame
        ``route``, ``cost`` (GBP), ``basis`` and ``derivation``.
    """
    f = _fin(fin)
    gp = f["gp_cost_per_wte"]
    per_retained = retention_scheme_cost(1, f)
    wte_retained = min(f["retention_sessions_per_week"], 4) / f["sessions_per_wte"]
    rows = [
        ("Salaried GP", gp, "per WTE per year", "as stated in the LLR plan"),
        ("Locum GP", gp * (1 + f["locum_premium"]), "per WTE per year",
         f"salaried cost + {f['locum_premium']:.0%} premium"),
        ("GP retention scheme allowance", per_retained, "per retained GP per year",
         f"GBP {f['retention_scheme_per_session']:.2f} x "
         f"{f['retention_sessions_per_year_max']:.0f} sessions"),
        ("GP retention scheme allowance", per_retained / wte_retained,
         "per WTE retained per year",
         f"{f['retention_sessions_per_week']:.0f} of {f['sessions_per_wte']:.0f} sessions a "
         "week; on top of salary"),
        ("International recruitment", f["international_recruit_cost"],
         "per recruit, one-off", "recruitment and relocation"),
        ("Role substitution", f["role_substitution_cost_per_staff"] * ratio,
         "per GP WTE equivalent per year",
         f"{ratio:g} staff at GBP {f['role_substitution_cost_per_staff']:,.0f}"),
    ]
    if "international_programme_cost" in f:
        n = f["international_programme_cost"] / f["international_recruit_cost"]
        rows.append(("International recruitment programme", f["international_programme_cost"],
                     "over five years", f"{n:,.0f} candidates at GBP "
                                        f"{f['international_recruit_cost']:,.0f}"))
    if "locum_wte" in f:
        rows.append(("Premium on current locums", f["locum_wte"] * gp * f["locum_premium"],
                     "per year", f"{f['locum_wte']:g} locum WTE x GBP {gp:,.0f} x "
                                 f"{f['locum_premium']:.0%}"))
    return pd.DataFrame(rows, columns=["route", "cost", "basis", "derivation"])


def scenario_costs(sset: ScenarioSet, mode: str = "published") -> pd.DataFrame:
    """Cost of each scenario's levers and of its remaining gap.

    Returns
    -------
    DataFrame
        One row per scenario: ``international_recruitment`` (one-off), ``role_substitution``
        (per year, staff x cost), ``gap_wte``, ``gap_salaried`` and ``gap_locum`` (per year).
    """
    f = _fin(sset.finance)
    res = run(sset, mode)
    pf = params_frame(sset)
    gc = gap_cost(res["gap"].to_numpy(), f)
    return pd.DataFrame({
        "scenario": res["name"].to_numpy(),
        "international_recruitment": pf["international_recruits"].to_numpy()
        * f["international_recruit_cost"],
        "role_substitution": pf["role_substitution_staff"].to_numpy()
        * f["role_substitution_cost_per_staff"],
        "gap_wte": res["gap"].to_numpy(),
        "gap_salaried": gc["salaried"],
        "gap_locum": gc["locum"],
    })


# -------------------------------------------------------------------------------------------
# Benchmark
# -------------------------------------------------------------------------------------------


def bench(path: str | Path | None = None, draws: int = 10_000, repeats: int = 20) -> dict:
    """Time ``draws`` Monte Carlo draws against one deterministic run (best of ``repeats``)."""
    from analysis.config import ROOT

    sset = load_scenario_file(path or ROOT / "scenarios" / "llr.yaml")
    s = sset.scenario(sset.headline)
    target = target_wte(sset)

    def best(fn) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    one = best(lambda: project(s.params, sset.horizon_years, "annual"))
    many = best(lambda: monte_carlo(s.params, s.uncertainty, sset.horizon_years, target,
                                    draws, seed=1))
    return {"file": str(sset.path), "draws": draws, "deterministic_s": one,
            "monte_carlo_s": many, "ratio": many / one}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scenario models: benchmark.")
    parser.add_argument("command", choices=["bench"])
    parser.add_argument("--file", type=Path, default=None, help="scenario file")
    parser.add_argument("--draws", type=int, default=10_000)
    args = parser.parse_args(argv)
    b = bench(args.file, args.draws)
    print(f"{b['draws']:,} Monte Carlo draws: {b['monte_carlo_s'] * 1000:.2f} ms; one "
          f"deterministic run: {b['deterministic_s'] * 1000:.3f} ms; ratio {b['ratio']:.0f}x "
          f"({b['ratio'] / b['draws']:.3f} deterministic runs per draw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
