"""Sensitivity (tornado) and seeded, vectorised Monte Carlo; the Monte Carlo benchmark.

:func:`bench` times 10,000 draws against one deterministic run (``python -m analysis bench
--only scenarios``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import settings
from analysis.models.scenarios.demand import target_wte
from analysis.models.scenarios.loader import load_scenario_file
from analysis.models.scenarios.params import (
    EPS,
    PARAMETERS,
    Dist,
    _clip_domain,
)
from analysis.models.scenarios.supply import project


def default_spread_setting() -> float:
    """The tornado range (+/- share of a value) for parameters without an uncertainty entry
    (config ``scenarios: tornado_spread``)."""
    return settings().scenarios.tornado_spread


def tornado(params: Mapping[str, float], uncertainty: Mapping[str, Dist], horizon_years: int,
            mode: str = "annual", rounding: str = "none",
            default_spread: float | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity of the horizon supply to every parameter.

    Each parameter is set to its low and then its high value (from ``uncertainty``, or
    +/- ``default_spread`` of its value when it has no entry; default :func:`default_spread`)
    with the others at the scenario values. All 2 x P runs are one vectorised :func:`project`
    call.

    Returns
    -------
    DataFrame
        ``parameter``, ``label``, ``value``, ``low``, ``high``, ``position_low``,
        ``position_high``, ``swing`` (absolute difference), ``range_source``; sorted by swing,
        largest first. ``base_position`` is in ``attrs``.
    """
    if default_spread is None:
        default_spread = default_spread_setting()
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
        return float(np.mean(self.position >= self.target - EPS))

    @property
    def median(self) -> float:
        """Median horizon supply over the draws."""
        return float(np.median(self.position))

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (0-100) of the horizon supply over the draws."""
        return float(np.percentile(self.position, q))

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





def bench(path: str | Path | None = None, draws: int = 10_000, repeats: int = 20) -> dict:
    """Time ``draws`` Monte Carlo draws against one deterministic run (best of ``repeats``).

    Parameters
    ----------
    path : str or Path, optional
        Scenario file (default ``scenarios/llr.yaml``); its headline scenario is timed.
    draws : int
        Monte Carlo draws.
    repeats : int
        Each timing is the best of this many runs.

    Returns
    -------
    dict
        ``file``, ``draws``, ``deterministic_s``, ``monte_carlo_s`` (seconds) and ``ratio``.
    """
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


def bench_text(result: dict) -> str:
    """One line stating a :func:`bench` result (what ``make bench`` prints)."""
    b = result
    return (f"{b['draws']:,} Monte Carlo draws: {b['monte_carlo_s'] * 1000:.2f} ms; one "
            f"deterministic run: {b['deterministic_s'] * 1000:.3f} ms; ratio {b['ratio']:.0f}x "
            f"({b['ratio'] / b['draws']:.3f} deterministic runs per draw)")
