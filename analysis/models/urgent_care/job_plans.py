"""Rotational job plans for an Extended Portfolio GP across IUCS, ED, frailty and paediatrics.

:class:`JobPlanRules` states the rules; :func:`generate_job_plan` places a week's sessions on
the hour-of-week *need* of each setting (clinicians required on duty, from the Erlang C
staffing requirement) by an exact integer programme, and never returns a plan that breaks a
rule (:func:`validate_job_plan` checks them). A plan is scored by the clinician-hours of need
it meets above the clinicians each setting already has on duty (:func:`plan_need_met`: the
floor of one clinician per open hour by default), for the GPs a rota puts on the plan:
``min(posts supplied, need above staffing)`` summed over the hours of the week; not by
overlap in time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io.urgent_care import DAY_SHORT, DAYS, HOURS_PER_WEEK
from analysis.models.urgent_care.profiles import SETTINGS, hours_label, open_mask

# Job-plan options compared in the report: name -> sessions per setting
OPTIONS = {
    "A: IUCS-led": {"iucs": 5, "ed": 2, "frailty": 1, "paediatrics": 1, "admin": 1},
    "B: Balanced rotation": {"iucs": 3, "ed": 2, "frailty": 2, "paediatrics": 2, "admin": 1},
    "C: Hospital-led": {"iucs": 2, "ed": 3, "frailty": 2, "paediatrics": 2, "admin": 1},
}

PLAN_SETTINGS = {**SETTINGS, "admin": "Admin / CPD"}
NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})


class JobPlanError(ValueError):
    """No plan meets the rules (the message says which request could not be placed)."""


@dataclass(frozen=True)
class Session:
    """One session: day (0 = Monday), start hour, length in hours, setting."""

    day: int
    start: int
    hours: int
    setting: str

    @property
    def begin(self) -> int:
        """Hour of week the session starts."""
        return self.day * 24 + self.start

    def hours_of_week(self) -> list[int]:
        return [(self.begin + k) % HOURS_PER_WEEK for k in range(self.hours)]

    def label(self) -> str:
        end = (self.start + self.hours) % 24
        return f"{DAY_SHORT[self.day]} {self.start:02d}:00-{end:02d}:00 {self.setting}"


@dataclass(frozen=True)
class JobPlanRules:
    """The rules every generated plan obeys (all checked by :func:`validate_job_plan`).

    Attributes
    ----------
    sessions : int
        Sessions a week, admin/CPD included (10 by default).
    max_sessions : int
        No more than this many sessions a week.
    session_hours : int
        Length of every session.
    slot_starts : tuple of int
        Hours at which a session may start (08:00, 13:00, 18:00, 22:00 by default).
    min_admin : int
        At least this many admin/CPD sessions, on weekdays within ``admin_hours``.
    max_sessions_per_day : int
        Sessions starting on one calendar day.
    max_break_hours : int
        A gap up to this long keeps two sessions in one shift (a lunch break).
    min_rest_hours : int
        Any longer gap between sessions must be at least this long (11 hours: Working Time
        Regulations daily rest). The week repeats, so Sunday night runs into Monday.
    max_shift_hours : int
        Longest shift, first start to last end, breaks included.
    max_nights : int
        Sessions touching 22:00-06:00.
    max_weekend_sessions : int
        Sessions touching Saturday or Sunday.
    max_working_days : int
        Days on which a session starts.
    staffed_floor : int
        Scoring, not a rule: clinicians each setting already has on duty in every hour it
        needs any (1: the floor of one clinician per open hour). A plan is scored by the need
        above them (:func:`need_above_staffed`).
    rota_posts : int
        Scoring, not a rule: GPs working the plan (the rotational posts a rota funds), each
        supplying one clinician in the hours it works; the score is the need above
        ``staffed_floor`` they meet together (2 by default; the notebook's ``rules``
        parameter sets it, e.g. ``{"rota_posts": 3}``).
    setting_hours : dict
        Setting -> [start, end) hours a session there may cover (end may exceed 24 for
        sessions running past midnight).
    """

    sessions: int = 10
    max_sessions: int = 10
    session_hours: int = 4
    slot_starts: tuple[int, ...] = (8, 13, 18, 22)
    min_admin: int = 1
    admin_hours: tuple[int, int] = (8, 18)
    max_sessions_per_day: int = 2
    max_break_hours: int = 1
    min_rest_hours: int = 11
    max_shift_hours: int = 10
    max_nights: int = 1
    max_weekend_sessions: int = 2
    max_working_days: int = 5
    staffed_floor: int = 1
    rota_posts: int = 2
    setting_hours: dict = field(default_factory=lambda: {
        "iucs": (0, 24), "ed": (8, 26), "frailty": (8, 20), "paediatrics": (8, 22)})

    def describe(self) -> list[str]:
        """The rules in words, for the report."""
        return [
            f"{self.sessions} sessions a week (never more than {self.max_sessions}), each "
            f"{self.session_hours} hours, starting at "
            + ", ".join(f"{h:02d}:00" for h in self.slot_starts) + ".",
            f"At least {self.min_admin} admin/CPD session(s), on a weekday between "
            f"{self.admin_hours[0]:02d}:00 and {self.admin_hours[1]:02d}:00.",
            f"At most {self.max_sessions_per_day} sessions starting on one day and at most "
            f"{self.max_working_days} working days.",
            f"Sessions less than {self.min_rest_hours} hours apart must be in one shift (gap "
            f"of {self.max_break_hours} hour or less); shifts last at most "
            f"{self.max_shift_hours} hours; the week repeats, so Sunday runs into Monday.",
            f"At most {self.max_nights} night session(s) (any part between 22:00 and 06:00) "
            f"and {self.max_weekend_sessions} weekend session(s).",
            "Settings' hours (the same hours the staffing model uses): " + "; ".join(
                f"{PLAN_SETTINGS.get(s, s)} {hours_label(h)}"
                for s, h in self.setting_hours.items()) + ".",
        ]


def _allowed_in_setting(s: Session, rules: JobPlanRules) -> bool:
    if s.setting == "admin":
        lo, hi = rules.admin_hours
        return s.day < 5 and s.start >= lo and s.start + s.hours <= hi
    is_open = open_mask(rules.setting_hours.get(s.setting, (0, 24)))
    return bool(all(is_open[h] for h in s.hours_of_week()))


def validate_job_plan(sessions: list[Session], rules: JobPlanRules,
                      quotas: dict[str, int] | None = None, final: bool = True,
                      check_settings: bool = True) -> list[str]:
    """Every rule the plan breaks, in words (empty when it obeys them all).

    ``final=False`` checks a partial plan: everything except the totals (sessions, admin
    minimum, quotas). ``check_settings=False`` ignores which setting each session is in.
    """
    errs = []
    for s in sessions:
        if not (0 <= s.day < 7 and 0 <= s.start < 24):
            errs.append(f"{s.label()}: not a valid day and hour")
        if s.hours != rules.session_hours:
            errs.append(f"{s.label()}: sessions last {rules.session_hours} hours")
        if s.start not in rules.slot_starts:
            errs.append(f"{s.label()}: sessions start at the set times only")
        if not check_settings:
            continue
        if s.setting not in PLAN_SETTINGS:
            errs.append(f"{s.label()}: unknown setting")
        elif not _allowed_in_setting(s, rules):
            errs.append(f"{s.label()}: outside the hours of {PLAN_SETTINGS[s.setting]}")
    if final:
        if len(sessions) != rules.sessions:
            errs.append(f"{len(sessions)} sessions, not {rules.sessions}")
        n_admin = sum(s.setting == "admin" for s in sessions)
        if n_admin < rules.min_admin:
            errs.append(f"{n_admin} admin/CPD sessions, fewer than {rules.min_admin}")
        if quotas is not None:
            for k, v in quotas.items():
                got = sum(s.setting == k for s in sessions)
                if got != v:
                    errs.append(f"{got} {k} sessions, not {v}")
    if len(sessions) > rules.max_sessions:
        errs.append(f"{len(sessions)} sessions, more than {rules.max_sessions}")
    per_day = np.bincount([s.day % 7 for s in sessions], minlength=7)
    if per_day.max(initial=0) > rules.max_sessions_per_day:
        errs.append(f"more than {rules.max_sessions_per_day} sessions on "
                    f"{DAYS[int(per_day.argmax())]}")
    if int((per_day > 0).sum()) > rules.max_working_days:
        errs.append(f"{int((per_day > 0).sum())} working days, more than "
                    f"{rules.max_working_days}")
    nights = sum(bool(NIGHT_HOURS & {h % 24 for h in s.hours_of_week()}) for s in sessions)
    if nights > rules.max_nights:
        errs.append(f"{nights} night sessions, more than {rules.max_nights}")
    weekend = sum(any(h // 24 >= 5 for h in s.hours_of_week()) for s in sessions)
    if weekend > rules.max_weekend_sessions:
        errs.append(f"{weekend} weekend sessions, more than {rules.max_weekend_sessions}")
    if len(sessions) >= 1:
        order = sorted(sessions, key=lambda s: s.begin)
        gaps = []
        for i, s in enumerate(order):
            nxt = order[(i + 1) % len(order)]
            end = s.begin + s.hours
            start = nxt.begin + (HOURS_PER_WEEK if i == len(order) - 1 else 0)
            gaps.append(start - end)
        for i, g in enumerate(gaps):
            a, b = order[i], order[(i + 1) % len(order)]
            if len(order) == 1:
                if g < 0:
                    errs.append(f"{a.label()}: longer than the week")
                break
            if g < 0:
                errs.append(f"{a.label()} overlaps {b.label()}")
            elif rules.max_break_hours < g < rules.min_rest_hours:
                errs.append(f"only {g} hours rest between {a.label()} and {b.label()}")
        # shifts: chains joined by gaps of at most max_break_hours
        if len(order) > 1:
            joined = [0 <= g <= rules.max_break_hours for g in gaps]
            if all(joined):
                errs.append("no rest break in the whole week")
            else:
                k0 = (joined.index(False) + 1) % len(order)
                i, span_start = k0, None
                for _ in range(len(order)):
                    s = order[i]
                    begin = s.begin + (HOURS_PER_WEEK if i < k0 else 0)
                    if span_start is None:
                        span_start = begin
                    if not joined[i]:
                        length = begin + s.hours - span_start
                        if length > rules.max_shift_hours:
                            errs.append(f"shift from {order[(i - 0) % len(order)].label()} "
                                        f"lasts {length} hours, more than "
                                        f"{rules.max_shift_hours}")
                        span_start = None
                    i = (i + 1) % len(order)
        elif sessions[0].hours > rules.max_shift_hours:
            errs.append(f"{sessions[0].label()}: longer than a shift")
    return errs


def peak_mask(values: np.ndarray, q: float = 0.75) -> np.ndarray:
    """Hours of the week in a setting's peak: demand at or above its ``q`` quantile (> 0)."""
    v = np.nan_to_num(np.asarray(values, dtype=float))
    pos = v[v > 0]
    if not len(pos):
        return np.zeros_like(v, dtype=bool)
    return (v >= np.quantile(pos, q)) & (v > 0)


def need_above_staffed(need: pd.DataFrame, staffed: float) -> pd.DataFrame:
    """Clinicians required beyond the ``staffed`` clinicians a setting already has on duty in
    each hour it needs any: ``max(need - staffed, 0)``, the need a rotational GP can meet.

    With ``staffed = 1`` (the default of :attr:`JobPlanRules.staffed_floor`) this is the need
    above the floor of one clinician in every open hour: the floor is the service's existing
    duty clinician, and only the hours needing a second (third ...) clinician count.
    """
    n = need.astype(float).fillna(0.0)
    return (n - float(staffed)).clip(lower=0.0)


_CONFLICTS: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int, int]]]] = {}


def _conflicts(slots: list[tuple[int, int]], rules: JobPlanRules):
    """Pairs and triples of slots a plan may not hold together (cached by the rules).

    A pair breaks a rule on its own (overlap, too little rest, a shift too long, too many
    sessions on one day); a triple does so only with all three (a shift of three sessions).
    Found with :func:`validate_job_plan`, so they are the same rules it checks.
    """
    from itertools import combinations

    key = repr((slots, rules))
    if key in _CONFLICTS:
        return _CONFLICTS[key]

    def bad(idx) -> bool:
        sessions = [Session(slots[i][0], slots[i][1], rules.session_hours, "iucs") for i in idx]
        return bool(validate_job_plan(sessions, rules, final=False, check_settings=False))

    pairs = [(a, b) for a, b in combinations(range(len(slots)), 2) if bad((a, b))]
    bad_pairs = set(pairs)
    begins = np.array([d * 24 + st for d, st in slots])
    triples = []
    for a, b, c in combinations(range(len(slots)), 3):
        if {(a, b), (a, c), (b, c)} & bad_pairs:
            continue
        # only sessions within two days of one another can form one shift or one day
        if begins[c] - begins[a] > 48 and begins[a] + HOURS_PER_WEEK - begins[c] > 48:
            continue
        if bad((a, b, c)):
            triples.append((a, b, c))
    _CONFLICTS[key] = (pairs, triples)
    return pairs, triples


def generate_job_plan(need: pd.DataFrame, quotas: dict[str, int],
                      rules: JobPlanRules | None = None, workload: pd.DataFrame | None = None,
                      max_cuts: int = 50) -> list[Session]:
    """A weekly plan with ``quotas`` sessions per setting, placed where the need is greatest.

    An exact integer programme (``scipy.optimize.milp``, HiGHS): one binary variable for each
    (slot, setting) a session may take, subject to every rule of ``rules`` as linear
    constraints (quotas, one session per slot, sessions per day, working days, nights, weekend
    sessions, and pairs or triples of slots that break the rest and shift rules together).
    Three objectives, in order, each maximised with the ones before held at their optimum:

    1. the clinician-hours of need above the clinicians already staffed that
       ``rules.rota_posts`` GPs working the plan meet (:func:`plan_need_met`:
       ``min(posts, max(need - staffed, 0))`` summed over the hours worked, each GP
       supplying one clinician);
    2. among plans meeting as much (whole clinicians tie often), the busiest days: each
       session counts its setting's continuous workload over the whole day it works
       (``workload``, clinician-hours; the clinicians required when not given), so a plan
       works the busiest day of the week when it can at no cost in need met;
    3. then the busiest hours: the workload in the hours worked.

    Admin/CPD counts minus the settings' total workload, so it goes where that is least. A
    plan that still breaks a rule :func:`validate_job_plan` checks is cut off and the
    programme solved again, so a returned plan always obeys ``rules``.

    Parameters
    ----------
    need : DataFrame
        168 rows (hour of week), one column per setting: clinicians required on duty
        (:func:`analysis.models.urgent_care.erlang.need_by_setting`).
    quotas : dict
        Setting -> sessions (``admin`` for admin/CPD); must add up to ``rules.sessions``.
    rules : JobPlanRules, optional
    workload : DataFrame, optional
        Same shape as ``need``: clinician-hours of workload per hour (the tie-break).
    max_cuts : int
        Re-solves allowed after cutting off a plan that breaks a rule.

    Returns
    -------
    list of Session
        Sorted by start.

    Raises
    ------
    JobPlanError
        When the quotas break a total rule, or no plan obeys the rules.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    rules = rules or JobPlanRules()
    quotas = {k: int(v) for k, v in quotas.items() if int(v) > 0}
    if sum(quotas.values()) != rules.sessions:
        raise JobPlanError(f"quotas add up to {sum(quotas.values())} sessions, not "
                           f"{rules.sessions}")
    if rules.sessions > rules.max_sessions:
        raise JobPlanError(f"{rules.sessions} sessions is more than the maximum "
                           f"{rules.max_sessions}")
    if quotas.get("admin", 0) < rules.min_admin:
        raise JobPlanError(f"at least {rules.min_admin} admin/CPD session(s) needed")
    unknown = set(quotas) - set(PLAN_SETTINGS)
    if unknown:
        raise JobPlanError(f"unknown setting(s): {', '.join(sorted(unknown))}")

    slots = [(d, st) for d in range(7) for st in rules.slot_starts]
    hours = (np.array([d * 24 + st for d, st in slots])[:, None]
             + np.arange(rules.session_hours)[None, :]) % HOURS_PER_WEEK
    above = need_above_staffed(need, rules.staffed_floor)
    cont = (workload if workload is not None else need).astype(float).fillna(0.0)
    total_cont = cont.to_numpy().sum(axis=1) if cont.size else np.zeros(HOURS_PER_WEEK)
    names = sorted(quotas)
    day_of = hours // 24
    var: list[tuple[int, str]] = []
    objectives: list[list[float]] = [[], [], []]  # need met; busiest days; busiest hours
    for name in names:
        if name == "admin":
            met = np.zeros(len(slots))
            c = -total_cont
        else:
            a = above[name].to_numpy() if name in above else np.zeros(HOURS_PER_WEEK)
            c = cont[name].to_numpy() if name in cont else np.zeros(HOURS_PER_WEEK)
            met = np.minimum(a[hours], float(rules.rota_posts)).sum(axis=1)
        day_total = c.reshape(7, 24).sum(axis=1)
        by_day = day_total[day_of].sum(axis=1)
        by_hour = c[hours].sum(axis=1)
        for i, (d, st) in enumerate(slots):
            if _allowed_in_setting(Session(d, st, rules.session_hours, name), rules):
                var.append((i, name))
                for obj, v in zip(objectives, (met, by_day, by_hour), strict=True):
                    obj.append(float(v[i]))
    n_x = len(var)
    n = n_x + 7  # plus one indicator per day worked
    rows: list[tuple[dict[int, float], float, float]] = []

    def add(coefs: dict[int, float], lo: float, hi: float) -> None:
        rows.append((coefs, lo, hi))

    by_slot: dict[int, list[int]] = {}
    for j, (i, _) in enumerate(var):
        by_slot.setdefault(i, []).append(j)
    for name in names:
        add({j: 1.0 for j, (_, s) in enumerate(var) if s == name}, quotas[name], quotas[name])
    for js in by_slot.values():
        add(dict.fromkeys(js, 1.0), 0, 1)
    for d in range(7):
        coefs = {j: 1.0 for j, (i, _) in enumerate(var) if slots[i][0] == d}
        coefs[n_x + d] = -float(rules.max_sessions_per_day)
        add(coefs, -np.inf, 0)
    add({n_x + d: 1.0 for d in range(7)}, 0, rules.max_working_days)
    night = {i for i in range(len(slots)) if NIGHT_HOURS & set((hours[i] % 24).tolist())}
    weekend = {i for i in range(len(slots)) if (hours[i] // 24 >= 5).any()}
    add({j: 1.0 for j, (i, _) in enumerate(var) if i in night}, 0, rules.max_nights)
    add({j: 1.0 for j, (i, _) in enumerate(var) if i in weekend}, 0,
        rules.max_weekend_sessions)
    pairs, triples = _conflicts(slots, rules)
    for group in [*pairs, *triples]:
        add({j: 1.0 for i in group for j in by_slot.get(i, [])}, 0, len(group) - 1)

    def matrix(part: list):
        r = [k for k, (coefs, _, _) in enumerate(part) for _ in coefs]
        c = [j for coefs, _, _ in part for j in coefs]
        v = [x for coefs, _, _ in part for x in coefs.values()]
        return (coo_array((v, (r, c)), shape=(len(part), n)).tocsr(),
                [lo for _, lo, _ in part], [hi for _, _, hi in part])

    base = matrix(rows)

    def solve(c: np.ndarray, extra: list) -> np.ndarray | None:
        cons = [LinearConstraint(*base)] + ([LinearConstraint(*matrix(extra))] if extra else [])
        res = milp(c=-c, constraints=cons, integrality=np.ones(n),
                   bounds=Bounds(np.zeros(n), np.ones(n)),
                   options={"mip_rel_gap": 0.0, "presolve": True})
        return None if res.x is None else np.round(res.x).astype(int)

    objs = [np.concatenate([o, np.zeros(7)]) for o in objectives]
    cuts: list = []
    for _ in range(max_cuts + 1):
        held: list = []
        for k, c in enumerate(objs):  # each objective at its best, the earlier ones held
            x = solve(c, cuts + held)
            if x is None and k == 0:
                raise JobPlanError(f"no job plan found for {quotas} (no week obeys the "
                                   "rules)")
            if x is None:  # cannot happen: the previous solution is feasible here too
                raise JobPlanError(f"no job plan found for {quotas} (tie-break failed)")
            best = float(c @ x)
            held.append(({j: float(c[j]) for j in range(n_x) if c[j]},
                         best - 1e-6 * max(1.0, abs(best)), np.inf))
        chosen = [j for j in range(n_x) if x[j]]
        plan = [Session(slots[var[j][0]][0], slots[var[j][0]][1], rules.session_hours,
                        var[j][1]) for j in chosen]
        if not validate_job_plan(plan, rules, quotas):
            return sorted(plan, key=lambda s: s.begin)
        used = {var[j][0] for j in chosen}  # cut off this set of slots, whatever the settings
        cuts.append(({j: 1.0 for i in used for j in by_slot[i]}, -np.inf, len(used) - 1))
    raise JobPlanError(f"no job plan found for {quotas} (every solution broke a rule)")


def plan_grid(sessions: list[Session]) -> np.ndarray:
    """168-long array of the setting worked in each hour of the week ('' when off)."""
    grid = np.full(HOURS_PER_WEEK, "", dtype=object)
    for s in sessions:
        for h in s.hours_of_week():
            grid[h] = s.setting
    return grid


def plan_need_met(sessions: list[Session], need: pd.DataFrame,
                  staffed: float = 1, posts: int = 1) -> pd.DataFrame:
    """Clinician-hours of each setting's need above its existing staffing that ``posts`` GPs
    working the plan meet.

    Per setting: need (clinicians required on duty, summed over the 168 hours: clinician-hours
    a week), the need above the ``staffed`` clinicians already on duty in every hour that
    needs any (:func:`need_above_staffed`; with 1, the need above the floor), hours the plan
    works there, need met (``min(posts, need above staffed)`` summed over the hours worked:
    each GP supplies one clinician), its share of the need above staffing, and the mean
    clinicians required in the hours worked (how busy those hours are).
    """
    grid = plan_grid(sessions)
    above = need_above_staffed(need, staffed)
    rows = []
    for s, label in SETTINGS.items():
        if s not in need or need[s].isna().all():
            continue
        n = need[s].fillna(0).to_numpy(dtype=float)
        a = above[s].to_numpy(dtype=float)
        supplied = (grid == s).astype(float) * posts
        met = np.minimum(supplied, a).sum()
        worked = int((grid == s).sum())
        rows.append({"setting": label, "sessions": sum(x.setting == s for x in sessions),
                     "need_hours": n.sum(), "need_above_staffed": a.sum(),
                     "hours_worked": worked, "need_met": met,
                     "share_met": met / a.sum() if a.sum() > 0 else math.nan,
                     "mean_need_in_hours_worked": n[supplied > 0].mean() if worked
                     else math.nan})
    return pd.DataFrame(rows)


def available_quotas(quotas: dict, available: list[str]) -> dict | None:
    """Move sessions of settings without data to the first available of IUCS, ED, ...

    None when no setting has data.
    """
    if not available:
        return None
    out = {k: v for k, v in quotas.items() if k == "admin" or k in available}
    spare = sum(v for k, v in quotas.items() if k != "admin" and k not in available)
    if spare:
        first = next(s for s in SETTINGS if s in available)
        out[first] = out.get(first, 0) + spare
    return out


def plan_comparison(plans: dict[str, list[Session]], need: pd.DataFrame,
                    staffed: float = 1, posts: int = 1) -> pd.DataFrame:
    """One row per job plan: sessions by setting, nights, weekend and Saturday sessions, and
    the clinician-hours of need above the existing staffing that ``posts`` GPs on the plan
    meet (each setting's and all settings', with its share of the need above staffing;
    :func:`plan_need_met`)."""
    rows = []
    for name, sessions in plans.items():
        met = plan_need_met(sessions, need, staffed, posts)
        row = {"option": name}
        for s in PLAN_SETTINGS:
            row[f"{s}_sessions"] = sum(x.setting == s for x in sessions)
        row["night_sessions"] = sum(bool(NIGHT_HOURS & {h % 24 for h in x.hours_of_week()})
                                    for x in sessions)
        row["weekend_sessions"] = sum(any(h // 24 >= 5 for h in x.hours_of_week())
                                      for x in sessions)
        row["saturday_sessions"] = sum(x.day == 5 for x in sessions)
        for r in met.itertuples():
            key = next(k for k, v in SETTINGS.items() if v == r.setting)
            row[f"{key}_need_met"] = r.need_met
        total = float(met["need_above_staffed"].sum()) if len(met) else 0.0
        row["need_met"] = float(met["need_met"].sum()) if len(met) else 0.0
        row["need_total"] = total
        row["share_of_need_met"] = row["need_met"] / total if total > 0 else math.nan
        worked = met["hours_worked"].sum() if len(met) else 0
        row["mean_need_in_hours_worked"] = (
            float((met["mean_need_in_hours_worked"].fillna(0) * met["hours_worked"]).sum()
                  / worked) if worked else math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def best_plan(comparison: pd.DataFrame) -> pd.Series | None:
    """The row of :func:`plan_comparison` meeting the most need (then: working the busiest
    hours); None if no plan."""
    if comparison.empty:
        return None
    return comparison.sort_values(["share_of_need_met", "mean_need_in_hours_worked"],
                                  ascending=False, kind="stable").iloc[0]


def plan_sessions(plans: dict[str, list[Session]]) -> pd.DataFrame:
    """Every session of every plan, one row each: option, day, start, end, setting."""
    return pd.DataFrame([{"option": name, "day": DAYS[s.day], "start": f"{s.start:02d}:00",
                          "end": f"{(s.start + s.hours) % 24:02d}:00",
                          "setting": PLAN_SETTINGS[s.setting]}
                         for name, sessions in plans.items() for s in sessions])
