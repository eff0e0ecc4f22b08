"""Costs of the salaried Extended Portfolio GP against sessional and locum cover.

:class:`CostParams` holds the assumptions (sources in ``docs/urgent_care_data.md``);
:func:`salaried_cost`, :func:`role_costs`, :func:`break_even` and :func:`cost_base_effect`
compute the tables of the report's cost section and :func:`cost_base` the IUCS provider's need
they rest on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd


@dataclass(frozen=True)
class CostParams:
    """Cost assumptions (see docs/urgent_care_data.md for sources).

    The LLR GP workforce plan's basis: a salaried GP costs about GBP 112,000 a year for
    9 sessions (GBP 10,000 per session per year plus pension and indemnity); a locum up to
    45% more.
    """

    sessions_per_week: int = 10
    admin_sessions_per_week: int = 1
    salary_per_session: float = 10_000.0
    employer_ni_rate: float = 0.15
    ni_threshold: float = 5_000.0
    employer_pension_rate: float = 0.1438
    indemnity: float = 2_000.0
    training_costs: float = 1_000.0
    annual_leave_days: float = 30.0
    bank_holiday_days: float = 8.0
    study_leave_days: float = 5.0
    session_hours: float = 4.0
    sessional_rate_per_hour: float = 100.0
    locum_premium: float = 0.45
    llr_cost_per_wte: float = 112_000.0
    llr_sessions_per_wte: int = 9

    def with_(self, **kw) -> CostParams:
        return replace(self, **kw)


def salaried_cost(p: CostParams) -> dict:
    """Annual cost of the salaried post and what it delivers."""
    salary = p.salary_per_session * p.sessions_per_week
    ni = max(salary - p.ni_threshold, 0.0) * p.employer_ni_rate
    pension = salary * p.employer_pension_rate
    total = salary + ni + pension + p.indemnity + p.training_costs
    days_off = p.annual_leave_days + p.bank_holiday_days + p.study_leave_days
    weeks = 52.0 - days_off / 5.0  # leave is in days of a five-day week
    clinical = p.sessions_per_week - p.admin_sessions_per_week
    delivered = clinical * weeks
    return {"salary": salary, "employer_ni": ni, "employer_pension": pension,
            "indemnity": p.indemnity, "training": p.training_costs, "total": total,
            "working_weeks": weeks, "clinical_sessions_per_week": clinical,
            "clinical_sessions_per_year": delivered,
            "cost_per_clinical_session": total / delivered if delivered else math.inf}


def role_costs(p: CostParams) -> pd.DataFrame:
    """Cost per delivered clinical session and per year, salaried against sessional and locum.

    Each option is costed for the clinical sessions the salaried post delivers in a year.
    """
    sal = salaried_cost(p)
    n = sal["clinical_sessions_per_year"]
    sessional = p.sessional_rate_per_hour * p.session_hours
    locum = sal["cost_per_clinical_session"] * (1 + p.locum_premium)
    llr = p.llr_cost_per_wte / p.llr_sessions_per_wte
    rows = [
        ("Salaried Extended Portfolio GP (this role)", sal["cost_per_clinical_session"],
         sal["total"]),
        ("Sessional GP (paid per session)", sessional, sessional * n),
        (f"Locum GP (salaried + {p.locum_premium:.0%}, LLR basis)", locum, locum * n),
        ("LLR plan basis: salaried GP (GBP 112,000 / 9 sessions, per session per year)",
         llr / sal["working_weeks"], llr / sal["working_weeks"] * n),
    ]
    out = pd.DataFrame(rows, columns=["option", "cost_per_clinical_session", "cost_per_year"])
    out["difference_vs_salaried"] = out["cost_per_year"] - sal["total"]
    return out


def break_even(p: CostParams) -> pd.DataFrame:
    """Sessions a week the salaried post must take from sessional or locum cover to pay for
    itself (during its working weeks), against the clinical sessions it offers."""
    sal = salaried_cost(p)
    rows = []
    for name, rate in (("Sessional", p.sessional_rate_per_hour * p.session_hours),
                       ("Locum", sal["cost_per_clinical_session"] * (1 + p.locum_premium))):
        k = sal["total"] / (rate * sal["working_weeks"])
        rows.append({"replacing": name, "rate_per_session": rate,
                     "break_even_sessions_per_week": k,
                     "clinical_sessions_per_week": sal["clinical_sessions_per_week"],
                     "breaks_even": k <= sal["clinical_sessions_per_week"]})
    return pd.DataFrame(rows)


def cost_base_effect(gp_sessions_per_week: float, iucs_sessions_per_post: float,
                     p: CostParams, posts=(0, 1, 2, 3), locum_share: float = 0.2
                     ) -> pd.DataFrame:
    """An IUCS provider's annual GP cost with 0, 1, 2 ... salaried posts.

    The provider needs ``gp_sessions_per_week`` GP sessions every week of the year, bought
    sessionally (``locum_share`` of them at locum rates). Each post works
    ``iucs_sessions_per_post`` IUCS sessions in its working weeks and is charged to the
    provider pro rata to those sessions (the rest of the post is hospital sessions).
    """
    sal = salaried_cost(p)
    sessional = p.sessional_rate_per_hour * p.session_hours
    locum = sal["cost_per_clinical_session"] * (1 + p.locum_premium)
    blended = (1 - locum_share) * sessional + locum_share * locum
    need = gp_sessions_per_week * 52
    rows = []
    for n in posts:
        covered = min(n * iucs_sessions_per_post * sal["working_weeks"], need)
        charged = n * sal["total"] * (iucs_sessions_per_post /
                                      sal["clinical_sessions_per_week"])
        bought = (need - covered) * blended
        rows.append({"posts": n, "sessions_by_posts": covered, "sessions_bought": need - covered,
                     "cost_of_posts": charged, "cost_of_bought_sessions": bought,
                     "total": charged + bought})
    out = pd.DataFrame(rows)
    out["change_vs_none"] = out["total"] - out["total"].iloc[0]
    out["change_pct"] = out["change_vs_none"] / out["total"].iloc[0] if out["total"].iloc[0] \
        else math.nan
    return out


def salaried_cost_table(p: CostParams) -> pd.DataFrame:
    """The annual cost of the salaried post, item by item (GBP a year)."""
    sal = salaried_cost(p)
    return pd.DataFrame([
        ("Salary", sal["salary"]), ("Employer national insurance", sal["employer_ni"]),
        ("Employer pension", sal["employer_pension"]), ("Indemnity", sal["indemnity"]),
        ("Training costs", sal["training"]), ("Total cost a year", sal["total"]),
    ], columns=["item", "gbp"])


@dataclass(frozen=True)
class CostBase:
    """What the IUCS provider needs and what one post gives (inputs of :func:`cost_base_effect`).

    Attributes
    ----------
    gp_share : float
        GP share of clinical minutes (0.5 when the cases say nothing).
    iucs_hours : float
        IUCS rostered clinician hours a week.
    need : float
        GP sessions a week the provider needs (``iucs_hours x gp_share / session_hours``).
    per_post : float
        IUCS sessions a week of the best-covering plan (0 when there is no plan).
    best_option : str
        That plan's name ('none' when there is no plan).
    table : DataFrame or None
        :func:`cost_base_effect`, or None when ``need`` or ``per_post`` is zero.
    """

    gp_share: float
    iucs_hours: float
    need: float
    per_post: float
    best_option: str
    table: pd.DataFrame | None


def cost_base(cases: pd.DataFrame | None, staff_summary: pd.DataFrame,
              best: pd.Series | None, p: CostParams) -> CostBase:
    """The IUCS provider's GP sessions a week and the annual cost base with 0-3 posts.

    Parameters
    ----------
    cases : DataFrame or None
        Case-level rows (the GP share of clinical minutes comes from them).
    staff_summary : DataFrame
        :func:`analysis.models.urgent_care.erlang.staffing_summary`.
    best : Series or None
        The best-covering job plan (:func:`analysis.models.urgent_care.job_plans.best_plan`).
    """
    gp_share = 0.5
    if cases is not None and len(cases) and cases["clinician_assessed"].any():
        a = cases[cases["clinician_assessed"]]
        gp_share = float(a.loc[a["clinician_type"] == "gp", "clinical_minutes"].sum()
                         / a["clinical_minutes"].sum())
    s = staff_summary.set_index("setting")
    iucs_hours = float(s.loc["iucs", "rostered_hours"]) if "iucs" in s.index else 0.0
    need = iucs_hours * gp_share / p.session_hours
    per_post = float(best["iucs_sessions"]) if best is not None else 0.0
    best_option = best["option"] if best is not None else "none"
    table = cost_base_effect(need, per_post, p) if need > 0 and per_post > 0 else None
    return CostBase(gp_share, iucs_hours, need, per_post, best_option, table)
