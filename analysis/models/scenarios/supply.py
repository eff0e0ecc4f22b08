"""GP supply: the projection in its two modes, and every scenario of a file run through it.

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

:func:`project` takes the parameters as scalars or as equal-length arrays, so one call projects
one scenario, every scenario of a file, every arm of a tornado or 10,000 Monte Carlo draws alike.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.models.scenarios.demand import target_wte
from analysis.models.scenarios.params import (
    COMPONENTS,
    EPS,
    MODES,
    PARAMETERS,
    ROUNDINGS,
    ScenarioSet,
    add_years,
)
from analysis.util.rounding import round_half_up


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
        mag = np.floor(mag + EPS)
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
        "over55_change": -np.minimum(over55 * (p["over55_loss_rate_pa"] * h
                                               + p["over55_cohort_share"]), over55),
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
    cohort = o.copy()  # the starting over-55s still in post
    cohort_pa = np.minimum(p["over55_cohort_share"], 1.0) * o / h
    lost55 = np.zeros(n)
    lost_sessions = np.zeros(n)
    aged = np.zeros(n)
    rs = np.zeros(n)
    for year in range(1, h + 1):
        sess_u, sess_o = u * s, o * s
        # Retirements are on the start-of-year stock, capped at what session losses leave; the
        # cohort share removes a fixed part of the starting over-55s each year.
        cohort_left = cohort * (1 - s)
        from_cohort = np.minimum(cohort_pa, cohort_left)
        retire = np.minimum(o * r55 + from_cohort, o - sess_o)
        cohort = cohort_left - from_cohort
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
    out["meets_target"] = out["position"] >= demand - EPS
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
                         "date": add_years(sset.start, y), "supply": res["path"][i, y]})
    return pd.DataFrame(rows)




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


