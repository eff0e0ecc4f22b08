"""Stock-flow model of GP WTE by five-year age band, with demand that grows with the list.

Each year, for every band (:data:`~analysis.models.scenarios.baseline.BANDS`): GPs leave at the
band's leaver rate and retire at its retirement rate, a fifth of each band ages into the next,
and joiners arrive: newly qualified GPs (the share working as fully qualified NHS GPs within 12
months in their first year, within 24 months by their second, at the FTE they work),
international recruits, returners, and role substitution by ARRS staff net of the GP supervision
time they take. A cohort assumption ("all over-55s retire within four years") removes that
share of the over-55 WTE at the start, evenly over the horizon, whatever else happens.

Rates and their sources are in ``config/stockflow.yaml``; a scenario's own levels win where it
states them (its session loss rate sets the average leaver rate at the baseline, its over-55
loss rate the average retirement rate of the 55+ bands; the config gives the shape by age).

Demand at year ``t`` is the scenario file's target scaled by the growth of consultations: the
registered patients by age band grow at their own rates and consult at their own rates, so the
target moves with the horizon and equals the file's target at the file's own horizon.

Every function takes arrays of draws (shape (n,)), so one call runs one scenario, a tornado or
10,000 correlated Monte Carlo draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.config import ROOT
from analysis.models.scenarios.baseline import BANDS, OVER55_FROM
from analysis.models.scenarios.params import EPS, PARAMETERS
from analysis.util.errors import ConfigError

CONFIG = ROOT / "config" / "stockflow.yaml"
FLOWS = ("leavers", "retirements", "cohort_retirements", "trainees", "international",
         "returners", "role_substitution", "other")
FLOW_LABELS = {
    "leavers": "Leavers (other than retirement)",
    "retirements": "Retirements by age",
    "cohort_retirements": "Over-55s retiring (cohort assumption)",
    "trainees": "Newly qualified GPs working in NHS general practice",
    "international": "International recruits",
    "returners": "Returners",
    "role_substitution": "Role substitution net of GP supervision time",
    "other": "Other joiners, net",
}
NOT_SET = "Not set: default"


@dataclass(frozen=True)
class Rates:
    """The stock-flow rates of ``config/stockflow.yaml`` as arrays, with their sources."""

    leaver: np.ndarray
    retirement: np.ndarray
    share_6m: float
    share_12m: float
    share_24m: float
    fte_trainee: float
    fte_international: float
    returner_rate: float
    supervision_hours: float
    gp_hours: float
    entry: dict
    demand_share: np.ndarray
    consultations: np.ndarray
    growth: np.ndarray
    demand_bands: tuple
    uncertainty: dict
    sources: dict


def _val(raw, path: Path, key: str) -> float:
    v = raw.get("value") if isinstance(raw, dict) else raw
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ConfigError(f"{path.name}: {key}: expected a number, got {v!r}")
    return float(v)


def _vec(raw, path: Path, key: str, n: int) -> np.ndarray:
    vals = (raw or {}).get("values")
    if not isinstance(vals, list) or len(vals) != n:
        raise ConfigError(f"{path.name}: {key}.values: expected {n} numbers, got {vals!r}")
    return np.asarray([_val(v, path, key) for v in vals], dtype=float)


def load_rates(path: str | Path | None = None) -> Rates:
    """Read ``config/stockflow.yaml`` (or ``path``) into :class:`Rates`.

    Raises
    ------
    ConfigError
        Naming the file and the key when a value is missing or not a number.
    """
    path = Path(path or CONFIG)
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    if list(d.get("bands", [])) != list(BANDS):
        raise ConfigError(f"{path.name}: bands: expected {list(BANDS)}")
    nb = len(BANDS)
    dem = d["demand"]
    nd = len(dem["bands"])
    p, i, rt, rs = d["pipeline"], d["international"], d["returners"], d["role_substitution"]
    entry = {k: BANDS.index(v["entry_band"]) for k, v in
             (("trainees", p), ("international", i), ("returners", rt))}
    src = {"leaver_rate_pa": d["leaver_rate_pa"]["source"],
           "retirement_rate_pa": d["retirement_rate_pa"]["source"],
           "consultations": dem["consultations_per_person_pa"]["source"],
           "growth": dem["growth_pa"]["source"], "england_share": dem["england_share"]["source"],
           "uncertainty": d["uncertainty"].get("source", "")}
    for k, v in [*p.items(), *i.items(), *rt.items(), *rs.items()]:
        if isinstance(v, dict):
            src[k] = v.get("source", "")
    return Rates(
        leaver=_vec(d["leaver_rate_pa"], path, "leaver_rate_pa", nb),
        retirement=_vec(d["retirement_rate_pa"], path, "retirement_rate_pa", nb),
        share_6m=_val(p["share_working_6m"], path, "pipeline.share_working_6m"),
        share_12m=_val(p["share_working_12m"], path, "pipeline.share_working_12m"),
        share_24m=_val(p["share_working_24m"], path, "pipeline.share_working_24m"),
        fte_trainee=_val(p["fte_per_head"], path, "pipeline.fte_per_head"),
        fte_international=_val(i["fte_per_head"], path, "international.fte_per_head"),
        returner_rate=_val(rt["rate_pa"], path, "returners.rate_pa"),
        supervision_hours=_val(rs["supervision_hours_per_staff_week"], path,
                               "role_substitution.supervision_hours_per_staff_week"),
        gp_hours=_val(rs["gp_hours_per_wte_week"], path,
                      "role_substitution.gp_hours_per_wte_week"),
        entry=entry,
        demand_share=_vec(dem["england_share"], path, "demand.england_share", nd),
        consultations=_vec(dem["consultations_per_person_pa"], path,
                           "demand.consultations_per_person_pa", nd),
        growth=_vec(dem["growth_pa"], path, "demand.growth_pa", nd),
        demand_bands=tuple(dem["bands"]), uncertainty=dict(d["uncertainty"]), sources=src)


# -------------------------------------------------------------------------------------------
# Demand
# -------------------------------------------------------------------------------------------


def patients_by_band(quinary: pd.DataFrame, rates: Rates,
                     practice_codes=None) -> np.ndarray:
    """Registered patients by the config's demand bands from a patients-by-age file.

    Parameters
    ----------
    quinary : DataFrame
        From :func:`analysis.io.patients.read_patients_quinary` (``practice_code, sex,
        age_band ('0_4' ... '95+'), patients``).
    rates : Rates
        Gives the demand bands ('0-14', ..., '85+').
    practice_codes : iterable of str, optional
        The area's practices (all rows when None).

    Raises
    ------
    ValueError
        When an age band cannot be read or no practice of the area is in the file.
    """
    q = quinary
    if practice_codes is not None:
        q = q[q["practice_code"].isin(set(practice_codes))]
        if q.empty:
            raise ValueError("none of the area's practices is in the patients-by-age file")
    lower = q["age_band"].astype(str).str.extract(r"^(\d+)")[0]
    if lower.isna().any():
        bad = q.loc[lower.isna(), "age_band"].iloc[0]
        raise ValueError(f"age band {bad!r} is not 'N_M' or 'N+'")
    starts = [int(b.split("-")[0].rstrip("+")) for b in rates.demand_bands]
    idx = np.searchsorted(np.asarray(starts), lower.astype(int).to_numpy(), side="right") - 1
    return np.bincount(idx, weights=q["patients"].to_numpy(dtype=float),
                       minlength=len(starts))


def demand_factor(years, patients: np.ndarray, consultations: np.ndarray,
                  growth: np.ndarray) -> np.ndarray:
    """Consultations at ``years`` over consultations now (1.0 = no growth).

    ``patients``, ``consultations`` and ``growth`` are by age band (last axis); ``growth`` may
    carry a leading axis of draws. Each band grows by ``(1 + growth) ** years``.
    """
    w = np.asarray(patients, dtype=float) * np.asarray(consultations, dtype=float)
    g = np.asarray(growth, dtype=float)
    t = np.asarray(years, dtype=float)
    grown = (w * (1 + g)[..., None, :] ** t[:, None]) if g.ndim > 1 else (
        w * (1 + g) ** t[:, None])
    return grown.sum(axis=-1) / w.sum()


def demand_path(target: float, file_horizon: int, horizon: int, patients: np.ndarray,
                rates: Rates, growth: np.ndarray | None = None) -> np.ndarray:
    """Demand (GP WTE) at each year 0..``horizon``: the file's target at its own horizon,
    moved by the growth of consultations. Shape (horizon + 1,), or (n, horizon + 1) when
    ``growth`` has draws."""
    g = rates.growth if growth is None else growth
    years = np.arange(horizon + 1)
    f = demand_factor(years, patients, rates.consultations, g)
    at_file = demand_factor(np.array([file_horizon]), patients, rates.consultations, g)
    return target * f / at_file[..., :1]


# -------------------------------------------------------------------------------------------
# Supply
# -------------------------------------------------------------------------------------------


def _p(params: Mapping, name: str, n: int) -> np.ndarray:
    v = params.get(name)
    v = (PARAMETERS[name].default if name in PARAMETERS else 1.0) if v is None else v
    return np.broadcast_to(np.asarray(v, dtype=float), (n,)).astype(float)


def scaled_rates(params: Mapping, sources: Mapping, shares: np.ndarray, rates: Rates
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Leaver and retirement rates by band for a scenario: the config's shape at the scenario's
    level where the scenario states one (its sources say whether it does)."""
    leaver, retire = rates.leaver.copy(), rates.retirement.copy()
    if sources.get("session_loss_rate_pa", NOT_SET) != NOT_SET:
        avg = float((shares * leaver).sum())
        level = float(params["session_loss_rate_pa"])
        leaver = leaver * (level / avg) if avg > 0 else np.full_like(leaver, level)
    if sources.get("over55_loss_rate_pa", NOT_SET) != NOT_SET or \
            sources.get("over55_cohort_share", NOT_SET) != NOT_SET:
        # The scenario's over-55 figures are its whole retirement assumption: the 55+ bands
        # retire at its level (the config's shape by age), the younger bands do not retire.
        old = shares[OVER55_FROM:]
        avg = float((old * retire[OVER55_FROM:]).sum() / max(old.sum(), EPS))
        level = float(params["over55_loss_rate_pa"])
        retire[OVER55_FROM:] = (retire[OVER55_FROM:] * (level / avg) if avg > 0
                                else level)
        retire[:OVER55_FROM] = 0.0
    return leaver, retire


def simulate(params: Mapping, shares: np.ndarray, horizon: int, rates: Rates,
             leaver: np.ndarray, retirement: np.ndarray, *, n: int = 1,
             leaver_mult=1.0, retirement_mult=1.0, share_mult=1.0, fte_mult=1.0,
             file_horizon: int | None = None) -> dict[str, np.ndarray]:
    """Run the stock-flow model for ``n`` draws.

    Parameters
    ----------
    params : mapping
        Scenario parameters (:data:`PARAMETERS`); scalars or arrays of shape (n,). Flows over
        the horizon (trainees, international recruits, other joiners) arrive evenly each year.
        ``returners_included`` (default 1) is 0 where the scenario's other joiners already
        hold the returners (:func:`setup`).
    shares : ndarray
        Baseline GP WTE share by band (adds to 1): the data's age profile.
    horizon : int
        Years to run.
    rates : Rates
    leaver, retirement : ndarray
        Yearly rates by band (:func:`scaled_rates`).
    n : int
        Draws.
    leaver_mult, retirement_mult : float or ndarray
        Multipliers of the rates: scalars, (n,) or (n, bands) (Monte Carlo).
    share_mult, fte_mult : float or ndarray
        Multipliers of the share of newly qualified GPs working and of the FTE they work.
    file_horizon : int, optional
        The horizon the scenario's flows are stated over (default ``horizon``).

    Returns
    -------
    dict of ndarray
        ``path`` (n, horizon + 1), ``position`` (n,), ``by_band`` (n, bands) at the horizon,
        each of :data:`FLOWS` (n,; losses negative) and ``baseline`` (n,).
    """
    h, fh = int(horizon), int(file_horizon or horizon)
    base = _p(params, "baseline_wte", n)
    over55 = np.minimum(_p(params, "over55_wte", n), base)
    cohort_share = np.minimum(_p(params, "over55_cohort_share", n), 1.0)
    stock = base[:, None] * np.asarray(shares, dtype=float)[None, :]
    old = stock[:, OVER55_FROM:].sum(axis=1)
    # The data's profile is scaled so the 55+ bands hold the stated over-55 WTE.
    with np.errstate(divide="ignore", invalid="ignore"):
        k_old = np.where(old > 0, over55 / old, 0.0)
        young = base - old
        k_young = np.where(young > 0, (base - over55) / young, 0.0)
    stock[:, OVER55_FROM:] *= k_old[:, None]
    stock[:, :OVER55_FROM] *= k_young[:, None]
    # The cohort assumption applies to the starting over-55s: held apart from the bands.
    cohort = (stock[:, OVER55_FROM:].sum(axis=1) * (cohort_share > 0))
    stock[:, OVER55_FROM:] *= np.where(cohort_share > 0, 0.0, 1.0)[:, None]
    cohort_pa = cohort * cohort_share / fh
    lv = np.broadcast_to(leaver * np.asarray(leaver_mult, dtype=float)[..., None]
                         if np.ndim(leaver_mult) == 1 else leaver * leaver_mult,
                         stock.shape)
    rt = np.broadcast_to(retirement * np.asarray(retirement_mult, dtype=float)[..., None]
                         if np.ndim(retirement_mult) == 1 else retirement * retirement_mult,
                         stock.shape)
    lv, rt = np.clip(lv, 0, 1), np.clip(rt, 0, 1)
    # The scenario's trainee retention is the share working within 24 months (the config's
    # share where the scenario states none); the 12-month share is in the config's proportion.
    s24 = np.clip(_p(params, "trainee_retention", n) * np.asarray(share_mult, dtype=float),
                  0, 1)
    s12 = s24 * (rates.share_12m / rates.share_24m)
    fte_t = rates.fte_trainee * np.asarray(fte_mult, dtype=float)
    trainees_pa = _p(params, "trainees", n) / fh
    intl_pa = _p(params, "international_recruits", n) / fh * rates.fte_international
    returners_pa = base * rates.returner_rate * _p(params, "returners_included", n)
    other_pa = _p(params, "other_net_joiners", n) / fh
    staff = _p(params, "role_substitution_staff", n)
    ratio = _p(params, "role_substitution_ratio", n)
    with np.errstate(divide="ignore", invalid="ignore"):
        rs_gp = np.where(staff > 0, staff / ratio, 0.0)
    rs_net_pa = (rs_gp - staff * rates.supervision_hours / rates.gp_hours) / fh
    flows = {k: np.zeros(n) for k in FLOWS}
    path = np.empty((n, h + 1))
    path[:, 0] = base
    rs_total = np.zeros(n)
    shares0 = np.asarray(shares, dtype=float)
    for year in range(1, h + 1):
        leave = stock * lv
        retire = stock * rt
        stock = stock - leave - retire
        moving = stock[:, :-1] / 5.0
        stock[:, :-1] -= moving
        stock[:, 1:] += moving
        from_cohort = np.minimum(cohort_pa, cohort) if year <= fh else np.zeros(n)
        cohort = cohort - from_cohort
        # Newly qualified GPs: this year's at the 12-month share, last year's rise to 24.
        new = trainees_pa * s12 * fte_t
        if year > 1:
            new = new + trainees_pa * (s24 - s12) * fte_t
        stock[:, rates.entry["trainees"]] += new
        stock[:, rates.entry["international"]] += intl_pa
        stock[:, rates.entry["returners"]] += returners_pa
        stock += other_pa[:, None] * shares0[None, :]
        rs_total = rs_total + rs_net_pa
        flows["leavers"] -= leave.sum(axis=1)
        flows["retirements"] -= retire.sum(axis=1)
        flows["cohort_retirements"] -= from_cohort
        flows["trainees"] += new
        flows["international"] += intl_pa
        flows["returners"] += returners_pa
        flows["other"] += other_pa
        path[:, year] = stock.sum(axis=1) + cohort + rs_total
    flows["role_substitution"] = rs_total
    return {"baseline": base, **flows, "position": path[:, -1], "path": path,
            "by_band": stock}


def decomposition(res: dict[str, np.ndarray], demand: np.ndarray) -> pd.DataFrame:
    """What drives the gap: demand at the start less the baseline, demand growth, and each
    flow; the items add up to the gap at the horizon (first draw).

    Returns
    -------
    DataFrame
        ``item``, ``label``, ``wte`` (positive widens the gap), ``gap`` in ``attrs``.
    """
    d = np.atleast_2d(demand)[0]
    rows = [("start", "Shortfall at the start (demand less baseline)",
             float(d[0] - res["baseline"][0])),
            ("demand_growth", "Demand growth with the registered population",
             float(d[-1] - d[0]))]
    rows += [(k, FLOW_LABELS[k], float(-res[k][0])) for k in FLOWS]
    out = pd.DataFrame(rows, columns=["item", "label", "wte"])
    out.attrs["gap"] = float(d[-1] - res["position"][0])
    return out


# -------------------------------------------------------------------------------------------
# One scenario, its Monte Carlo, tornado and lever
# -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """A scenario prepared for the stock-flow model."""

    params: dict
    shares: np.ndarray
    patients: np.ndarray
    leaver: np.ndarray
    retirement: np.ndarray
    rates: Rates
    target: float
    file_horizon: int
    uncertainty: dict = None  # the scenario's parameter ranges (Dist by parameter)
    demand_anchor: int | None = None  # year at which demand equals the target (file horizon)


def setup(scenario, shares: np.ndarray, target: float, file_horizon: int,
          rates: Rates | None = None, patients: np.ndarray | None = None,
          demand_anchor: int | None = None) -> Setup:
    """Prepare a :class:`~analysis.models.scenarios.params.Scenario` for the model.

    ``patients`` are the registered patients by the config's demand bands (the area's own
    figures where it has them; England shares otherwise). Demand equals ``target`` in year
    ``demand_anchor`` (default ``file_horizon``: a scenario file's target at its horizon; 0:
    today's figure, moved by the growth of consultations at every horizon and in every draw).
    """
    rates = rates or load_rates()
    params = dict(scenario.params)
    if scenario.sources.get("trainee_retention", NOT_SET) == NOT_SET:
        params["trainee_retention"] = rates.share_24m
    # A scenario that states its other joiners net of other leavers has the returners in them.
    params["returners_included"] = float(
        scenario.sources.get("other_net_joiners", NOT_SET) == NOT_SET)
    lv, rt = scaled_rates(params, scenario.sources, shares, rates)
    pats = rates.demand_share if patients is None else np.asarray(patients, dtype=float)
    return Setup(params, np.asarray(shares, dtype=float), pats, lv, rt, rates, float(target),
                 int(file_horizon), dict(scenario.uncertainty), demand_anchor)


def run_setup(su: Setup, horizon: int, n: int = 1, **mult) -> tuple[dict, np.ndarray]:
    """Supply (:func:`simulate`) and demand (:func:`demand_path`) over ``horizon``."""
    growth = mult.pop("growth", None)
    params = {**su.params, **mult.pop("params", {})}
    res = simulate(params, su.shares, horizon, su.rates, su.leaver, su.retirement, n=n,
                   file_horizon=su.file_horizon, **mult)
    anchor = su.file_horizon if su.demand_anchor is None else su.demand_anchor
    dem = demand_path(su.target, anchor, horizon, su.patients, su.rates, growth)
    return res, dem


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    erf = np.frompyfunc(math.erf, 1, 1)
    return 0.5 * (1.0 + erf(z / math.sqrt(2.0)).astype(float))


def _triangular(u: np.ndarray, low: float, high: float) -> np.ndarray:
    """Inverse CDF of a triangular multiplier (low, 1, high)."""
    c = (1.0 - low) / (high - low)
    return np.where(u < c, low + np.sqrt(u * (high - low) * (1.0 - low)),
                    high - np.sqrt((1 - u) * (high - low) * (high - 1.0)))


def correlation_matrix(rates: Rates) -> np.ndarray:
    """Correlation of the normal scores: leaver rates of all bands (block), retirement rates
    (block), the two blocks with each other, then the pipeline share, FTE and demand growth
    (independent)."""
    nb = len(BANDS)
    rho = float(rates.uncertainty["correlation_within_rates"])
    cross = float(rates.uncertainty["correlation_leavers_retirements"])
    m = np.eye(2 * nb + 3)
    block = np.full((nb, nb), rho) + (1 - rho) * np.eye(nb)
    m[:nb, :nb] = block
    m[nb:2 * nb, nb:2 * nb] = block
    m[:nb, nb:2 * nb] = cross
    m[nb:2 * nb, :nb] = cross
    return m


def draw_multipliers(rates: Rates, draws: int, seed: int) -> dict[str, np.ndarray]:
    """Correlated multipliers (Gaussian copula): normal scores with
    :func:`correlation_matrix`, turned into triangular multipliers around 1."""
    rng = np.random.default_rng(seed)
    corr = correlation_matrix(rates)
    z = rng.multivariate_normal(np.zeros(len(corr)), corr, size=int(draws), method="cholesky")
    u = np.clip(_normal_cdf(z), 1e-12, 1 - 1e-12)
    unc, nb = rates.uncertainty, len(BANDS)

    def tri(key, cols):
        return _triangular(u[:, cols], float(unc[key]["low"]), float(unc[key]["high"]))

    g = tri("consultations_growth", 2 * nb + 2)
    return {"leaver_mult": tri("leaver_rate_pa", slice(0, nb)),
            "retirement_mult": tri("retirement_rate_pa", slice(nb, 2 * nb)),
            "share_mult": tri("share_working_24m", 2 * nb),
            "fte_mult": tri("fte_per_head", 2 * nb + 1),
            "growth": rates.growth[None, :] * g[:, None]}


@dataclass(frozen=True)
class StockFlowMC:
    """Monte Carlo of the stock-flow model: supply and demand paths by draw."""

    supply: np.ndarray  # (n, h + 1)
    demand: np.ndarray  # (n, h + 1)

    @property
    def p_meet(self) -> float:
        """Share of draws whose supply at the horizon meets that draw's demand."""
        return float(np.mean(self.supply[:, -1] >= self.demand[:, -1] - EPS))

    def bands(self, levels=(0.5, 0.8, 0.95)) -> pd.DataFrame:
        """Supply median and central bands by year, and the median demand."""
        cols = {"year": np.arange(self.supply.shape[1]),
                "median": np.percentile(self.supply, 50, axis=0)}
        for lv in levels:
            cols[f"low_{round(lv * 100)}"] = np.percentile(self.supply, 50 - lv * 50, axis=0)
            cols[f"high_{round(lv * 100)}"] = np.percentile(self.supply, 50 + lv * 50, axis=0)
        cols["demand"] = np.percentile(self.demand, 50, axis=0)
        return pd.DataFrame(cols)


# Scenario parameters the stock-flow model does not draw as such: the two loss rates set the
# level of the rates by band (their draws scale those), the ageing rate is the annual mode's.
_RATE_LEVELS = {"session_loss_rate_pa": "leaver_mult", "over55_loss_rate_pa": "retirement_mult"}
_NOT_DRAWN = {"ageing_into_55_rate_pa", *_RATE_LEVELS}


def monte_carlo(su: Setup, horizon: int, draws: int = 10_000, seed: int = 0) -> StockFlowMC:
    """Monte Carlo: correlated rates (:func:`draw_multipliers`) and the scenario's own
    parameter ranges (:func:`~analysis.models.scenarios.uncertainty.sample_parameters`)."""
    from analysis.models.scenarios.uncertainty import sample_parameters

    m = draw_multipliers(su.rates, draws, seed)
    drawn = sample_parameters({k: v for k, v in su.params.items() if k in PARAMETERS},
                              su.uncertainty or {}, draws, seed + 1)
    for name, key in _RATE_LEVELS.items():
        v = float(su.params[name])
        if name in (su.uncertainty or {}) and v > 0:
            m[key] = m[key] * (drawn[name] / v)[:, None]
    m["params"] = {k: v for k, v in drawn.items() if k not in _NOT_DRAWN}
    res, dem = run_setup(su, horizon, n=int(draws), **m)
    return StockFlowMC(res["path"], np.broadcast_to(dem, res["path"].shape))


TORNADO_ITEMS = {
    "leaver_mult": "Leaver rates (all ages)",
    "retirement_mult": "Retirement rates (all ages)",
    "share_mult": "Share of newly qualified GPs working in NHS general practice",
    "fte_mult": "FTE newly qualified GPs work",
    "growth": "Growth of demand with the population",
}


def tornado(su: Setup, horizon: int) -> pd.DataFrame:
    """One-at-a-time swing of the gap at the horizon, each item at the low and high ends of its
    Monte Carlo range (the rates' multipliers, then the scenario's own parameter ranges), on
    the same model.

    Returns
    -------
    DataFrame
        ``item``, ``label``, ``gap_low``, ``gap_high``, ``swing``; ``attrs['gap']``.
    """
    unc = su.rates.uncertainty
    keys = {"leaver_mult": "leaver_rate_pa", "retirement_mult": "retirement_rate_pa",
            "share_mult": "share_working_24m", "fte_mult": "fte_per_head",
            "growth": "consultations_growth"}
    res, dem = run_setup(su, horizon)
    rows = []
    for item, key in keys.items():
        gaps = []
        for end in ("low", "high"):
            v = float(unc[key][end])
            m = {item: su.rates.growth * v} if item == "growth" else {item: v}
            r, d = run_setup(su, horizon, **m)
            gaps.append(float(np.atleast_2d(d)[0, -1] - r["position"][0]))
        rows.append({"item": item, "label": TORNADO_ITEMS[item], "gap_low": gaps[0],
                     "gap_high": gaps[1], "swing": abs(gaps[1] - gaps[0])})
    for name, dist in (su.uncertainty or {}).items():
        if name in _NOT_DRAWN:
            continue
        gaps = []
        for bound in dist.bounds(float(su.params[name]), name):
            r, d = run_setup(su, horizon, params={name: bound})
            gaps.append(float(np.atleast_2d(d)[0, -1] - r["position"][0]))
        rows.append({"item": name, "label": PARAMETERS[name].label, "gap_low": gaps[0],
                     "gap_high": gaps[1], "swing": abs(gaps[1] - gaps[0])})
    out = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")
    out.attrs["gap"] = float(np.atleast_2d(dem)[0, -1] - res["position"][0])
    return out.reset_index(drop=True)


SOLVE_LEVERS = {
    "trainees_retained": "More newly qualified GPs retained a year (head count)",
    "international_recruits": "More international recruits a year (head count)",
}


def solve_extra(su: Setup, horizon: int, lever: str, high: float = 1000.0,
                tol: float = 1e-3) -> float | None:
    """Extra heads a year of a lever that close the gap at the horizon, by bisection.

    ``trainees_retained`` adds newly qualified GPs who work as NHS GPs (at the FTE they work,
    all within 12 months); ``international_recruits`` adds recruits. Returns 0 when the gap is
    already closed and None when ``high`` a year is not enough.
    """
    if lever not in SOLVE_LEVERS:
        raise ValueError(f"lever must be one of {', '.join(SOLVE_LEVERS)}")

    def gap(x: float) -> float:
        p = dict(su.params)
        fh = su.file_horizon
        if lever == "international_recruits":
            p["international_recruits"] = p["international_recruits"] + x * fh
        else:
            p["other_net_joiners"] = p["other_net_joiners"] + x * fh * su.rates.fte_trainee
        r, d = run_setup(replace(su, params=p), horizon)
        return float(np.atleast_2d(d)[0, -1] - r["position"][0])

    if gap(0.0) <= EPS:
        return 0.0
    if gap(high) > EPS:
        return None
    a, b = 0.0, float(high)
    while b - a > tol:
        mid = 0.5 * (a + b)
        a, b = (a, mid) if gap(mid) <= EPS else (mid, b)
    return b
