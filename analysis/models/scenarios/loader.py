"""Reading and checking a scenario file (``scenarios/*.yaml``) into a :class:`ScenarioSet`.

Every problem is an :class:`~analysis.util.errors.InputError` naming the file, the line and the
setting (``scenarios[1].parameters.trainees``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from pathlib import Path

import yaml

from analysis.models.scenarios.demand import DEMAND_METHODS
from analysis.models.scenarios.levers import LEVERS
from analysis.models.scenarios.params import (
    EPS,
    PARAMETERS,
    RETIRE_SHARE,
    ROUNDINGS,
    Dist,
    Scenario,
    ScenarioSet,
    add_years,
)
from analysis.util.errors import InputError


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


def load_scenario_file(path: str | Path,
                       data: dict[str, tuple[float, str]] | None = None) -> ScenarioSet:
    """Read and check a scenario file (``scenarios/*.yaml``).

    Parameters
    ----------
    path : str or Path
    data : dict, optional
        The data's baseline (``baseline_wte``, ``over55_wte`` -> (value, source)), used where
        the file states no value; a value the file states is an override of it
        (:attr:`ScenarioSet.stated` lists those).

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
    data = data or {}
    defaults = {k: float(v[0]) for k, v in data.items()}
    dsources = {k: str(v[1]) for k, v in data.items()}
    stated = {k for k in ("baseline_wte", "over55_wte") if k in defaults_raw}
    for s in (d.get("scenarios") or []):
        if isinstance(s, dict):
            stated |= {k for k in ("baseline_wte", "over55_wte")
                       if k in (s.get("parameters") or {})}
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
                params["over55_cohort_share"] = share
                src = raw.get("source", "") if isinstance(raw, dict) else ""
                sources["over55_cohort_share"] = (
                    f"{src} ({share:.0%} of the starting over-55s within {horizon} years)"
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
                    dist.low - EPS <= params[name] <= dist.high + EPS):
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
                                                                   add_years(start,
                                                                              horizon).year)),
        rounding=rounding, headline=headline, solve_from=solve_from,
        scenarios=tuple(scenarios), demand=demand, history=tuple(history),
        history_source=str(d.get("history_source", "")), solve=solve, finance=finance,
        finance_sources=fsources, area_shares=shares, stated=frozenset(stated))




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


