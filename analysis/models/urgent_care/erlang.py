"""Staffing by Erlang C: the GP-suitable demand of each setting and the clinicians it needs.

Erlang C is computed through the Erlang B recursion (no factorials), vectorised over hours
(:func:`erlang_c`, :func:`servers_needed`); :func:`setting_demand` lays each setting's
GP-suitable arrivals across the week and :func:`setting_staffing` turns them into clinicians per
hour of week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io.urgent_care import DAY_SHORT, HOURS_PER_WEEK
from analysis.models.urgent_care.profiles import (
    SETTINGS,
    case_period,
    flow_mask,
    hours_label,
    open_mask,
    week_grid,
    weekday_counts,
)


@dataclass(frozen=True)
class SettingParams:
    """Erlang C inputs for one setting.

    Attributes
    ----------
    aht_minutes : float
        Mean handling time per patient (clinical contact plus wrap-up).
    target_minutes : float
        Time within which a patient should be seen or called back.
    service_level : float
        Share of patients to reach within the target (0-1).
    open_hours : tuple of int
        Daily opening hours [start, end); (0, 24) for a 24-hour service; end above 24 runs
        past midnight. Set from ``urgent_care: setting_hours:`` in the config, the one
        definition the staffing model and the job plans share.
    """

    aht_minutes: float
    target_minutes: float
    service_level: float
    open_hours: tuple[int, int] = (0, 24)


DEFAULT_SETTING_PARAMS = {
    "iucs": SettingParams(aht_minutes=15.0, target_minutes=20.0, service_level=0.8),
    "ed": SettingParams(aht_minutes=15.0, target_minutes=60.0, service_level=0.9,
                        open_hours=(8, 26)),
    "frailty": SettingParams(aht_minutes=45.0, target_minutes=120.0, service_level=0.9,
                             open_hours=(8, 20)),
    "paediatrics": SettingParams(aht_minutes=20.0, target_minutes=60.0, service_level=0.9,
                                 open_hours=(8, 22)),
}


@dataclass(frozen=True)
class StaffingParams:
    """Staffing assumptions shared by every setting (see docs/urgent_care_data.md).

    Attributes
    ----------
    shrinkage : float
        Share of paid clinician time not available for patients (leave, training, breaks).
    max_occupancy : float
        Highest share of available time a clinician may spend with patients.
    plan_percentile : float
        Staff for a busy week: the mean week scaled up to this percentile of weekly totals.
    ed_gp_share : float
        Share of walk-in A&E attendances suitable for a GP (GP streaming).
    ed_scale : float or None
        Local share of England's A&E attendances; None = the area's share of England's 111
        calls.
    """

    shrinkage: float = 0.30
    max_occupancy: float = 0.85
    plan_percentile: float = 80.0
    ed_gp_share: float = 0.15
    ed_scale: float | None = None
    settings: dict = field(default_factory=lambda: dict(DEFAULT_SETTING_PARAMS))


def setting_demand(cases: pd.DataFrame | None, ecds: pd.DataFrame | None,
                   params: StaffingParams, ed_scale: float | None = None, start=None, end=None,
                   stat: str = "plan") -> pd.DataFrame:
    """GP-suitable arrivals per hour for each setting, by hour of week (168 rows).

    * IUCS: cases assessed by a clinician (the clinical assessment service's work).
    * ED: walk-in A&E arrivals (ECDS, England) x ``ed_gp_share`` x the local scale, per week.
    * Frailty / paediatrics: 111 cases in the frailty (75+) and paediatrics (<16) flows.

    ``stat='mean'`` gives the mean week. ``stat='plan'`` gives a busy week: the mean week
    scaled by the ratio of the ``plan_percentile`` of weekly totals to their mean. (Hour-by-hour
    percentiles of sparse flows are whole numbers of patients, mostly 0 or 1, and would make a
    jagged, misleading rota.) ECDS has only annual totals per hour of week, so ED is always the
    mean week.
    """
    out = pd.DataFrame(index=pd.RangeIndex(HOURS_PER_WEEK, name="how"))

    def summarise(mask):
        grid, weeks = week_grid(cases.loc[mask, "call_start"], None, start, end)
        if not len(weeks):
            return np.full(HOURS_PER_WEEK, np.nan)
        mean = grid.mean(axis=0)
        if stat == "mean":
            return mean
        totals = grid.sum(axis=1)
        ratio = np.percentile(totals, params.plan_percentile) / totals.mean() \
            if totals.mean() > 0 else 1.0
        return mean * ratio

    if cases is not None and len(cases):
        if start is None or end is None:
            s, e = case_period(cases)
            start, end = start or s, end or e
        out["iucs"] = summarise(cases["clinician_assessed"])
    else:
        out["iucs"] = np.nan
    if ecds is not None and ed_scale:
        fy = ecds.attrs.get("financial_year") or "2024-25"
        y = int(fy[:4])
        per_day = weekday_counts(f"{y}-04-01", f"{y + 1}-03-31")
        walk = ecds.sort_values("how")["walk_in"].to_numpy(dtype=float)
        out["ed"] = walk / np.repeat(per_day, 24) * params.ed_gp_share * ed_scale
    else:
        out["ed"] = np.nan
    for f in ("frailty", "paediatrics"):
        out[f] = summarise(flow_mask(cases, f)) if cases is not None and len(cases) else np.nan
    return out


# =============================================================================================
# Erlang B / Erlang C
# =============================================================================================
def erlang_b_table(load, n_max: int) -> np.ndarray:
    """Erlang B blocking for 0..n_max servers, by the stable recursion.

    ``B(0) = 1``, ``B(n) = a B(n-1) / (n + a B(n-1))``. Returns shape ``(n_max + 1, *a.shape)``.
    """
    a = np.asarray(load, dtype=float)
    out = np.empty((n_max + 1,) + a.shape)
    b = np.ones_like(a)
    out[0] = b
    for n in range(1, n_max + 1):
        b = a * b / (n + a * b)
        out[n] = b
    return out


def erlang_c(servers, load) -> np.ndarray:
    """Probability that an arrival waits (M/M/n), elementwise; 1 where ``servers <= load``.

    Computed from Erlang B: ``C = n B / (n - a (1 - B))``.
    """
    n = np.asarray(servers, dtype=float)
    a = np.asarray(load, dtype=float)
    n, a = np.broadcast_arrays(n, a)
    if np.any(n < 0) or np.any(a < 0) or np.any(n != np.round(n)):
        raise ValueError("servers must be whole numbers >= 0 and load >= 0")
    n_int = n.astype(int)
    table = erlang_b_table(a, int(n_int.max()) if n_int.size else 0)
    b = np.take_along_axis(table, n_int[None, ...], axis=0)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1 - b))
    c = np.where(n > a, c, 1.0)
    c = np.where(a == 0, 0.0, c)
    return np.clip(c, 0.0, 1.0)


def service_level(servers, load, aht, target) -> np.ndarray:
    """Share answered within ``target``: ``1 - C exp(-(n - a) target / aht)`` (0 if n <= a)."""
    n = np.asarray(servers, dtype=float)
    a = np.asarray(load, dtype=float)
    c = erlang_c(n, a)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1 - c * np.exp(-(n - a) * np.asarray(target, float) / np.asarray(aht, float))
    sl = np.where(n > a, sl, 0.0)
    return np.where(np.asarray(a) == 0, 1.0, sl)


def servers_needed(arrivals_per_hour, aht_minutes, target_minutes, service_level_target,
                   max_occupancy: float = 1.0, n_cap: int | None = None) -> np.ndarray:
    """Fewest servers meeting the service level and the occupancy cap, for each arrival rate.

    Vectorised over ``arrivals_per_hour``: one Erlang B recursion serves every hour. Zero
    arrivals need zero servers.
    """
    lam = np.nan_to_num(np.asarray(arrivals_per_hour, dtype=float))
    if np.any(lam < 0):
        raise ValueError("arrival rates must be >= 0")
    if not 0 < service_level_target < 1 or not 0 < max_occupancy <= 1:
        raise ValueError("service level must be in (0, 1) and occupancy in (0, 1]")
    a = lam * aht_minutes / 60.0
    if n_cap is None:
        top = float(a.max()) if a.size else 0.0
        n_cap = int(math.ceil(top / max_occupancy + 10 * math.sqrt(top) + 25))
    need = np.where(a == 0, 0, -1).astype(int)
    b = np.ones_like(a)
    for n in range(1, n_cap + 1):
        b = a * b / (n + a * b)
        todo = need < 0
        if not todo.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            c = n * b / (n - a * (1 - b))
            sl = 1 - c * np.exp(-(n - a) * target_minutes / aht_minutes)
        ok = todo & (n > a) & (sl >= service_level_target) & (a / n <= max_occupancy + 1e-12)
        need[ok] = n
    if (need < 0).any():
        raise ValueError("no staffing level up to n_cap meets the target")
    return need


def setting_staffing(demand: pd.DataFrame, params: StaffingParams) -> pd.DataFrame:
    """Clinicians needed per hour of week in each setting (Erlang C), and rostered clinicians.

    Returns a long table: ``how, setting, arrivals, load, servers, occupancy, service_level,
    rostered`` (servers / (1 - shrinkage)). Hours outside a setting's opening hours need none.
    """
    rows = []
    for s in SETTINGS:
        if s not in demand or demand[s].isna().all():
            continue
        p = params.settings[s]
        lam = demand[s].fillna(0).to_numpy(dtype=float)
        lam = np.where(open_mask(p.open_hours), lam, 0.0)
        n = servers_needed(lam, p.aht_minutes, p.target_minutes, p.service_level,
                           params.max_occupancy)
        a = lam * p.aht_minutes / 60
        with np.errstate(divide="ignore", invalid="ignore"):
            occ = np.where(n > 0, a / np.maximum(n, 1), np.nan)
        sl = np.where(n > 0, service_level(n, a, p.aht_minutes, p.target_minutes), np.nan)
        rows.append(pd.DataFrame({"how": np.arange(HOURS_PER_WEEK), "setting": s,
                                  "arrivals": lam, "load": a, "servers": n, "occupancy": occ,
                                  "service_level": sl,
                                  "rostered": n / (1 - params.shrinkage)}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["how", "setting", "arrivals", "load", "servers", "occupancy", "service_level",
                 "rostered"])


def staffing_summary(staff: pd.DataFrame) -> pd.DataFrame:
    """Per setting: clinician hours per week (on duty and rostered), peak clinicians, hours."""
    if staff.empty:
        return pd.DataFrame(columns=["setting", "arrivals_per_week", "clinician_hours",
                                     "rostered_hours", "peak_clinicians", "hours_staffed"])
    g = staff.groupby("setting", sort=False)
    out = pd.DataFrame({"arrivals_per_week": g["arrivals"].sum(),
                        "clinician_hours": g["servers"].sum(),
                        "rostered_hours": g["rostered"].sum(),
                        "peak_clinicians": g["servers"].max(),
                        "hours_staffed": g["servers"].apply(lambda s: int((s > 0).sum()))})
    return out.reset_index()


def staffing_parameters(params: StaffingParams, staff: pd.DataFrame) -> pd.DataFrame:
    """Erlang C inputs of the settings that have demand, one row each (as the report shows)."""
    used = set(staff["setting"])
    return pd.DataFrame([{"setting": SETTINGS[s], "aht_minutes": p.aht_minutes,
                          "target_minutes": p.target_minutes, "service_level": p.service_level,
                          "open": hours_label(p.open_hours)}
                         for s, p in params.settings.items() if s in used])


def clinicians_by_hour(staff: pd.DataFrame) -> pd.DataFrame:
    """:func:`setting_staffing` with the day and hour of each hour of week."""
    by_hour = staff.assign(day=[DAY_SHORT[x // 24] for x in staff["how"]],
                           hour=staff["how"] % 24)
    return by_hour[["setting", "day", "hour", "arrivals", "load", "servers", "occupancy",
                    "service_level", "rostered"]]


def workload(demand: pd.DataFrame, params: StaffingParams) -> pd.DataFrame:
    """GP-suitable workload in clinician-hours per hour (arrivals x handling time), within each
    setting's opening hours: comparable across settings. Settings without demand are left out.
    """
    out = pd.DataFrame(index=demand.index)
    for s, p in params.settings.items():
        if s in demand and demand[s].notna().any():
            out[s] = np.where(open_mask(p.open_hours),
                              demand[s].fillna(0) * p.aht_minutes / 60, 0.0)
    return out


def need_by_setting(staff: pd.DataFrame) -> pd.DataFrame:
    """Clinicians required on duty (Erlang C servers) by hour of week, one column per setting
    (168 rows): the need the job plans are placed on and scored against."""
    if staff.empty:
        return pd.DataFrame(index=pd.RangeIndex(HOURS_PER_WEEK, name="how"))
    wide = staff.pivot(index="how", columns="setting", values="servers").astype(float)
    wide = wide.reindex(pd.RangeIndex(HOURS_PER_WEEK, name="how"))
    return wide[[s for s in SETTINGS if s in wide.columns]].rename_axis(columns=None)


def floor_summary(staff: pd.DataFrame) -> pd.DataFrame:
    """Where the floor of one clinician in every open hour with any demand drives the need.

    Erlang C needs at least one server wherever a patient may arrive, however few. Per
    setting: hours of the week with demand, hours at the floor (one clinician on duty), the
    clinician-hours on duty, the clinician-hours the workload fills in the floor hours
    (arrivals x handling time) and the clinician-hours the floor adds (on duty minus
    workload in those hours), with its share of the setting's clinician-hours.
    """
    cols = ["setting", "hours_with_demand", "floor_hours", "clinician_hours",
            "floor_workload_hours", "floor_added_hours", "floor_added_share"]
    if staff.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for s, g in staff.groupby("setting", sort=False):
        at_floor = g["servers"] == 1
        total = float(g["servers"].sum())
        added = float((1 - g.loc[at_floor, "load"]).sum())
        rows.append({"setting": s, "hours_with_demand": int((g["servers"] > 0).sum()),
                     "floor_hours": int(at_floor.sum()), "clinician_hours": total,
                     "floor_workload_hours": float(g.loc[at_floor, "load"].sum()),
                     "floor_added_hours": added,
                     "floor_added_share": added / total if total > 0 else math.nan})
    return pd.DataFrame(rows, columns=cols)
