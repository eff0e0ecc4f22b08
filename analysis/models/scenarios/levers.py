"""Solving for a lever: the value one lever needs for supply to reach the target."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.models.scenarios.demand import target_wte
from analysis.models.scenarios.params import EPS, MODES, PARAMETERS, ScenarioSet
from analysis.models.scenarios.supply import project

LEVERS = {
    "international_recruits": ("International recruits over the horizon", "count"),
    "trainee_retention": ("Share of newly qualified GPs retained", "rate"),
    "role_substitution_staff": ("Role-substitution staff", "count"),
    "over55_loss_rate_pa": ("Over-55 WTE lost per year (retention of older GPs)", "rate"),
    "over55_cohort_share": ("Share of the starting over-55s retiring within the horizon",
                            "rate"),
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
    met_lo, met_hi = ends >= target - EPS
    increasing = ends[1] >= ends[0]
    fmt = (lambda v: f"{v:,.0f}") if kind == "count" else (
        (lambda v: f"{v:.1%}") if kind == "rate" else (lambda v: f"{v:,.1f}"))
    if current >= target - EPS:
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
        if supply(mid)[0] >= target - EPS:
            b = mid
        else:
            a = mid
    value = b
    if kind == "count":
        value = math.ceil(b - 1e-6) if b > a else math.floor(b + 1e-6)
        if supply(value)[0] < target - EPS:  # guard against the tolerance
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


