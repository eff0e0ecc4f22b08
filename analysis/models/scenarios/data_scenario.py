"""The scenario chapter for an area found in real files (``notebooks/08_data_scenario.ipynb``).

An area with no scenario file still has a scenario: its own baseline from the GP Workforce
*Practice Level - Detailed* release, the default rates of ``config/stockflow.yaml`` and a target
that moves with its registered population. The rules, each stated in the chapter:

* **Baseline GP FTE**: fully qualified GPs, training grade and locums excluded
  (``TOTAL_GP_EXTGL_FTE``, retainers included), summed over the area's practices (FTE adds
  across practices).
* **Age profile** (five-year bands, :data:`~analysis.models.scenarios.baseline.BANDS`): the
  release publishes FTE by age only for all GPs (``TOTAL_GP_FTE_<band>``, registrars and locums
  included) and headcount by age for fully qualified GPs (``TOTAL_GP_EXTGL_HC_<band>``). In each
  practice and band the fully qualified FTE is estimated as the band's FTE times the fully
  qualified share of the band's headcount (:func:`qualified_fte_by_band`); the estimates are
  summed over practices and scaled to the baseline FTE. 65-69 and 70+ make the model's 65+.
* **Staff mix**: the group FTE totals, GPs split into fully qualified, in training grade and
  locums.
* **Newly qualified GPs**: the area's GP registrars in their final training year (ST3 and ST4
  headcount, summed over practices) qualify each year.
* **Demand**: registered patients by age band from a Patients Registered quinary age file of
  the nearest month within ``real_inputs: max_months_apart`` of the release, else the release's
  own patients by age (``<SEX>_PATIENTS_<band>``; its 15-44 band split into 15-29 and 30-44 in
  England's proportion), else England shares. Each band consults at its own rate and grows at
  its own rate (``config/stockflow.yaml``).
* **Target**: the GP FTE that keeps today's FTE per 1,000 weighted patients (patients weighted
  by their age band's consultation rate, relative to England's mix), at the horizon of
  ``data_scenario: horizon_years``: the baseline times the growth of consultations.

:func:`load_data_scenario` returns a
:class:`~analysis.models.scenarios.chapter.ScenarioContext` (a :class:`DataScenarioContext`),
so the frames of :mod:`~analysis.models.scenarios.chapter` and the stock-flow sections of the
report work on it unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.io import catalogue as cat_io
from analysis.io.archive import pick
from analysis.io.gpw import is_detailed
from analysis.io.patients import read_patients_quinary
from analysis.io.readers import read_gpw_practice_csv
from analysis.models.scenarios import baseline as bl
from analysis.models.scenarios import stockflow as sf
from analysis.models.scenarios.chapter import ScenarioContext
from analysis.models.scenarios.params import (
    PARAMETERS,
    Dist,
    Scenario,
    ScenarioSet,
    add_years,
)
from analysis.tables import gp_practice
from analysis.tables.pcn import months_apart
from analysis.util.cache import cached_read
from analysis.util.errors import ConfigError, InputError

# The release's GP age bands (``TOTAL_GP_<measure>_<band>``) for each of the model's bands.
FILE_BANDS = {"Under 30": ("UNDER30",), "30-34": ("30TO34",), "35-39": ("35TO39",),
              "40-44": ("40TO44",), "45-49": ("45TO49",), "50-54": ("50TO54",),
              "55-59": ("55TO59",), "60-64": ("60TO64",), "65+": ("65TO69", "70PLUS"),
              bl.UNKNOWN: ("UNKNOWN_AGE",)}
# The release's registered-patient bands for each of the config's demand bands; 15-44 is split.
PATIENT_BANDS = {"0-14": ("0TO4", "5TO14"), "15-44": ("15TO44",), "45-64": ("45TO64",),
                 "65-74": ("65TO74",), "75-84": ("75TO84",), "85+": ("85PLUS",)}
BASELINE_COLUMN = "TOTAL_GP_EXTGL_FTE"
FINAL_YEAR = ("TOTAL_GP_TRN_GR_ST3_HC", "TOTAL_GP_TRN_GR_ST4_HC")
MIX = {"GPs, fully qualified (excluding locums)": "TOTAL_GP_EXTGL_FTE",
       "GP locums": None, "GPs in training grade": None,
       "Nurses": "TOTAL_NURSES_FTE", "Direct patient care": "TOTAL_DPC_FTE",
       "Admin and non-clinical": "TOTAL_ADMIN_FTE"}
BASIS = ("fully qualified GPs (training grade and locums excluded, retainers included: "
         "TOTAL_GP_EXTGL_FTE), FTE summed over the area's practices")
PROFILE_RULE = ("in each practice and band, the FTE of all GPs (TOTAL_GP_FTE by band) times the "
                "fully qualified share of the band's headcount (TOTAL_GP_EXTGL_HC over "
                "TOTAL_GP_HC by band), summed over practices and scaled to the baseline FTE; "
                "the release publishes FTE by age for all GPs only")
TARGET_RULE = ("the GP FTE that keeps today's FTE per 1,000 weighted patients (patients "
               "weighted by the consultation rate of their age band): the baseline times the "
               "growth of consultations with the registered population by age")
OLD_BASELINE = "TOTAL_GP_EXRRL_FTE"
OLD_BASIS = ("GPs excluding registrars, retainers and locums (TOTAL_GP_EXRRL_FTE: an older "
             "release has no fully qualified measure), FTE summed over the area's practices")
OLD_PROFILE_RULE = ("the FTE of all GPs by band (TOTAL_GP_FTE by band: this release has no "
                    "headcount of qualified GPs by age), summed over practices and scaled to "
                    "the baseline FTE")
TRAINEE_RULE = ("the area's GP registrars in their final training year (ST3 and ST4 "
                "headcount, summed over practices) qualify each year")


def gp_columns() -> list[str]:
    """The Detailed release's columns the chapter reads (current names), when there."""
    bands = [b for bs in FILE_BANDS.values() for b in bs]
    cols = [f"TOTAL_GP_{m}_{b}" for m in ("FTE", "HC", "EXTGL_HC") for b in bands]
    pats = [f"{s}_PATIENTS_{b}" for s in ("MALE", "FEMALE") for bs in PATIENT_BANDS.values()
            for b in bs]
    return ["TOTAL_PATIENTS", "TOTAL_GP_FTE", "TOTAL_GP_EXTG_FTE", BASELINE_COLUMN,
            "TOTAL_NURSES_FTE", "TOTAL_DPC_FTE", "TOTAL_ADMIN_FTE", *FINAL_YEAR, *cols, *pats]


def release_header(path) -> set[str]:
    """The upper-cased header of the Detailed CSV at ``path`` (or in its zip)."""
    return {h.strip().lstrip("\ufeff").upper()
            for h in pick(path, is_detailed, "GPW Practice Level - Detailed CSV").header}


def why_no_scenario(header: set[str]) -> str | None:
    """Why a Detailed release cannot give the scenario (None when it can): it needs GP FTE by
    age band and a GP baseline measure."""
    need = [f"TOTAL_GP_FTE_{c}" for cs in FILE_BANDS.values() for c in cs]
    missing = [c for c in need if c not in header]
    if missing:
        return f"the GP Workforce release has no GP FTE by age band ({missing[0]})"
    if BASELINE_COLUMN not in header and OLD_BASELINE not in header:
        return f"the GP Workforce release has neither {BASELINE_COLUMN} nor {OLD_BASELINE}"
    return None


@dataclass(frozen=True)
class DataDefaults:
    """``data_scenario:`` of ``config/stockflow.yaml``."""

    horizon_years: int
    name: str
    international_recruits_pa: float
    source: str
    local_share: float = 0.5
    local_share_low: float = 0.25
    local_share_high: float = 0.75
    local_share_source: str = ""


def load_defaults(path: str | Path | None = None) -> DataDefaults:
    """Read the ``data_scenario:`` section of ``config/stockflow.yaml`` (or ``path``).

    Raises
    ------
    ConfigError
        Naming the file and the key when a value is missing or out of range.
    """
    path = Path(path or sf.CONFIG)
    d = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("data_scenario")
    if not isinstance(d, dict):
        raise ConfigError(f"{path.name}: data_scenario: expected a section with horizon_years")
    h = d.get("horizon_years")
    if isinstance(h, bool) or not isinstance(h, int) or not 1 <= h <= 30:
        raise ConfigError(f"{path.name}: data_scenario.horizon_years: expected a whole number "
                          f"of years from 1 to 30, got {h!r}")
    intl = d.get("international_recruits_pa", 0)
    if isinstance(intl, bool) or not isinstance(intl, int | float) or intl < 0:
        raise ConfigError(f"{path.name}: data_scenario.international_recruits_pa: expected a "
                          f"number >= 0, got {intl!r}")
    local = d.get("local_share")
    if not isinstance(local, dict):
        raise ConfigError(f"{path.name}: data_scenario.local_share: expected a section with "
                          "value, low, high and source")
    shares = {}
    for key in ("value", "low", "high"):
        v = local.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise ConfigError(f"{path.name}: data_scenario.local_share.{key}: expected a "
                              f"share from 0 to 1, got {v!r}")
        shares[key] = float(v)
    if not shares["low"] <= shares["value"] <= shares["high"]:
        raise ConfigError(f"{path.name}: data_scenario.local_share: expected low <= value <= "
                          f"high, got {shares['low']}, {shares['value']}, {shares['high']}")
    return DataDefaults(h, str(d.get("name", "Data baseline at the default rates")),
                        float(intl), str(d.get("source", "")), shares["value"], shares["low"],
                        shares["high"], str(local.get("source", "")))


# -------------------------------------------------------------------------------------------
# Arithmetic on the release (pure functions of frames)
# -------------------------------------------------------------------------------------------


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A column as floats (missing values 0); zeros when the release has no such column."""
    if col not in frame.columns:
        return np.zeros(len(frame))
    return pd.to_numeric(frame[col], errors="coerce").astype("float64").fillna(0.0).to_numpy()


def band_sums(frame: pd.DataFrame, measure: str) -> pd.Series:
    """``TOTAL_GP_<measure>_<band>`` summed over practices, by the model's bands and Unknown."""
    return pd.Series({b: sum(_num(frame, f"TOTAL_GP_{measure}_{c}").sum() for c in cs)
                      for b, cs in FILE_BANDS.items()}, dtype=float)


def qualified_fte_by_band(frame: pd.DataFrame) -> pd.Series:
    """Fully qualified GP FTE by band, estimated as the module says (before scaling).

    For each practice and release band: ``TOTAL_GP_FTE_<b> * TOTAL_GP_EXTGL_HC_<b> /
    TOTAL_GP_HC_<b>`` (0 where the band has no GP), summed over practices and over the release
    bands that make one model band. A release with no ``TOTAL_GP_EXTGL_HC_<b>`` (older ones)
    counts every head of the band (the FTE of all GPs).
    """
    out = {}
    for b, cs in FILE_BANDS.items():
        total = 0.0
        for c in cs:
            fte, hc = _num(frame, f"TOTAL_GP_FTE_{c}"), _num(frame, f"TOTAL_GP_HC_{c}")
            fq = (_num(frame, f"TOTAL_GP_EXTGL_HC_{c}") if f"TOTAL_GP_EXTGL_HC_{c}" in frame
                  else hc)
            with np.errstate(divide="ignore", invalid="ignore"):
                total += float(np.where(hc > 0, fte * np.minimum(fq, hc) / hc, 0.0).sum())
        out[b] = total
    return pd.Series(out, dtype=float)


def release_baseline(frame: pd.DataFrame, period: str, source: str,
                     column: str = BASELINE_COLUMN) -> bl.DataBaseline:
    """The data's baseline (:class:`~analysis.models.scenarios.baseline.DataBaseline`) from the
    area's rows of a Detailed release: fully qualified GP FTE, its estimated profile by band
    scaled to it, the FTE aged 55 or over and the staff mix (``column``: the baseline measure;
    an older release's locums and registrars are one group, "other GPs")."""
    gp = float(_num(frame, column).sum())
    est = qualified_fte_by_band(frame)
    by_band = est * (gp / est.sum()) if est.sum() > 0 else est
    by_band.index.name = "age_band"
    all_gp, extg = float(_num(frame, "TOTAL_GP_FTE").sum()), float(
        _num(frame, "TOTAL_GP_EXTG_FTE").sum())
    mix = {}
    if column != BASELINE_COLUMN or "TOTAL_GP_EXTG_FTE" not in frame:
        mix = {"GPs excluding registrars, retainers and locums": gp,
               "Other GPs (registrars, retainers, locums)": max(all_gp - gp, 0.0),
               **{k: float(_num(frame, c).sum()) for k, c in MIX.items()
                  if c is not None and c != BASELINE_COLUMN}}
    for label, col in MIX.items() if not mix else ():
        if col is not None:
            mix[label] = float(_num(frame, col).sum())
        elif label == "GP locums":
            mix[label] = max(extg - gp, 0.0)
        else:
            mix[label] = max(all_gp - extg, 0.0)
    over55 = float(by_band.loc[list(bl.BANDS[bl.OVER55_FROM:])].sum())
    practices = tuple(sorted(frame["PRAC_CODE"].astype(str)))
    return bl.DataBaseline(period=period, source=source, gp_wte=gp, over55_wte=over55,
                           wte_by_band=by_band, staff_mix=pd.Series(mix, dtype=float),
                           practices=practices)


def release_patients(frame: pd.DataFrame, rates: sf.Rates) -> np.ndarray:
    """Registered patients by the config's demand bands from the release's own patients by age:
    its 15-44 band is split into 15-29 and 30-44 in the proportion of the England shares."""
    got = {b: sum(_num(frame, f"{s}_PATIENTS_{c}").sum() for s in ("MALE", "FEMALE")
                  for c in cs) for b, cs in PATIENT_BANDS.items()}
    bands = list(rates.demand_bands)
    young, mid = bands.index("15-29"), bands.index("30-44")
    share = rates.demand_share
    split = share[young] / (share[young] + share[mid])
    out = np.zeros(len(bands))
    for b, v in got.items():
        if b == "15-44":
            out[young], out[mid] = v * split, v * (1 - split)
        else:
            out[bands.index(b)] = v
    return out


def weighted_patients(patients: np.ndarray, rates: sf.Rates) -> float:
    """Patients weighted by their band's consultation rate relative to England's mix (the
    England-mix list of the same size weighs as many patients as it has)."""
    p = np.asarray(patients, dtype=float)
    england = float((rates.demand_share * rates.consultations).sum() / rates.demand_share.sum())
    return float((p * rates.consultations).sum() / england)


def target_at(baseline: float, years: int, patients: np.ndarray, rates: sf.Rates) -> float:
    """The target at ``years`` (:data:`TARGET_RULE`)."""
    f = sf.demand_factor(np.array([years]), patients, rates.consultations, rates.growth)
    return float(baseline * f[0])


# -------------------------------------------------------------------------------------------
# The chapter's context
# -------------------------------------------------------------------------------------------


@dataclass
class DataScenarioContext(ScenarioContext):
    """A :class:`ScenarioContext` for an area found in real files, with what the chapter says
    about its data."""

    area_label: str = ""
    period: str = ""
    files: dict = field(default_factory=dict)
    release: pd.DataFrame | None = None  # the area's rows of the release (gp_columns())
    fte_all_by_band: pd.Series | None = None
    hc_fq_by_band: pd.Series | None = None
    patients_total: float = 0.0
    weighted: float = 0.0
    trainees_pa: float = 0.0
    defaults: DataDefaults | None = None
    notes: list = field(default_factory=list)
    basis: str = BASIS
    profile_rule: str = PROFILE_RULE


def _quinary(cat: pd.DataFrame, period: str, max_months: int):
    rows = cat[(cat["kind"] == "patients_quinary") & cat["period"].notna()]
    if rows.empty:
        return None, None
    gap = rows["period"].map(lambda p: months_apart(p, period))
    row = rows.loc[gap.sort_values(kind="stable").index[0]]
    apart = months_apart(row["period"], period)
    if apart > max_months:
        return None, (f"the Patients Registered quinary age file ({row['period']}) is {apart} "
                      f"months from the release (more than {max_months}): not used")
    return row, None


def area_patients(cat, period, max_months, frame, practices, rates) -> tuple:
    """Patients by demand band, where they came from, and the file (or None)."""
    row, why = _quinary(cat, period, max_months)
    if row is not None:
        q = cached_read(row["path"], read_patients_quinary)
        try:
            pats = sf.patients_by_band(q, rates, practices)
        except ValueError as exc:
            why = f"the Patients Registered quinary age file: {exc}"
        else:
            return pats, (f"patients by five-year age band of the area's practices, Patients "
                          f"Registered at a GP Practice ({row['period']}, "
                          f"{Path(row['path']).name})"), Path(row["path"])
    pats = release_patients(frame, rates)
    lead = f"{why}; " if why else "no Patients Registered quinary age file; "
    if pats.sum() > 0:
        return pats, (lead + "patients by age band from the GP Workforce release itself (its "
                      "15-44 band split into 15-29 and 30-44 in England's proportion)"), None
    return None, lead + "no patients by age in the release: England shares by age (A40)", None


def unavailable(nhs_dir, period: str | None = None) -> str | None:
    """Why the folder gives no scenario (of ``period``), or None when it does."""
    row = gp_practice.release_row(cat_io.catalogue(nhs_dir), period)
    if row is None or row["kind"] != "gpw_detailed":
        return "no GP Workforce practice-level Detailed release (GPs by age band are only in it)"
    return why_no_scenario(release_header(row["path"]))


def load_data_scenario(area_text: str, nhs_dir, period: str | None = None, aliases=None,
                       clusters=None, max_months: int = 3, horizon_years: int | None = None,
                       draws: int = 10_000, seed: int = 0) -> DataScenarioContext | None:
    """The data's baseline and the stock-flow model for an area found in real files.

    Parameters
    ----------
    area_text, nhs_dir, period, aliases, clusters, max_months
        As for :func:`analysis.tables.gp_practice.load_context` (the same practices count).
    horizon_years : int, optional
        Default ``data_scenario: horizon_years`` of ``config/stockflow.yaml``.
    draws, seed : int
        Monte Carlo draws and seed.

    Returns
    -------
    DataScenarioContext or None
        None without a Detailed release (of ``period``): only it has GPs by age.

    Raises
    ------
    InputError
        The release has no GP age columns, or no fully qualified GP FTE in the area.
    """
    cat = cat_io.catalogue(nhs_dir)
    row = gp_practice.release_row(cat, period)
    if row is None or row["kind"] != "gpw_detailed":
        return None
    header = release_header(row["path"])
    why = why_no_scenario(header)
    if why:
        raise InputError(Path(row["path"]).name, why)
    gctx = gp_practice.load_context(area_text, nhs_dir, period, aliases, clusters, max_months)
    month = row["period"] if isinstance(row["period"], str) else None
    old = BASELINE_COLUMN not in header
    wanted = [c for c in gp_columns() if c in header]  # the reader renames old geography only
    column = OLD_BASELINE if old else BASELINE_COLUMN
    release = cached_read(row["path"], partial(read_gpw_practice_csv, columns=wanted,
                                               period=month),
                          version=f"data_scenario-{month}-{len(wanted)}")
    codes = set(gctx.by_practice["practice_code"])
    frame = release[release["PRAC_CODE"].isin(codes)].reset_index(drop=True)
    source = (f"GP Workforce Practice Level - Detailed, {gp_practice.month_name(gctx.period)}, "
              f"{len(frame)} practices")
    db = release_baseline(frame, gctx.period, source, column)
    if db.gp_wte <= 0:
        raise InputError(Path(row["path"]).name, f"{column}: no qualified GP FTE "
                         f"in the {len(frame)} practices of {gctx.area.label}")
    rates = sf.load_rates()
    defaults = load_defaults()
    h = int(horizon_years or defaults.horizon_years)
    pats, pnote, pfile = area_patients(cat, gctx.period, max_months, frame, sorted(codes),
                                       rates)
    start = gp_practice.snapshot_date(gctx.period).date()
    trainees_pa = float(sum(_num(frame, c).sum() for c in FINAL_YEAR))
    params = {k: p.default for k, p in PARAMETERS.items()}
    local = defaults.local_share
    params.update(baseline_wte=db.gp_wte, over55_wte=db.over55_wte,
                  trainees=trainees_pa * local * h,
                  international_recruits=defaults.international_recruits_pa * h)
    sources = {k: sf.NOT_SET for k in PARAMETERS}
    sources.update(baseline_wte=f"Data: {source}", over55_wte=f"Data: {source}",
                   trainees=f"Data: {TRAINEE_RULE}, {local:.0%} of them settling in the area "
                            f"(data_scenario.local_share: {defaults.local_share_source})")
    ranges = {}
    if local > 0:
        ranges["trainees"] = Dist("triangular", defaults.local_share_low / local,
                                  defaults.local_share_high / local, True,
                                  "data_scenario.local_share")
    scen = Scenario("data", defaults.name, "The data's baseline at the config's default rates",
                    params, sources, ranges)
    sset = ScenarioSet(path=Path(row["path"]), title=f"{gctx.area.label}: data scenario",
                       source=source, start=start, horizon_years=h,
                       horizon_label=str(add_years(start, h).year), rounding="none",
                       headline="data", solve_from="data", scenarios=(scen,), demand={},
                       stated=frozenset())
    ctx = DataScenarioContext(area=None, stp=None, sset=sset, draws=int(draws),
                              seed=int(seed), data=db, area_label=gctx.area.label,
                              period=gctx.period, release=frame, defaults=defaults,
                              fte_all_by_band=band_sums(frame, "FTE"),
                              hc_fq_by_band=band_sums(frame, "EXTGL_HC"),
                              trainees_pa=trainees_pa, notes=list(gctx.notes),
                              basis=OLD_BASIS if old else BASIS,
                              profile_rule=(OLD_PROFILE_RULE if "TOTAL_GP_EXTGL_HC_55TO59"
                                            not in header else PROFILE_RULE))
    ctx.files = {"GP Workforce practice level (Detailed)": Path(row["path"])}
    if pfile is not None:
        ctx.files["Patients Registered quinary age"] = pfile
    ctx.patients_note = pnote
    ctx.profile_note = f"estimated profile of the baseline's GP FTE ({ctx.profile_rule})"
    shares = bl.band_shares(db) if db.wte_by_band.loc[list(bl.BANDS)].sum() > 0 else \
        np.full(len(bl.BANDS), 1 / len(bl.BANDS))
    patients = rates.demand_share if pats is None else pats
    ctx.patients_total = float(_num(frame, "TOTAL_PATIENTS").sum())
    ctx.weighted = weighted_patients(patients * (ctx.patients_total / patients.sum()), rates)
    ctx.target = target_at(db.gp_wte, h, patients, rates)
    su = sf.setup(scen, shares, db.gp_wte, h, rates, patients, demand_anchor=0)
    ctx.stock, ctx.stock_horizon = su, h
    ctx.stock_run, ctx.stock_demand = sf.run_setup(su, h)
    ctx.stock_mc = sf.monte_carlo(su, h, ctx.draws, ctx.seed)
    ctx.stock_tornado = sf.tornado(su, h)
    ctx.stock_levers = {k: sf.solve_extra(su, h, k) for k in sf.SOLVE_LEVERS}
    return ctx


def baseline_table(ctx: DataScenarioContext) -> pd.DataFrame:
    """The data's figures the model starts from, each with its value."""
    db = ctx.data
    what = ("fully qualified, excluding locums" if ctx.basis == BASIS
            else "excluding registrars, retainers and locums")
    rows = [(f"Baseline GP FTE ({what})", db.gp_wte),
            ("GP FTE aged 55 or over (estimated profile)", db.over55_wte),
            ("Share of GP FTE aged 55 or over", db.over55_wte / db.gp_wte),
            ("Registered patients", ctx.patients_total),
            ("Weighted patients (consultation rates by age)", ctx.weighted),
            ("GP FTE per 1,000 registered patients", db.gp_wte / ctx.patients_total * 1000
             if ctx.patients_total else np.nan),
            ("GP FTE per 1,000 weighted patients", db.gp_wte / ctx.weighted * 1000
             if ctx.weighted else np.nan),
            ("Newly qualified GPs a year (final-year registrars, headcount)", ctx.trainees_pa),
            (f"Target GP FTE in {ctx.sset.horizon_label}", ctx.target)]
    return pd.DataFrame(rows, columns=["item", "value"])


def age_table(ctx: DataScenarioContext) -> pd.DataFrame:
    """By band: all-GP FTE and fully qualified headcount as published, the estimated fully
    qualified FTE (the model's start) and its share, and the FTE at the horizon."""
    est = ctx.data.wte_by_band
    known = est.loc[list(bl.BANDS)]
    end = ctx.stock_run["by_band"][0]
    return pd.DataFrame({
        "age_band": [*bl.BANDS, bl.UNKNOWN],
        "gp_fte_all": ctx.fte_all_by_band.reindex([*bl.BANDS, bl.UNKNOWN]).to_numpy(),
        "gp_hc_qualified": ctx.hc_fq_by_band.reindex([*bl.BANDS, bl.UNKNOWN]).to_numpy(),
        "gp_fte_qualified": est.reindex([*bl.BANDS, bl.UNKNOWN]).to_numpy(),
        "share": [*(known / known.sum()).to_numpy(), np.nan],
        "horizon_fte": [*end, np.nan]})


def demand_table(ctx: DataScenarioContext, horizons=(0, 3, 5)) -> pd.DataFrame:
    """Target GP FTE at a few horizons and the model's own (the rule: :data:`TARGET_RULE`)."""
    years = sorted({*horizons, ctx.stock_horizon})
    return pd.DataFrame({"years": years,
                         "date": [add_years(ctx.sset.start, y) for y in years],
                         "target_fte": [target_at(ctx.data.gp_wte, y, ctx.stock.patients,
                                                  ctx.stock.rates) for y in years]})


# -------------------------------------------------------------------------------------------
# Timing (make bench)
# -------------------------------------------------------------------------------------------


def bench(draws: int = 10_000, horizon: int = 5, repeats: int = 5) -> dict:
    """Time one stock-flow run and its correlated Monte Carlo of ``draws`` (best of
    ``repeats``) on a 100-FTE area with an even age profile and England's patients by age."""
    rates = sf.load_rates()
    params = {k: p.default for k, p in PARAMETERS.items()}
    params.update(baseline_wte=100.0, over55_wte=20.0, trainees=3.0 * horizon)
    scen = Scenario("bench", "bench", "", params, {k: sf.NOT_SET for k in PARAMETERS}, {})
    shares = np.full(len(bl.BANDS), 1 / len(bl.BANDS))
    su = sf.setup(scen, shares, 100.0, horizon, rates, demand_anchor=0)

    def best(fn) -> float:
        out = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
        return min(out)

    return {"draws": draws, "one_s": best(lambda: sf.run_setup(su, horizon)),
            "mc_s": best(lambda: sf.monte_carlo(su, horizon, draws, 1))}


def bench_text(b: dict) -> str:
    """The ``make bench`` line of :func:`bench`."""
    return (f"stock-flow model by age band: one run {b['one_s'] * 1000:.2f} ms; "
            f"{b['draws']:,} correlated Monte Carlo draws {b['mc_s'] * 1000:.1f} ms")
