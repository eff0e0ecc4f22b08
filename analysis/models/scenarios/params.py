"""Scenario parameters and scenario files as data: :class:`Param`, :class:`Dist`,
:class:`Scenario`, :class:`ScenarioSet`.

:data:`PARAMETERS` lists every parameter of the supply model with its reader label, its domain
and its default; :data:`COMPONENTS` the leavers and joiners the model reports. A scenario file is
read into a :class:`ScenarioSet` by :func:`analysis.models.scenarios.loader.load_scenario_file`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np


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
    "over55_cohort_share": Param("Share of the starting over-55 WTE retiring within the "
                                 "horizon", "rate", 0.0),
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
# Convenience input: the share of over-55s who retire within the horizon (HEE style). It is a
# cohort assumption: the loader sets over55_cohort_share, which removes that share of the
# over-55 WTE at the start (not of whoever is over 55 later) evenly over the horizon, in both
# modes ("all over-55s retire within four years" removes all 196 in four years).
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
EPS = 1e-9



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
    # Baseline parameters typed in the file (stated overrides of the data's figures).
    stated: frozenset = frozenset({"baseline_wte", "over55_wte"})

    @property
    def end(self) -> dt.date:
        """Horizon date: the start plus ``horizon_years``."""
        return add_years(self.start, self.horizon_years)

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
            # A cohort share "within the horizon" is pro rata too, never above the whole cohort.
            params["over55_cohort_share"] = min(params["over55_cohort_share"] * f, 1.0)
            scen.append(Scenario(s.id, s.name, s.description, params, s.sources,
                                 s.uncertainty, {}))
        return replace(self, horizon_years=h, horizon_label=str(add_years(self.start, h).year),
                       scenarios=tuple(scen))


def add_years(d: dt.date, years: int) -> dt.date:
    """``d`` plus whole years (29 February becomes 28 February in a common year)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)

