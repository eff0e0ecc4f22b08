"""Finance: the cost of a GP WTE by route, of each scenario's levers and of its gap."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.config import settings
from analysis.models.scenarios.params import ScenarioSet
from analysis.models.scenarios.supply import params_frame, run


def finance_defaults() -> dict[str, float]:
    """Cost rates used where a scenario file gives none (config ``scenarios: finance:``)."""
    return settings().scenarios.finance.model_dump()


def _fin(fin: Mapping[str, float] | None) -> dict[str, float]:
    return {**finance_defaults(), **(fin or {})}


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


