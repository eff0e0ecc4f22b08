"""Rotational job plans for an Extended Portfolio GP across IUCS, ED, frailty and paediatrics.

:class:`JobPlanRules` states the rules; :func:`generate_job_plan` places a week's sessions on
the hour-of-week *need* of each setting (clinicians required on duty, from the Erlang C
staffing requirement) and never returns a plan that breaks a rule (:func:`validate_job_plan`
checks them). A plan is scored by the clinician-hours of need it meets
(:func:`plan_need_met`): ``min(supplied, required)`` summed over the hours of the week, as a
share of the total need; not by overlap in time.
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


def _tie_weight(need: pd.DataFrame, rules: JobPlanRules) -> float:
    """Weight of the tie-break (clinicians required in the hours worked): small enough that
    the whole plan's tie-break is worth less than one clinician-hour of need met."""
    top = float(np.nan_to_num(need.to_numpy(dtype=float)).max()) if need.size else 0.0
    return 0.5 / (rules.sessions * rules.session_hours * max(top, 1.0) + 1.0)


def _slot_scores(need: pd.DataFrame, setting: str, slots: list[tuple[int, int]],
                 hours: int, tie: float, workload: pd.DataFrame | None = None) -> np.ndarray:
    """Value of a session in ``setting`` at each (day, start) slot.

    The clinician-hours of need it meets, ``sum(min(1, need))`` over its hours (one GP
    supplies one clinician), plus ``tie`` x the clinicians required in those hours, so that
    among sessions meeting the same need the one where need is greatest wins (then, with
    ``workload``, where the workload is greatest: whole clinicians often tie). Admin/CPD
    meets no need and goes where the settings' total need is least.
    """
    if workload is not None and setting in workload:
        w = np.nan_to_num(workload[setting].to_numpy(dtype=float))
        base = _slot_scores(need, setting, slots, hours, tie)
        tie2 = tie * 0.5 / (len(slots) * hours * max(float(w.max(initial=0.0)), 1.0) + 1.0)
        return base + np.array([tie2 * w[[(d * 24 + st + k) % HOURS_PER_WEEK
                                          for k in range(hours)]].sum() for d, st in slots])
    def hours_of(d, st):
        return [(d * 24 + st + k) % HOURS_PER_WEEK for k in range(hours)]

    if setting == "admin":
        tot = np.nan_to_num(need.to_numpy(dtype=float)).sum(axis=1) if need.size \
            else np.zeros(HOURS_PER_WEEK)
        return np.array([-tie * tot[hours_of(d, st)].sum() for d, st in slots])
    n = np.nan_to_num(need[setting].to_numpy(dtype=float)) if setting in need \
        else np.zeros(HOURS_PER_WEEK)
    return np.array([np.minimum(n[hours_of(d, st)], 1.0).sum() + tie * n[hours_of(d, st)].sum()
                     for d, st in slots])


def peak_mask(values: np.ndarray, q: float = 0.75) -> np.ndarray:
    """Hours of the week in a setting's peak: demand at or above its ``q`` quantile (> 0)."""
    v = np.nan_to_num(np.asarray(values, dtype=float))
    pos = v[v > 0]
    if not len(pos):
        return np.zeros_like(v, dtype=bool)
    return (v >= np.quantile(pos, q)) & (v > 0)


def _day_patterns(rules: JobPlanRules) -> list[tuple[int, ...]]:
    """Sets of slot start hours one day may hold on its own (empty set included)."""
    from itertools import combinations

    pats: list[tuple[int, ...]] = [()]
    for k in range(1, rules.max_sessions_per_day + 1):
        for combo in combinations(sorted(rules.slot_starts), k):
            sessions = [Session(0, st, rules.session_hours, "iucs") for st in combo]
            if not validate_job_plan(sessions, rules, final=False, check_settings=False):
                pats.append(combo)
    return pats


def _assign(slots: list[tuple[int, int]], quotas: dict[str, int],
            score: dict[str, dict[tuple[int, int], float]]):
    """Best assignment of settings to ``slots`` meeting ``quotas`` exactly (DP over quotas).

    Returns (total score, list of settings) or (-inf, None) when no assignment exists.
    """
    names = sorted(quotas)
    memo: dict = {}

    def best(i: int, left: tuple[int, ...]):
        if i == len(slots):
            return (0.0, ()) if not any(left) else (-math.inf, None)
        key = (i, left)
        if key in memo:
            return memo[key]
        out = (-math.inf, None)
        for j, name in enumerate(names):
            if left[j] == 0:
                continue
            v = score[name].get(slots[i])
            if v is None:
                continue
            rest = best(i + 1, left[:j] + (left[j] - 1,) + left[j + 1:])
            if rest[1] is not None and v + rest[0] > out[0]:
                out = (v + rest[0], (name,) + rest[1])
        memo[key] = out
        return out

    total, chosen = best(0, tuple(quotas[n] for n in names))
    return total, (list(chosen) if chosen is not None else None)


def generate_job_plan(need: pd.DataFrame, quotas: dict[str, int],
                      rules: JobPlanRules | None = None, workload: pd.DataFrame | None = None,
                      max_nodes: int = 200_000, max_passes: int = 6) -> list[Session]:
    """A weekly plan with ``quotas`` sessions per setting, placed where the need is greatest.

    The objective is the plan's score, the clinician-hours of need met
    (:func:`plan_need_met`); since one GP supplies one clinician and sessions never overlap,
    it is the sum of each session's ``min(1, need)`` over its hours. Ties are broken towards
    the hours needing the most clinicians (the busiest hours, weekends included).

    1. Each day takes one of the slot patterns it may hold alone; a depth-first search over
       the days (Monday to Sunday, best-scoring patterns first) keeps only partial weeks that
       obey every rule, and stops at the first complete week whose slots can carry the quotas.
    2. Settings are assigned to the week's slots exactly (dynamic programme over the quotas
       left), maximising the objective.
    3. Local search: one or two days' patterns at a time (three consecutive days' when that
       finds nothing) are swapped for others while that improves the objective and the week
       still obeys the rules.

    The finished plan is checked again with :func:`validate_job_plan`, so a returned plan always
    obeys ``rules``.

    Parameters
    ----------
    need : DataFrame
        168 rows (hour of week), one column per setting: clinicians required on duty
        (:func:`analysis.models.urgent_care.erlang.need_by_setting`).
    quotas : dict
        Setting -> sessions (``admin`` for admin/CPD); must add up to ``rules.sessions``.
    rules : JobPlanRules, optional
    workload : DataFrame, optional
        Same shape as ``need``: clinician-hours of workload per hour, the last tie-break
        between hours needing the same whole number of clinicians.

    Raises
    ------
    JobPlanError
        When the quotas break a total rule, or no plan obeys the rules.
    """
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
    score: dict[str, dict[tuple[int, int], float]] = {}
    tie = _tie_weight(need, rules)
    for setting in quotas:
        sc = _slot_scores(need, setting, slots, rules.session_hours, tie, workload)
        score[setting] = {sl: float(v) for sl, v in zip(slots, sc, strict=True)
                          if _allowed_in_setting(Session(sl[0], sl[1], rules.session_hours,
                                                         setting), rules)}
    slot_value = {sl: max((score[s].get(sl, -math.inf) for s in quotas), default=-math.inf)
                  for sl in slots}
    pats = _day_patterns(rules)

    def sessions_of(week: list[tuple[int, ...]]) -> list[Session]:
        return [Session(d, st, rules.session_hours, "iucs")
                for d, pat in enumerate(week) for st in pat]

    def week_ok(week) -> bool:
        return not validate_job_plan(sessions_of(week), rules, final=False,
                                     check_settings=False)

    def week_slots(week) -> list[tuple[int, int]]:
        return [(d, st) for d, pat in enumerate(week) for st in pat]

    max_day = max(len(p) for p in pats)
    nodes = 0
    found: list | None = None

    def dfs(week: list[tuple[int, ...]], n: int) -> bool:
        nonlocal nodes, found
        d = len(week)
        if d == 7:
            if n == rules.sessions and _assign(week_slots(week), quotas, score)[1] is not None:
                found = list(week)
                return True
            return False
        order = sorted(pats, key=lambda p: -sum(slot_value[(d, st)] for st in p)
                       if p else math.inf)
        for p in order:
            if n + len(p) > rules.sessions or n + len(p) + max_day * (6 - d) < rules.sessions:
                continue
            nodes += 1
            if nodes > max_nodes:
                return False
            week.append(p)
            if week_ok(week) and dfs(week, n + len(p)):
                return True
            week.pop()
        return False

    dfs([], 0)
    if found is None:
        why = "search limit reached" if nodes > max_nodes else "no week obeys the rules"
        raise JobPlanError(f"no job plan found for {quotas} ({why})")
    week = found
    best_score, best_assign = _assign(week_slots(week), quotas, score)
    for _ in range(max_passes):
        improved = False
        # moves: one day's pattern for another of the same size, or two days' patterns
        # together (sessions move between days, the weekly total stays the same)
        for d1 in range(7):
            for d2 in range(d1, 7):
                size = len(week[d1]) + (len(week[d2]) if d2 != d1 else 0)
                for p1 in pats:
                    for p2 in (pats if d2 != d1 else [None]):
                        if len(p1) + (len(p2) if p2 is not None else 0) != size:
                            continue
                        trial = list(week)
                        trial[d1] = p1
                        if p2 is not None:
                            trial[d2] = p2
                        if trial == week or not week_ok(trial):
                            continue
                        sc, assign = _assign(week_slots(trial), quotas, score)
                        if assign is not None and sc > best_score + 1e-12:
                            week, best_score, best_assign = trial, sc, assign
                            improved = True
        # only when no one- or two-day move helps: three consecutive days together (a
        # weekend day can take a shift only if the evening before it moves too: daily rest)
        for d1 in range(5 if not improved else 0):
            size = sum(len(week[d]) for d in (d1, d1 + 1, d1 + 2))
            for p1 in pats:
                for p2 in pats:
                    for p3 in (p for p in pats if len(p) == size - len(p1) - len(p2)):
                        trial = list(week)
                        trial[d1], trial[d1 + 1], trial[d1 + 2] = p1, p2, p3
                        if trial == week or not week_ok(trial):
                            continue
                        sc, assign = _assign(week_slots(trial), quotas, score)
                        if assign is not None and sc > best_score + 1e-12:
                            week, best_score, best_assign = trial, sc, assign
                            improved = True
        if not improved:
            break
    plan = [Session(d, st, rules.session_hours, setting)
            for (d, st), setting in zip(week_slots(week), best_assign, strict=True)]
    problems = validate_job_plan(plan, rules, quotas)
    if problems:  # defensive: every step above keeps the rules
        raise JobPlanError("; ".join(problems))
    return sorted(plan, key=lambda s: s.begin)


def plan_grid(sessions: list[Session]) -> np.ndarray:
    """168-long array of the setting worked in each hour of the week ('' when off)."""
    grid = np.full(HOURS_PER_WEEK, "", dtype=object)
    for s in sessions:
        for h in s.hours_of_week():
            grid[h] = s.setting
    return grid


def plan_need_met(sessions: list[Session], need: pd.DataFrame) -> pd.DataFrame:
    """Clinician-hours of each setting's need the plan meets.

    Per setting: need (clinicians required on duty, summed over the 168 hours: clinician-hours
    a week), hours the plan works there, need met (``min(supplied, required)`` summed over the
    hours, one clinician supplied in each hour worked), its share of the setting's need, and
    the mean clinicians required in the hours worked (how busy those hours are).
    """
    grid = plan_grid(sessions)
    rows = []
    for s, label in SETTINGS.items():
        if s not in need or need[s].isna().all():
            continue
        n = need[s].fillna(0).to_numpy(dtype=float)
        supplied = (grid == s).astype(float)
        met = np.minimum(supplied, n).sum()
        worked = int(supplied.sum())
        rows.append({"setting": label, "sessions": sum(x.setting == s for x in sessions),
                     "need_hours": n.sum(), "hours_worked": worked, "need_met": met,
                     "share_met": met / n.sum() if n.sum() > 0 else math.nan,
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


def plan_comparison(plans: dict[str, list[Session]], need: pd.DataFrame) -> pd.DataFrame:
    """One row per job plan: sessions by setting, nights, weekend and Saturday sessions, and
    the clinician-hours of need met (each setting's and all settings', with its share of the
    total need; :func:`plan_need_met`)."""
    rows = []
    for name, sessions in plans.items():
        met = plan_need_met(sessions, need)
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
        total = float(met["need_hours"].sum()) if len(met) else 0.0
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
