"""Tests for the urgent-care models: profiles, Erlang C, job plans and costs.

The job-plan rules are checked on many randomly drawn rule sets and demands (hypothesis is not
in the pinned environment, so the draws come from seeded numpy generators).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from analysis.io import urgent_care as uio
from analysis.models.urgent_care import costs as uco
from analysis.models.urgent_care import erlang as uer
from analysis.models.urgent_care import job_plans as ujp
from analysis.models.urgent_care import profiles as upr

# ============================================================================================
# Erlang C
# ============================================================================================
ERLANG_C_KNOWN = [
    # servers, load (Erlangs), P(wait): closed forms and the textbook call-centre example
    pytest.param(1, 0.5, 0.5, id="M/M/1-rho"),
    pytest.param(2, 1.0, 1 / 3, id="M/M/2-a1"),
    pytest.param(3, 2.0, 4 / 9, id="M/M/3-a2"),
    pytest.param(11, 10.0, 0.6821, id="callcentre-11"),
    pytest.param(12, 10.0, 0.4494, id="callcentre-12"),
    pytest.param(13, 10.0, 0.2853, id="callcentre-13"),
    pytest.param(14, 10.0, 0.1741, id="callcentre-14"),
]


@pytest.mark.parametrize("n, a, expected", ERLANG_C_KNOWN)
def test_erlang_c_textbook_values(n, a, expected):
    assert float(uer.erlang_c(n, a)) == pytest.approx(expected, abs=5e-5)


def test_service_level_and_agents_textbook_example():
    # 100 calls in 30 minutes, 180 s handling time, 80% answered in 20 s: 14 agents (88.8%)
    assert float(uer.service_level(13, 10.0, 180, 20)) == pytest.approx(0.7956, abs=5e-4)
    assert float(uer.service_level(14, 10.0, 180, 20)) == pytest.approx(0.8884, abs=5e-4)
    assert uer.servers_needed([200.0], 3.0, 20 / 60, 0.8)[0] == 14


def _erlang_c_exact(n: int, a: Fraction) -> Fraction:
    """Textbook formula with factorials, in exact rational arithmetic (small n only)."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_erlang_c_matches_exact_factorial_formula():
    rng = np.random.default_rng(5)
    for _ in range(40):
        n = int(rng.integers(1, 25))
        a = Fraction(int(rng.integers(1, 100 * n)), 100)  # load below n
        assert float(uer.erlang_c(n, float(a))) == pytest.approx(float(_erlang_c_exact(n, a)),
                                                                rel=1e-9)


def _erlang_c_logspace(n: int, a: float) -> float:
    """Independent check for large n: Erlang B by log-sum-exp of the Poisson terms."""
    ks = np.arange(n + 1)
    logs = ks * math.log(a) - np.array([math.lgamma(k + 1) for k in ks])
    b = math.exp(logs[-1] - (logs.max() + math.log(np.exp(logs - logs.max()).sum())))
    return n * b / (n - a * (1 - b))


@pytest.mark.parametrize("n, a", [(200, 190.0), (1000, 990.0), (1500, 1400.0)])
def test_erlang_c_is_stable_for_large_systems(n, a):
    c = float(uer.erlang_c(n, a))
    assert 0 < c < 1 and math.isfinite(c)
    assert c == pytest.approx(_erlang_c_logspace(n, a), rel=1e-9)


def test_erlang_c_is_vectorised_and_handles_edges():
    n = np.array([3, 3, 2, 5, 0])
    a = np.array([2.0, 3.0, 5.0, 0.0, 0.0])
    c = uer.erlang_c(n, a)
    assert c[0] == pytest.approx(4 / 9)
    assert c[1] == 1.0 and c[2] == 1.0, "no steady state when servers <= load"
    assert c[3] == 0.0 and c[4] == 0.0, "no load, no waiting"
    with pytest.raises(ValueError):
        uer.erlang_c(2.5, 1.0)
    with pytest.raises(ValueError):
        uer.erlang_c(2, -1.0)


def test_servers_needed_respects_occupancy_zero_and_monotonicity():
    assert uer.servers_needed([0.0], 15, 20, 0.8)[0] == 0
    # 34 arrivals/hour x 15 min = 8.5 Erlangs: a long target makes occupancy the binding rule
    n = uer.servers_needed([34.0], 15, 600, 0.5, max_occupancy=0.85)[0]
    assert n == 10 and 8.5 / n <= 0.85
    lam = np.sort(np.random.default_rng(2).uniform(0, 300, 60))
    need = uer.servers_needed(lam, 12, 20, 0.8, 0.9)
    assert (np.diff(need) >= 0).all()
    assert all(uer.servers_needed([x], 12, 20, 0.8, 0.9)[0] == y for x, y in zip(lam, need,
                                                                                strict=True))
    sl = uer.service_level(need, lam * 12 / 60, 12, 20)
    assert (sl[lam > 0] >= 0.8 - 1e-12).all()
    with pytest.raises(ValueError):
        uer.servers_needed([1.0], 10, 20, 1.2)


# ============================================================================================
# Profiles
# ============================================================================================
def cases_frame(times, **cols) -> pd.DataFrame:
    n = len(times)
    df = pd.DataFrame({
        "case_id": [f"K{i}" for i in range(n)], "call_start": pd.to_datetime(times),
        "age_band": pd.Categorical(cols.get("age_band", ["16-44"] * n),
                                   categories=uio.AGE_BANDS),
        "sex": "F", "area": cols.get("area", ["06A"] * n),
        "disposition": pd.Categorical(cols.get("disposition", ["primary_care"] * n),
                                      categories=list(uio.DISPOSITIONS)),
        "clinician_assessed": cols.get("assessed", [True] * n),
        "clinician_type": "gp",
        "clinical_minutes": cols.get("minutes", [10.0] * n),
        "onward_service": pd.Categorical(cols.get("onward", ["own_gp"] * n),
                                         categories=list(uio.ONWARD_SERVICES)),
    })
    return df


def test_complete_weeks():
    weeks = upr.complete_weeks("2024-04-03", "2024-04-28")  # Wed to Sun
    assert list(weeks) == [pd.Timestamp("2024-04-08"), pd.Timestamp("2024-04-15"),
                           pd.Timestamp("2024-04-22")]
    assert len(upr.complete_weeks("2024-04-01", "2024-04-06")) == 0


def test_hour_of_week_profile_counts_empty_hours_as_zero():
    # Monday 09:xx: 1, 2 and 3 cases in three weeks; one Sunday 23:xx case in week 2 only
    times = (["2024-04-01 09:10"] + ["2024-04-08 09:20"] * 2 + ["2024-04-15 09:30"] * 3
             + ["2024-04-14 23:59"])
    c = cases_frame(times, minutes=[10.0] * 6 + [30.0])
    prof = upr.hour_of_week_profile(c, start="2024-04-01", end="2024-04-21")
    mon9 = prof[prof["how"] == 9].iloc[0]
    assert (mon9["weeks"], mon9["mean"], mon9["p50"], mon9["p10"], mon9["total"]) == (
        3, 2.0, 2.0, pytest.approx(1.2), 6)
    sun23 = prof[prof["how"] == 167].iloc[0]
    assert sun23["mean"] == pytest.approx(1 / 3) and sun23["p50"] == 0
    minutes = upr.hour_of_week_profile(c, "minutes", start="2024-04-01", end="2024-04-21")
    assert minutes.loc[minutes["how"] == 9, "total"].iloc[0] == 60
    assert minutes.loc[minutes["how"] == 167, "mean"].iloc[0] == pytest.approx(10)
    assert prof["total"].sum() == 7
    assert upr.as_day_hour(prof, "total").loc["Mon", 9] == 6


def test_cases_outside_complete_weeks_are_left_out_of_percentiles():
    c = cases_frame(["2024-04-03 10:00", "2024-04-09 10:00"])  # Wed, then next Tue
    prof = upr.hour_of_week_profile(c)
    assert prof["weeks"].iloc[0] == 0 and prof["mean"].isna().all()


def test_seasonality_and_day_types():
    times = ["2024-12-25 10:00"] * 4 + ["2024-12-24 10:00"] + ["2024-11-30 10:00"]
    c = cases_frame(times)
    s = upr.seasonality(c)
    assert s["month"].dt.month.tolist() == [11, 12]
    assert s["days"].tolist() == [1, 25]  # 30 Nov; 1-25 Dec
    assert s["cases"].tolist() == [1, 5]
    d = upr.day_types(c).set_index("day_type")
    assert d.loc["Bank holiday", "cases_per_day"] == 4
    assert d.loc["Saturday", "cases"] == 1


def test_case_mix_uses_iuc_adc_definitions():
    disp = ["ambulance", "ed", "primary_care", "primary_care", "none"]
    c = cases_frame(["2024-04-01 10:00"] * 5, disposition=disp,
                    assessed=[True, False, True, False, True])
    c["appointment_booked"] = pd.array([False, True, True, False, False], dtype="boolean")
    m = upr.case_mix(c)
    assert m["assessed"] == pytest.approx(3 / 5), "over all triaged cases (C01)"
    assert m["ambulance"] == pytest.approx(1 / 4), "over final dispositions (E01)"
    assert m["primary_care"] == pytest.approx(2 / 4)
    assert m["booked"] == pytest.approx(2 / 4)
    assert set(upr.mix_table({"x": m})["measure"]) == {v[0] for v in upr.MIX_MEASURES.values()}


def test_flows_and_out_of_hours():
    c = cases_frame(
        ["2024-04-02 10:00", "2024-04-02 19:00", "2024-04-06 10:00", "2024-04-01 10:00"],
        age_band=["85+", "0-4", "16-44", "75-84"], onward=["ed", "paediatrics", "ed", "own_gp"])
    assert upr.flow_mask(c, "frailty").tolist() == [True, False, False, False]
    assert upr.flow_mask(c, "paediatrics").tolist() == [False, True, False, False]
    assert upr.flow_mask(c, "ed").tolist() == [True, False, True, False]
    # Tue 10:00 in hours; Tue 19:00 evening; Saturday; Easter Monday 2024 (bank holiday)
    assert upr.out_of_hours(c["call_start"]).tolist() == [False, True, True, True]
    ft = upr.flow_table(c).set_index("flow")
    assert ft["cases"].tolist() == [2, 1, 1, 1]


def test_suppress_small_blanks_counts_and_what_derives_from_them():
    df = pd.DataFrame({"k": ["a", "b", "c", "d"], "cases": [0, 3, 5, 120],
                       "share": [0.0, 0.1, 0.2, 0.7]})
    out = upr.suppress_small(df, ["cases"], dependent={"cases": ["share"]})
    assert out["cases"].isna().tolist() == [False, True, False, False]
    assert out["share"].isna().tolist() == [False, True, False, False]
    assert df["cases"].tolist() == [0, 3, 5, 120], "input unchanged"


def test_setting_demand_scales_ed_by_weekdays_in_the_year():
    ecds = pd.DataFrame({"how": range(168), "walk_in": 53.0 * 100, "ambulance": 0.0,
                         "attendances": 5300.0})
    ecds.attrs["financial_year"] = "2024-25"  # 53 Mondays, 52 of every other day
    d = uer.setting_demand(None, ecds, uer.StaffingParams(ed_gp_share=0.1), ed_scale=0.01)
    assert d.loc[0, "ed"] == pytest.approx(53 * 100 / 53 * 0.1 * 0.01)
    assert d.loc[24, "ed"] == pytest.approx(53 * 100 / 52 * 0.1 * 0.01)
    assert d["iucs"].isna().all() and d["frailty"].isna().all()


# ============================================================================================
# Job plans
# ============================================================================================
S = ujp.Session


def _rules(**kw) -> ujp.JobPlanRules:
    return ujp.JobPlanRules(**kw)


VIOLATIONS = [
    # sessions, rules overrides, fragment of an expected violation
    pytest.param([S(0, 13, 4, "iucs"), S(0, 22, 4, "iucs")], {}, "only 5 hours rest",
                 id="short-rest"),
    pytest.param([S(6, 22, 4, "ed"), S(0, 8, 4, "iucs")], {}, "only 6 hours rest",
                 id="sunday-night-into-monday"),
    pytest.param([S(0, 8, 4, "iucs"), S(0, 8, 4, "ed")], {}, "overlaps", id="overlap"),
    pytest.param([S(0, 8, 4, "iucs"), S(0, 13, 4, "iucs"), S(0, 18, 4, "iucs")],
                 {"max_sessions_per_day": 3}, "lasts 14 hours", id="long-shift"),
    pytest.param([S(0, 8, 4, "iucs"), S(0, 13, 4, "iucs"), S(0, 18, 4, "iucs")], {},
                 "more than 2 sessions on Monday", id="per-day"),
    pytest.param([S(0, 22, 4, "iucs"), S(2, 22, 4, "iucs")], {}, "2 night sessions",
                 id="nights"),
    pytest.param([S(4, 22, 4, "iucs"), S(5, 13, 4, "iucs"), S(6, 13, 4, "iucs")], {},
                 "3 weekend sessions", id="friday-night-is-weekend"),
    pytest.param([S(5, 8, 4, "admin")], {}, "outside the hours of Admin", id="admin-weekend"),
    pytest.param([S(0, 18, 4, "frailty")], {}, "outside the hours of Frailty",
                 id="frailty-evening"),
    pytest.param([S(0, 8, 3, "iucs")], {}, "sessions last 4 hours", id="length"),
    pytest.param([S(0, 9, 4, "iucs")], {}, "start at the set times", id="start-time"),
    pytest.param([S(0, 8, 4, "surgery")], {}, "unknown setting", id="unknown-setting"),
    pytest.param([S(d, 8, 4, "iucs") for d in range(6)], {}, "6 working days",
                 id="working-days"),
]


@pytest.mark.parametrize("sessions, overrides, fragment", VIOLATIONS)
def test_validate_job_plan_finds_violations(sessions, overrides, fragment):
    errs = ujp.validate_job_plan(sessions, _rules(**overrides), final=False)
    assert any(fragment in e for e in errs), errs


def test_validate_job_plan_totals():
    plan = [S(0, 8, 4, "iucs"), S(0, 13, 4, "admin")]
    errs = ujp.validate_job_plan(plan, _rules(sessions=2), {"iucs": 1, "ed": 1, "admin": 0})
    assert any("0 ed sessions, not 1" in e for e in errs)
    assert ujp.validate_job_plan(plan, _rules(sessions=2)) == []
    assert any("fewer than 1" in e for e in ujp.validate_job_plan(
        [S(0, 8, 4, "iucs"), S(0, 13, 4, "iucs")], _rules(sessions=2)))


def _random_demand(rng) -> pd.DataFrame:
    h = np.arange(168) % 24
    out = {}
    for s in upr.SETTINGS:
        peak = rng.integers(0, 24)
        base = np.exp(-0.5 * ((h - peak) / rng.uniform(2, 8)) ** 2)
        out[s] = base * rng.uniform(0.5, 2, 168) * (1 + (np.arange(168) // 24 >= 5) *
                                                     rng.uniform(-0.5, 1))
    return pd.DataFrame(out)


def test_default_options_always_give_valid_plans():
    rng = np.random.default_rng(11)
    for _ in range(5):
        demand = _random_demand(rng)
        for quotas in ujp.OPTIONS.values():
            plan = ujp.generate_job_plan(demand, quotas)
            assert ujp.validate_job_plan(plan, ujp.JobPlanRules(), quotas) == []


def test_generated_plans_obey_their_rules_property():
    """Many random rule sets, demands and quotas: a plan obeys every rule, or none is made."""
    rng = np.random.default_rng(20240401)
    made = refused = 0
    for _ in range(40):
        session_hours = int(rng.integers(3, 6))
        starts = tuple(sorted(set(int(x) for x in rng.choice(range(24), rng.integers(2, 6),
                                                             replace=False))))
        sessions = int(rng.integers(3, 11))
        rules = ujp.JobPlanRules(
            sessions=sessions, max_sessions=sessions + int(rng.integers(0, 2)),
            session_hours=session_hours, slot_starts=starts,
            min_admin=int(rng.integers(0, 3)), max_sessions_per_day=int(rng.integers(1, 4)),
            max_break_hours=int(rng.integers(0, 3)), min_rest_hours=int(rng.integers(8, 13)),
            max_shift_hours=int(rng.integers(session_hours, 13)),
            max_nights=int(rng.integers(0, 3)), max_weekend_sessions=int(rng.integers(0, 5)),
            max_working_days=int(rng.integers(3, 8)),
            setting_hours={"iucs": (0, 24), "ed": (int(rng.integers(0, 10)), 26),
                           "frailty": (8, int(rng.integers(14, 23))),
                           "paediatrics": (int(rng.integers(0, 12)), 24)})
        names = list(ujp.PLAN_SETTINGS)
        admin = rules.min_admin + int(rng.integers(0, 2))
        split = rng.multinomial(max(sessions - admin, 0), [0.4, 0.2, 0.2, 0.2])
        quotas = {**dict(zip(names[:4], map(int, split), strict=True)), "admin": admin}
        try:
            plan = ujp.generate_job_plan(_random_demand(rng), quotas, rules)
        except ujp.JobPlanError:
            refused += 1
            continue
        made += 1
        assert ujp.validate_job_plan(plan, rules, {k: v for k, v in quotas.items() if v}) == []
    assert made >= 10, f"only {made} of {made + refused} rule sets gave a plan"


def test_generator_refuses_impossible_requests():
    demand = _random_demand(np.random.default_rng(1))
    with pytest.raises(ujp.JobPlanError, match="add up to 9"):
        ujp.generate_job_plan(demand, {"iucs": 8, "admin": 1})
    with pytest.raises(ujp.JobPlanError, match="admin"):
        ujp.generate_job_plan(demand, {"iucs": 10})
    with pytest.raises(ujp.JobPlanError, match="no job plan"):
        # frailty and admin are daytime only: 10 day sessions need five working days
        ujp.generate_job_plan(demand, {"frailty": 9, "admin": 1},
                             ujp.JobPlanRules(max_working_days=4))


def _need(**cells) -> pd.DataFrame:
    """Hand-made need: zero everywhere except ``setting=[(day, hour from, hour to, n), ...]``."""
    out = pd.DataFrame({s: np.zeros(168) for s in upr.SETTINGS})
    for setting, blocks in cells.items():
        for day, lo, hi, n in blocks:
            out.loc[day * 24 + lo: day * 24 + hi - 1, setting] = float(n)
    return out


def test_generator_puts_sessions_where_the_need_is():
    """All need on Saturday 10:00-14:00 (2 clinicians, 1 above the floor): a session lands
    there and meets the 4 clinician-hours above the floor."""
    need = _need(iucs=[(5, 10, 14, 2)])
    rules = ujp.JobPlanRules(slot_starts=(10, 15, 20))
    plan = ujp.generate_job_plan(need, {"iucs": 9, "admin": 1}, rules)
    assert any(s.day == 5 and s.start == 10 and s.setting == "iucs" for s in plan)
    met = ujp.plan_need_met(plan, need).set_index("setting")
    assert met.loc["IUCS clinical assessment", "need_hours"] == 8.0
    assert met.loc["IUCS clinical assessment", "need_above_staffed"] == 4.0
    assert met.loc["IUCS clinical assessment", "need_met"] == 4.0
    assert met.loc["IUCS clinical assessment", "share_met"] == pytest.approx(1.0)
    comp = ujp.plan_comparison({"p": plan}, need).iloc[0]
    assert comp["need_met"] == 4.0 and comp["share_of_need_met"] == pytest.approx(1.0)
    assert comp["saturday_sessions"] >= 1


def test_busiest_saturday_gets_the_weekend_sessions_and_the_score_is_hand_computed():
    """Need 1 clinician 08:00-22:00 every day, 3 on Saturday: both weekend sessions go to
    Saturday; above the floor only Saturday counts (2 x 14 clinician-hours), and 2 GPs on
    the plan meet 2 x 8 of them."""
    need = _need(iucs=[(d, 8, 22, 3 if d == 5 else 1) for d in range(7)])
    plan = ujp.generate_job_plan(need, {"iucs": 9, "admin": 1})
    assert sum(s.day == 5 for s in plan) == 2 and not any(s.day == 6 for s in plan)
    comp = ujp.plan_comparison({"p": plan}, need, staffed=1, posts=2).iloc[0]
    assert comp["need_total"] == 2 * 14
    assert comp["need_met"] == 2 * 8 and comp["share_of_need_met"] == pytest.approx(16 / 28)
    one = ujp.plan_comparison({"p": plan}, need, staffed=1, posts=1).iloc[0]
    assert one["need_met"] == 8
    none_above = ujp.plan_comparison({"p": plan}, need, staffed=3).iloc[0]
    assert none_above["need_met"] == 0 and np.isnan(none_above["share_of_need_met"])


def test_ties_on_whole_clinicians_go_to_the_busiest_day():
    """Need 2 clinicians 08:00-22:00 every day (every session meets as much), workload
    highest on Saturday: the weekend sessions go to Saturday, which the old local search
    could not reach when Sunday was placed first; with Sunday busiest they go to Sunday."""
    need = _need(iucs=[(d, 8, 22, 2) for d in range(7)])
    for busiest in (5, 6):
        workload = pd.DataFrame({s: np.where(np.arange(168) // 24 == busiest, 1.8, 1.2)
                                 for s in upr.SETTINGS}) * (need > 0)
        plan = ujp.generate_job_plan(need, {"iucs": 9, "admin": 1}, workload=workload)
        weekend = [s for s in plan if s.day >= 5]
        assert len(weekend) == 2 and {s.day for s in weekend} == {busiest}


def test_busiest_day_loses_to_need_met():
    """A tie-break never costs need: Saturday is busiest, but only Sunday needs a second
    clinician, so the weekend sessions go to Sunday."""
    need = _need(iucs=[(d, 8, 22, 2 if d == 6 else 1) for d in range(7)])
    workload = pd.DataFrame({s: np.where(np.arange(168) // 24 == 5, 3.0, 0.5)
                             for s in upr.SETTINGS})
    plan = ujp.generate_job_plan(need, {"iucs": 9, "admin": 1}, workload=workload)
    assert {s.day for s in plan if s.day >= 5} == {6}


def _brute_force_best(need, quotas, rules, posts):
    """Best need met over every set of slots obeying the rules (small rules only)."""
    from itertools import combinations

    slots = [(d, st) for d in range(7) for st in rules.slot_starts]
    above = (need.fillna(0) - rules.staffed_floor).clip(lower=0)
    best = -1.0
    for combo in combinations(slots, rules.sessions):
        base = [S(d, st, rules.session_hours, "iucs") for d, st in combo]
        if ujp.validate_job_plan(base, rules, final=False, check_settings=False):
            continue
        for k in range(len(combo)):  # which session is admin
            plan = [S(d, st, rules.session_hours, "admin" if i == k else "iucs")
                    for i, (d, st) in enumerate(combo)]
            if ujp.validate_job_plan(plan, rules, quotas):
                continue
            met = sum(min(posts, above["iucs"].iloc[h]) for s in plan if s.setting == "iucs"
                      for h in s.hours_of_week())
            best = max(best, met)
    return best


def test_integer_programme_finds_the_brute_force_optimum():
    """Small rule sets and random whole-clinician needs: the plan's need met equals the best
    found by trying every set of slots."""
    rng = np.random.default_rng(7)
    for _ in range(3):
        rules = ujp.JobPlanRules(sessions=3, max_sessions=3, slot_starts=(8, 13, 18),
                                 max_working_days=2, max_weekend_sessions=1, rota_posts=2)
        need = pd.DataFrame({s: np.zeros(168) for s in upr.SETTINGS})
        need["iucs"] = rng.integers(0, 5, 168).astype(float)
        quotas = {"iucs": 2, "admin": 1}
        plan = ujp.generate_job_plan(need, quotas, rules)
        assert ujp.validate_job_plan(plan, rules, quotas) == []
        got = ujp.plan_need_met(plan, need, 1, 2)["need_met"].sum()
        assert got == _brute_force_best(need, quotas, rules, 2)


def test_options_differ_by_the_need_their_placement_meets():
    """Same sessions, different placement: working the hours that need a second clinician
    scores, working hours at the floor scores nothing."""
    need = _need(iucs=[(d, 8, 22, 3 if d == 5 else 1) for d in range(7)])
    busy = [S(5, 8, 4, "iucs"), S(5, 13, 4, "iucs")]
    quiet = [S(2, 8, 4, "iucs"), S(2, 13, 4, "iucs")]
    comp = ujp.plan_comparison({"busy": busy, "quiet": quiet}, need, 1, 2).set_index("option")
    assert comp.loc["busy", "need_met"] == 16 and comp.loc["quiet", "need_met"] == 0


def test_need_met_is_min_of_supplied_and_required():
    need = _need(ed=[(0, 8, 12, 0.5)], iucs=[(0, 13, 17, 3)])
    plan = [S(0, 8, 4, "ed"), S(0, 13, 4, "iucs"), S(1, 8, 4, "ed")]
    met = ujp.plan_need_met(plan, need, staffed=0).set_index("setting")
    assert met.loc["Emergency department", "need_met"] == pytest.approx(4 * 0.5)
    assert met.loc["IUCS clinical assessment", "need_met"] == 4
    assert met.loc["Emergency department", "hours_worked"] == 8


def test_setting_hours_are_one_definition():
    """The staffing model and the job plans read the same opening hours (config)."""
    mask = upr.open_mask((8, 26))
    assert mask[8] and mask[23] and mask[24 + 1] and not mask[2 + 24 * 3 + 1]
    assert mask.sum() == 7 * 18 and upr.open_mask((0, 24)).all()
    assert upr.hours_label((8, 26)) == "08:00-02:00" and upr.hours_label((0, 24)) == "24 hours"
    rules = ujp.JobPlanRules(setting_hours={"iucs": (0, 24), "ed": (8, 26)})
    assert ujp.validate_job_plan([S(0, 22, 4, "iucs"), S(2, 22, 4, "ed")], rules, final=False,
                                 check_settings=True) == ["2 night sessions, more than 1"]


def test_floor_summary_counts_hours_at_one_clinician():
    staff = pd.DataFrame({"how": range(4), "setting": "ed", "servers": [0, 1, 1, 3],
                          "load": [0.0, 0.25, 0.5, 2.0]})
    fl = uer.floor_summary(staff).iloc[0]
    assert fl["floor_hours"] == 2 and fl["hours_with_demand"] == 3
    assert fl["floor_added_hours"] == pytest.approx(0.75 + 0.5)
    assert fl["floor_added_share"] == pytest.approx(1.25 / 5)


# ============================================================================================
# Costs
# ============================================================================================
def test_salaried_cost_arithmetic():
    p = uco.CostParams()
    c = uco.salaried_cost(p)
    assert c["salary"] == 100_000
    assert c["employer_ni"] == pytest.approx((100_000 - 5_000) * 0.15)
    assert c["employer_pension"] == pytest.approx(14_380)
    assert c["total"] == pytest.approx(100_000 + 14_250 + 14_380 + 2_000 + 1_000)
    assert c["working_weeks"] == pytest.approx(52 - 43 / 5)
    assert c["clinical_sessions_per_year"] == pytest.approx(9 * 43.4)


def test_llr_basis_and_locum_premium():
    p = uco.CostParams()
    rc = uco.role_costs(p).set_index("option")
    sal = rc.iloc[0]["cost_per_clinical_session"]
    assert rc.iloc[2]["cost_per_clinical_session"] == pytest.approx(sal * 1.45)
    assert rc.iloc[3]["cost_per_year"] == pytest.approx(112_000 / 9 / 43.4 * 9 * 43.4)
    assert rc.iloc[1]["cost_per_clinical_session"] == 400


def test_break_even_and_cost_base():
    p = uco.CostParams()
    be = uco.break_even(p).set_index("replacing")
    total = uco.salaried_cost(p)["total"]
    assert be.loc["Sessional", "break_even_sessions_per_week"] == pytest.approx(
        total / (400 * 43.4))
    cheap = uco.break_even(p.with_(sessional_rate_per_hour=20)).set_index("replacing")
    assert not cheap.loc["Sessional", "breaks_even"]
    cb = uco.cost_base_effect(20, 4, p, posts=(0, 1, 2), locum_share=0.0)
    assert cb.loc[0, "total"] == pytest.approx(20 * 52 * 400)
    assert cb.loc[1, "sessions_by_posts"] == pytest.approx(4 * 43.4)
    assert cb.loc[1, "cost_of_posts"] == pytest.approx(total * 4 / 9)
    assert cb.loc[0, "change_vs_none"] == 0




# ============================================================================================
# Tables the chapter shows (docs/figure_index.md)
# ============================================================================================
def test_hour_of_week_and_block_tables():
    # Monday 09:xx: 1, 2 and 3 cases in three weeks (10 minutes each); Sunday 23:xx once (30)
    times = (["2024-04-01 09:10"] + ["2024-04-08 09:20"] * 2 + ["2024-04-15 09:30"] * 3
             + ["2024-04-14 23:59"])
    c = cases_frame(times, minutes=[10.0] * 6 + [30.0])
    pc = upr.hour_of_week_profile(c, start="2024-04-01", end="2024-04-21")
    pm = upr.hour_of_week_profile(c, "minutes", start="2024-04-01", end="2024-04-21")
    full = upr.hour_of_week_table(pc, pm)
    assert len(full) == 168 and full["cases_in_period"].sum() == 7
    mon9 = full[(full["day"] == "Mon") & (full["hour"] == 9)].iloc[0]
    assert (mon9["cases_in_period"], mon9["cases_mean"], mon9["minutes_mean"]) == (6, 2.0, 20.0)
    blocks = upr.block_table(pc, pm).set_index(["day", "hours"])
    assert len(blocks) == 21 and blocks["cases_in_period"].sum() == 7
    day = blocks.loc[("Monday", "08:00-18:00")]
    assert day["cases_in_period"] == 6
    assert day["cases_per_hour_mean"] == pytest.approx(2.0 / 10)  # one busy hour in ten
    assert day["minutes_per_hour_mean"] == pytest.approx(20.0 / 10)
    night = blocks.loc[("Sunday", "18:00-24:00")]
    assert night["cases_in_period"] == 1
    assert night["cases_per_hour_mean"] == pytest.approx(1 / 3 / 6)
    assert night["minutes_per_hour_mean"] == pytest.approx(30 / 3 / 6)


def test_disposition_counts_and_shares():
    c = cases_frame(["2024-04-01 10:00"] * 4,
                    disposition=["ambulance", "ed", "primary_care", "primary_care"],
                    onward=["ed", "own_gp", "own_gp", "own_gp"])
    d = upr.disposition_counts(c).set_index(["kind", "category"])
    assert d.loc[("Disposition", uio.DISPOSITIONS["primary_care"]), "cases"] == 2
    assert d.loc[("Disposition", uio.DISPOSITIONS["primary_care"]), "share"] == 0.5
    assert d.loc[("Disposition", uio.DISPOSITIONS["utc"]), "cases"] == 0
    assert d.loc[("Onward service", uio.ONWARD_SERVICES["own_gp"]), "share"] == 0.75
    assert d.groupby(level="kind")["cases"].sum().tolist() == [4, 4]


def test_ae_per_hour_divides_by_the_days_of_each_weekday():
    # 2024-25 runs Monday 1 April 2024 to Monday 31 March 2025: 53 Mondays, 52 of other days
    ecds = pd.DataFrame({"how": np.arange(168), "ambulance": 530.0, "walk_in": 1060.0})
    ecds.attrs["financial_year"] = "2024-25"
    e = upr.ae_per_hour(ecds)
    assert e.attrs["financial_year"] == "2024-25" and len(e) == 168
    assert e.loc[0, "total"] == pytest.approx(1590 / 53)  # Monday 00:00
    assert e.loc[24, "ambulance"] == pytest.approx(530 / 52)  # Tuesday 00:00
    assert (e["total"] == e["walk_in"] + e["ambulance"]).all()


def test_staffing_summary_and_parameters():
    staff = pd.DataFrame({"how": [0, 1, 0, 1], "setting": ["iucs", "iucs", "ed", "ed"],
                          "arrivals": [1.0, 2.0, 3.0, 4.0], "servers": [0, 2, 1, 1],
                          "rostered": [0.0, 2.5, 1.25, 1.25]})
    s = uer.staffing_summary(staff).set_index("setting")
    assert s.loc["iucs"].tolist() == [3.0, 2, 2.5, 2, 1]
    assert s.loc["ed"].tolist() == [7.0, 2, 2.5, 1, 2]
    params = uer.StaffingParams()
    p = uer.staffing_parameters(params, staff[staff["setting"] == "iucs"])
    assert p["setting"].tolist() == [upr.SETTINGS["iucs"]]
    assert p.loc[0, "aht_minutes"] == params.settings["iucs"].aht_minutes
