"""The urgent-care chapter's numbers for one area: inputs read once, every table computed.

:func:`load_context` reads and validates the inputs for an area and returns an
:class:`UrgentCareContext` holding every profile, staffing table, job plan and cost the chapter
shows (unsuppressed: :mod:`analysis.report.urgent_care` applies disclosure control and formats
them). Case-level rows stay here; the report shows aggregates only.

Inputs (keys ``uc_cases``, ``uc_iucadc``, ``uc_ecds``) come from the ``inputs`` argument, else
from ``urgent_care: inputs:`` in ``config/config.yaml``; an input named in neither is left out.
``uc_cases: None`` runs the chapter without a case extract: hour-of-week profiles are then
modelled (:mod:`analysis.models.urgent_care.demand_model`) from the contract's IUC ADC volumes
and mix, and the context's notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from analysis.config import Area, project_path, registry, resolve_area, settings
from analysis.io import urgent_care as uio
from analysis.models.urgent_care import costs as uco
from analysis.models.urgent_care import erlang as uer
from analysis.models.urgent_care import job_plans as ujp
from analysis.models.urgent_care import profiles as upr
from analysis.models.urgent_care.demand_model import simulate_cases
from analysis.settings import UrgentCareSettings
from analysis.util.cache import as_records, cached_call, cached_read
from analysis.util.errors import GPWorkforceError

INPUT_KEYS = ("uc_cases", "uc_iucadc", "uc_ecds")


class UrgentCareError(GPWorkforceError):
    """The chapter cannot run with these inputs (the message says why)."""


@dataclass(frozen=True)
class Note:
    """Something the reader must know about the inputs (rendered by the report).

    ``kind`` is one of ``no_contract_rows`` (``code``), ``no_area_cases`` (``area``,
    ``codes``, ``found``), ``modelled`` (``contract``, ``per_day``), ``no_inputs``,
    ``no_ed_scale`` and ``geography`` (what each source covers against the report's area:
    see :func:`geography_note`).
    """

    kind: str
    values: dict = field(default_factory=dict)


@dataclass
class UrgentCareContext:
    """Inputs, parameters and every computed table of one area's urgent-care chapter."""

    area: Area
    stp: Area
    paths: dict[str, Path | None]
    start: pd.Timestamp
    end: pd.Timestamp
    cases: pd.DataFrame | None
    cases_source: str  # 'extract', 'modelled' or 'none'
    adc: pd.DataFrame | None
    ecds: pd.DataFrame | None
    contract: tuple[str, str] | None
    region: tuple[str, str] | None
    staffing_params: uer.StaffingParams
    rules: ujp.JobPlanRules
    costs: uco.CostParams
    options: dict
    ed_scale: float | None = None
    notes: list[Note] = field(default_factory=list)

    def __post_init__(self):
        c = self.cases
        has = self.has_cases
        # profiles of the cases (None without cases)
        self.profile_cases = upr.hour_of_week_profile(c, "cases", (10, 50, 90), self.start,
                                                      self.end) if has else None
        self.profile_minutes = upr.hour_of_week_profile(c, "minutes", (10, 50, 90), self.start,
                                                        self.end) if has else None
        self.hour_of_week = upr.hour_of_week_table(self.profile_cases, self.profile_minutes) \
            if has else None
        self.blocks = upr.block_table(self.profile_cases, self.profile_minutes) if has else None
        self.seasonality = upr.seasonality(c) if has else None
        self.day_types = upr.day_types(c) if has else None
        self.dispositions = upr.disposition_counts(c) if has else None
        self.flows = upr.flow_table(c) if has else None
        self.ae_per_hour = upr.ae_per_hour(self.ecds) if self.ecds is not None else None
        # demand, staffing and workload by setting
        self.demand_plan = uer.setting_demand(c, self.ecds, self.staffing_params, self.ed_scale,
                                              self.start, self.end, stat="plan")
        self.demand_mean = uer.setting_demand(c, self.ecds, self.staffing_params, self.ed_scale,
                                              self.start, self.end, stat="mean")
        self.staff = uer.setting_staffing(self.demand_plan, self.staffing_params)
        self.staff_summary = uer.staffing_summary(self.staff)
        self.staffing_table = uer.staffing_parameters(self.staffing_params, self.staff)
        self.clinicians_by_hour = uer.clinicians_by_hour(self.staff)
        self.workload = uer.workload(self.demand_plan, self.staffing_params)
        self.workload_peaks = pd.DataFrame({s: ujp.peak_mask(self.workload[s].to_numpy(float))
                                            for s in self.workload.columns},
                                           index=self.workload.index)
        self.need = uer.need_by_setting(self.staff)
        self.floor = uer.floor_summary(self.staff)
        # job plans
        self.plans, self.plan_errors = {}, {}
        for name, quotas in self.options.items():
            q = ujp.available_quotas(quotas, list(self.need.columns))
            if q is None:
                self.plan_errors[name] = "no setting has demand data"
                continue
            try:
                self.plans[name] = cached_call(
                    "job_plan_milp", [self.need, self.workload, q, self.rules],
                    lambda q=q: ujp.generate_job_plan(self.need, q, self.rules,
                                                      workload=self.workload),
                    dump=as_records, load=lambda rows: [ujp.Session(**r) for r in rows])
            except ujp.JobPlanError as exc:
                self.plan_errors[name] = str(exc)
        self.plan_comparison = ujp.plan_comparison(self.plans, self.need,
                                                   self.rules.staffed_floor,
                                                   self.rules.rota_posts)
        self.plan_sessions = ujp.plan_sessions(self.plans)
        self.best_plan = ujp.best_plan(self.plan_comparison)
        # costs
        self.salaried = uco.salaried_cost(self.costs)
        self.cost_base = uco.cost_base(c if has else None, self.staff_summary, self.best_plan,
                                       self.costs)

    @property
    def has_cases(self) -> bool:
        return self.cases is not None and len(self.cases) > 0

    @property
    def data_area(self) -> str:
        """The area the case-based figures describe: the report's area for a case extract
        (filtered to its codes), the covering IUC ADC contract area for modelled cases."""
        if self.cases_source == "modelled" and self.contract is not None:
            return f"contract area {self.contract[0]}"
        return self.area.short_name

    @property
    def period_label(self) -> str:
        """The data period in words, e.g. 'Apr 2024-Mar 2025'."""
        return f"{self.start:%b %Y}-{self.end:%b %Y}"

    @property
    def uses_demo_inputs(self) -> bool:
        """Whether any input lies in ``data/raw/demo`` (synthetic data)."""
        from analysis.config import DATA_DEMO

        return any(p is not None and p.parent == DATA_DEMO for p in self.paths.values())


CCG_ABOLISHED = pd.Timestamp("2022-07-01")  # Health and Care Act 2022: CCGs replaced by ICBs


def geography_note(area: Area, stp: Area, source: str, contract, region, ecds, ed_scale,
                   start: pd.Timestamp) -> Note:
    """What each source covers, set against the report's area (the ``geography`` note).

    Values: ``area`` (report's area name), ``kind``, ``ccg_abolished`` (a CCG and data from
    after 1 July 2022, when CCGs were replaced by ICBs and sub-ICB locations), ``successor``
    (its sub-ICB or ICB code, if known), ``source`` ('extract', 'modelled' or 'none'),
    ``contract`` and ``contract_name`` (the IUC ADC contract area, or None), ``parent`` (the
    STP the contract is configured for), ``region``, ``ecds`` (A&E table given) and
    ``ed_scale`` (share of England applied to it).
    """
    succ = area.successor or {}
    return Note("geography", {
        "area": area.name, "kind": area.kind,
        "ccg_abolished": area.kind == "ccg" and start >= CCG_ABOLISHED,
        "successor": (f"sub-ICB location {succ['sub_icb_code']}" if succ.get("sub_icb_code")
                      else f"part of ICB {succ['icb_code']}" if succ.get("icb_code") else None),
        "source": source, "contract": contract[0] if contract else None,
        "contract_name": contract[1] if contract else None, "parent": stp.name,
        "region": region[1] if region else None, "ecds": ecds is not None,
        "ed_scale": ed_scale})


@dataclass(frozen=True)
class KeyFigures:
    """The numbers of the chapter's summary bullets (missing parts are None)."""

    cases_per_week: float | None
    assessed_share: float | None
    mean_clinical_minutes: float | None
    busiest: dict | None  # day, hour, mean, p90 of the hour with the highest 90th percentile
    out_of_hours_share: float | None
    rostered_hours: dict[str, float]  # setting label -> rostered hours a week
    best_plan: str | None
    best_plan_need_met: float | None  # clinician-hours of need a week the best plan meets
    best_plan_share_met: float | None  # ... as a share of the settings' total need
    need_total: float | None  # clinician-hours a week the settings need (Erlang C, on duty)
    salaried_total: float
    salaried_per_session: float
    sessional_per_session: float


def key_figures(ctx: UrgentCareContext) -> KeyFigures:
    """The chapter's headline numbers."""
    cases_per_week = assessed = minutes = busiest = ooh = None
    if ctx.has_cases:
        c = ctx.cases
        weeks = ((ctx.end - ctx.start).days + 1) / 7
        cases_per_week = len(c) / weeks
        assessed = upr.case_mix(c)["assessed"]
        minutes = float(c["clinical_minutes"].mean())
        prof = ctx.profile_cases
        peak = prof.loc[prof["p90"].idxmax()]
        busiest = {"day": peak["day"], "hour": int(peak["hour"]), "mean": float(peak["mean"]),
                   "p90": float(peak["p90"])}
        ooh = float(upr.out_of_hours(c["call_start"]).mean())
    rostered = {}
    if not ctx.staff_summary.empty:
        s = ctx.staff_summary.set_index("setting")
        rostered = {upr.SETTINGS[k]: float(v) for k, v in s["rostered_hours"].items()}
    best = ctx.best_plan
    return KeyFigures(
        cases_per_week=cases_per_week, assessed_share=assessed, mean_clinical_minutes=minutes,
        busiest=busiest, out_of_hours_share=ooh, rostered_hours=rostered,
        best_plan=None if best is None else str(best["option"]),
        best_plan_need_met=None if best is None else float(best["need_met"]),
        best_plan_share_met=None if best is None else float(best["share_of_need_met"]),
        need_total=None if best is None else float(best["need_total"]),
        salaried_total=ctx.salaried["total"],
        salaried_per_session=ctx.salaried["cost_per_clinical_session"],
        sessional_per_session=ctx.costs.sessional_rate_per_hour * ctx.costs.session_hours)


# =============================================================================================
# Loading
# =============================================================================================
def resolve_paths(inputs: dict | None,
                  section: UrgentCareSettings | None = None) -> dict[str, Path | None]:
    """Input key -> path (absolute) or None, from ``inputs`` then the config's
    ``urgent_care: inputs:``; a key named in neither is None (left out)."""
    configured = (section or settings().urgent_care).inputs
    paths = {}
    for key in INPUT_KEYS:
        if inputs is not None and key in inputs:
            value = inputs[key]
        else:
            value = getattr(configured, key)
        paths[key] = None if value is None else project_path(value)
    return paths


def _default_period(adc, ecds,
                    section: UrgentCareSettings) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period when no cases and no period are given: the IUC ADC file's months, else the
    A&E table's financial year, else ``urgent_care: period:`` in the config."""
    if adc is not None and len(adc):
        return adc["period"].min(), adc["period"].max() + pd.offsets.MonthEnd(0)
    if ecds is not None and ecds.attrs.get("financial_year"):
        y = int(ecds.attrs["financial_year"][:4])
        return pd.Timestamp(f"{y}-04-01"), pd.Timestamp(f"{y + 1}-03-31")
    if section.period is not None:
        return pd.Timestamp(section.period.start), pd.Timestamp(section.period.end)
    raise UrgentCareError("no period: give period={'start': ..., 'end': ...}, a case-level "
                          "extract or an IUC ADC file")


def _model_cases(adc, contract, start, end, seed):
    """Cases modelled from a contract's IUC ADC calls triaged and mix (None without C01)."""
    wide = uio.iucadc_wide(adc[adc["contract_code"] == contract[0]])
    c01 = wide["C01"].dropna() if "C01" in wide else pd.Series(dtype=float)
    if not len(c01):
        return None, None
    months = c01.index.get_level_values("period")
    lo = start or months.min()
    hi = end or (months.max() + pd.offsets.MonthEnd(0))
    days = (hi - lo).days + 1
    per_day = float(c01.sum()) / sum(pd.Period(m, "M").days_in_month for m in months)
    shares = upr.iucadc_shares(adc, [contract[0]])
    cases = simulate_cases({contract[0]: per_day * days}, lo, hi, seed=seed, targets=shares)
    return cases, per_day


def _ed_scale(sp, cases, adc, contract, start, end) -> float | None:
    """The area's share of England's A&E attendances: its share of England's 111 calls."""
    ed_scale = sp.ed_scale
    if ed_scale is None and cases is not None and len(cases):
        days = (end - start).days + 1
        calls = len(cases) * 365 / days
        if contract is not None:
            w = uio.iucadc_wide(adc[adc["contract_code"] == contract[0]])
            if {"A01", "C01"} <= set(w.columns) and w["C01"].sum() > 0:
                calls *= float(w["A01"].sum() / w["C01"].sum())
        ed_scale = calls / upr.ENGLAND_CALLS_2024_25
    elif ed_scale is None and contract is not None:
        a01 = upr.iucadc_calls(adc, [contract[0]])
        if len(a01.dropna()):
            ed_scale = float(a01.mean()) * 12 / upr.ENGLAND_CALLS_2024_25
    return ed_scale


def load_context(area_slug: str, area_kind: str | None = None, inputs: dict | None = None,
                 period: dict | None = None, contract_code: str | None = None,
                 area_codes: list[str] | None = None, targets: dict | None = None,
                 staffing: dict | None = None, rules: dict | None = None,
                 costs: dict | None = None, options: dict | None = None,
                 seed: int = 0) -> UrgentCareContext:
    """Read and validate the chapter's inputs for an area and compute its tables.

    Parameters
    ----------
    area_slug, area_kind
        CCG or STP from the registry.
    inputs : dict, optional
        ``uc_cases``, ``uc_iucadc``, ``uc_ecds`` paths (relative to the project root or
        absolute); ``None`` for a key leaves that input out.
    period : dict, optional
        ``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}``; default: ``urgent_care: period:`` in
        the config when the extract is the configured one, else the extract's own dates.
    contract_code : str, optional
        IUC ADC contract area of the report's area; default: ``urgent_care: contracts:`` in
        the config for its STP.
    area_codes : list of str, optional
        Values of the extract's ``area`` column that make up the area (postcode districts,
        say); default: the CCG codes of the area.
    targets : dict, optional
        Setting -> overrides of :class:`~analysis.models.urgent_care.erlang.SettingParams`
        (``aht_minutes``, ``target_minutes``, ``service_level``, ``open_hours``).
    staffing, rules, costs : dict, optional
        Overrides of :class:`~analysis.models.urgent_care.erlang.StaffingParams`,
        :class:`~analysis.models.urgent_care.job_plans.JobPlanRules`,
        :class:`~analysis.models.urgent_care.costs.CostParams`.
    options : dict, optional
        Job-plan option name -> sessions per setting (``iucs``, ``ed``, ``frailty``,
        ``paediatrics``, ``admin``); default :data:`~analysis.models.urgent_care.job_plans.
        OPTIONS`.
    seed : int
        Seed of the modelled cases (used only without a case extract).

    Raises
    ------
    UrgentCareError
        For parameters that cannot be used; readers raise ``InputError`` for bad files.
    """
    section = settings().urgent_care
    area = resolve_area(area_slug, area_kind)
    stp = registry()[area.stp]
    paths = resolve_paths(inputs, section)
    notes: list[Note] = []
    adc = uio.read_iucadc(paths["uc_iucadc"]) if paths["uc_iucadc"] else None
    ecds = uio.read_ecds_time_of_day(paths["uc_ecds"]) if paths["uc_ecds"] else None
    # contract area and region
    code = contract_code or section.contracts.get(stp.slug)
    contract = region = None
    if adc is not None and code is not None:
        rows = adc[adc["contract_code"] == code]
        if len(rows):
            contract = (code, str(rows["contract_name"].iloc[0]) or code)
            if rows["region_code"].iloc[0]:
                region = (str(rows["region_code"].iloc[0]), str(rows["region_name"].iloc[0]))
        else:
            notes.append(Note("no_contract_rows", {"code": code}))
    # cases
    if period is None and inputs is None and section.period is not None:
        period = section.period.model_dump()
    start = pd.Timestamp(str(period["start"])) if period and period.get("start") else None
    end = pd.Timestamp(str(period["end"])) if period and period.get("end") else None
    if start is not None and end is not None and end < start:
        raise UrgentCareError(f"period: end {end.date()} is before start {start.date()}")
    cases, source = None, "none"
    if paths["uc_cases"]:
        allc = cached_read(paths["uc_cases"], uio.read_iucs_cases)
        codes = area_codes or list(area.members)
        cases = uio.filter_cases(allc, codes, start, end)
        if cases.empty:
            found = ", ".join(sorted(map(str, allc["area"].unique()[:8])))
            notes.append(Note("no_area_cases", {"area": area.short_name,
                                                "codes": ", ".join(codes), "found": found}))
            cases = None
        else:
            source = "extract"
    elif contract is not None:
        cases, per_day = _model_cases(adc, contract, start, end, seed)
        if cases is not None:
            source = "modelled"
            notes.append(Note("modelled", {"contract": contract[0], "per_day": per_day}))
    if cases is None and not paths["uc_cases"]:
        notes.append(Note("no_inputs"))
    if cases is not None and len(cases):
        s, e = upr.case_period(cases)
        start, end = start or s, end or e
    elif start is None or end is None:
        lo, hi = _default_period(adc, ecds, section)
        start, end = start or lo, end or hi
    # parameters: one definition of each setting's opening hours (config), used by the
    # staffing model and the job plans alike
    params = {k: replace(v, open_hours=tuple(getattr(section.setting_hours, k)))
              for k, v in uer.DEFAULT_SETTING_PARAMS.items()}
    if cases is not None and cases["clinician_assessed"].any():
        params["iucs"] = replace(params["iucs"],
                                 aht_minutes=float(cases["clinical_minutes"].mean()))
    for s, over in (targets or {}).items():
        if s not in params:
            raise UrgentCareError(f"targets: unknown setting {s!r}; expected one of "
                                  f"{', '.join(params)}")
        params[s] = replace(params[s], **{k: (tuple(v) if k == "open_hours" else v)
                                          for k, v in over.items()})
    sp = uer.StaffingParams(**{**(staffing or {}), "settings": params})
    ed_scale = _ed_scale(sp, cases, adc, contract, start, end)
    if ecds is not None and not ed_scale:
        notes.append(Note("no_ed_scale"))
    notes.append(geography_note(area, stp, source, contract, region, ecds, ed_scale, start))
    rules = dict(rules or {})
    if "setting_hours" in rules:
        raise UrgentCareError("rules: setting_hours is not a job-plan rule; set a setting's "
                              "hours in targets={'<setting>': {'open_hours': [start, end]}} "
                              "or urgent_care: setting_hours: in the config")
    rules["setting_hours"] = {k: p.open_hours for k, p in params.items()}
    try:
        plan_rules = ujp.JobPlanRules(**rules)
        cost_params = uco.CostParams(**(costs or {}))
    except TypeError as exc:
        raise UrgentCareError(f"unknown parameter: {exc}") from None
    return UrgentCareContext(area=area, stp=stp, paths=paths, start=start, end=end,
                             cases=cases, cases_source=source, adc=adc, ecds=ecds,
                             contract=contract, region=region, staffing_params=sp,
                             rules=plan_rules, costs=cost_params,
                             options=options or dict(ujp.OPTIONS), ed_scale=ed_scale,
                             notes=notes)
