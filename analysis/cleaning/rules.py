"""Cleaning rules for local staff-level returns, each a small tested function, and the pipeline.

Every raw row ends in exactly one of three states, written to the audit trail:

* **kept**: used as typed;
* **corrected**: used after one or more corrections, each logged as (field, old value, new
  value, rule);
* **quarantined**: not used, with the reason.

so that ``raw rows = kept + corrected + quarantined`` (:func:`check_accounting`). Missing returns
are then filled per period: carried forward from the practice's latest earlier return, or, where
there is none, estimated from the practice of the nearest list size in the same CCG; those rows
are flagged (``source``) and are not raw rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io.returns import load_lookup
from analysis.util.markers import MISSING_MARKERS
from analysis.util.periods import in_post_at_end as in_post
from analysis.util.periods import parse_dates, period_end

SESSIONS_PER_WTE = 9.0
HOURS_PER_WTE = 37.5
GP = "GP"
REGISTRAR_ROLES = {"Registrar ST1/2", "Registrar ST3/4", "Registrar F1/2"}
LOCUM_ROLES = {"Locum covering sickness/maternity/paternity", "Locum covering vacancy",
               "Locum other"}


@dataclass
class Limits:
    """Plausibility limits and conversion factors (config ``returns:`` section)."""

    sessions_per_wte: float = SESSIONS_PER_WTE
    hours_per_wte: float = HOURS_PER_WTE
    max_wte_per_post: float = 2.0
    min_age: int = 18
    max_age: int = 80
    hours_sessions_tolerance_wte: float = 0.05
    max_years_after_period: int = 5  # start or leaving dates later than this are typing errors


# ---------------------------------------------------------------------------------------------
# Field rules (vectorised over a column of text)
# ---------------------------------------------------------------------------------------------
def normalise_text(values: pd.Series, upper: bool = False) -> pd.Series:
    """Trim, collapse inner runs of spaces and (optionally) upper-case."""
    out = values.astype("string").fillna("").str.strip().str.replace(r"\s+", " ", regex=True)
    return out.str.upper() if upper else out


def sessions_to_wte(sessions: pd.Series, per_wte: float = SESSIONS_PER_WTE) -> pd.Series:
    """Sessions per week to WTE (9 sessions = 1 WTE by default)."""
    return sessions / per_wte


def hours_to_wte(hours: pd.Series, per_wte: float = HOURS_PER_WTE) -> pd.Series:
    """Hours per week to WTE (37.5 hours = 1 WTE by default)."""
    return hours / per_wte


def typed(values: pd.Series) -> pd.Series:
    """True where something other than blank or a missing marker ('ND', 'NA') was typed."""
    return ~normalise_text(values).str.upper().isin(MISSING_MARKERS)


def to_number(values: pd.Series) -> pd.Series:
    """Text to float; blank, 'ND', 'NA' -> NaN; text that is not a number -> NaN (caller
    flags it, see :func:`typed`)."""
    text = normalise_text(values).str.replace(",", "", regex=False)
    out = pd.to_numeric(text.where(typed(values)), errors="coerce").astype(float)
    return out.where(np.isfinite(out))  # 'inf', '1e400' are not numbers either


def parse_date(values: pd.Series) -> pd.Series:
    """Dates in the common typed formats (ISO, dd/mm/yyyy, dd/mm/yy, 1 Apr 2017...); blank,
    missing markers and anything else -> NaT (see :func:`analysis.util.periods.parse_dates`)."""
    return parse_dates(normalise_text(values).where(typed(values)))


def age_from_dob(dob: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years between date of birth and ``on`` (the end of the return period)."""
    years = on.dt.year - dob.dt.year
    before_birthday = (on.dt.month < dob.dt.month) | (
        (on.dt.month == dob.dt.month) & (on.dt.day < dob.dt.day))
    return (years - before_birthday.astype(int)).astype("Int64").where(dob.notna())


def band_bounds(bands: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Lower and upper age of bands such as '55-59', '55 to 59', '70+', 'Under 25'."""
    text = normalise_text(bands).str.lower()
    lo = pd.to_numeric(text.str.extract(r"^(\d+)\s*(?:-|to|\+|plus)")[0], errors="coerce")
    hi = pd.to_numeric(text.str.extract(r"^\d+\s*(?:-|to)\s*(\d+)")[0], errors="coerce")
    under = pd.to_numeric(text.str.extract(r"^under\s*(\d+)")[0], errors="coerce")
    lo = lo.where(under.isna(), 0)
    hi = hi.where(under.isna(), under - 1)
    plus = text.str.contains(r"\+|plus", regex=True)
    hi = hi.where(~plus, lo.clip(lower=120))  # open-ended: up to 120 (or the lower bound)
    return lo.astype(float), hi.astype(float)


def age_band(age: pd.Series) -> pd.Series:
    """Five-year band label for an age: 'Under 25', '25-29', ..., '65-69', '70+'."""
    edges = [0, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 200]
    labels = ["Under 25", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59",
              "60-64", "65-69", "70+"]
    return pd.cut(age.astype(float), edges, right=False, labels=labels).astype("string")


def map_roles(job_role: pd.Series, employment_type: pd.Series,
              lookup: dict | None = None) -> pd.DataFrame:
    """Role labels to (staff_group, role) through the maintained lookup.

    A generic label ('GP') takes its role from the employment type. Labels not in the lookup
    give missing values; the caller quarantines those rows (labels are never guessed).
    """
    lookup = lookup or load_lookup()
    typed_label = normalise_text(job_role)
    typed_emp = normalise_text(employment_type)
    label = typed_label.str.lower()
    emp = typed_emp.str.lower()
    generic = label.map(lookup["generic"])
    use = label.where(generic.isna(), emp)
    shown = typed_label.where(generic.isna(), typed_emp)
    group = use.map({k: v[0] for k, v in lookup["roles"].items()}).astype("string")
    role = use.map({k: v[1] for k, v in lookup["roles"].items()}).astype("string")
    # a generic 'GP' label with an employment type that is not a GP role is unknown
    wrong = generic.notna() & group.notna() & (group != generic)
    return pd.DataFrame({"staff_group": group.mask(wrong), "role": role.mask(wrong),
                         "label": shown})


def map_gender(values: pd.Series, lookup: dict | None = None) -> pd.Series:
    """Gender spellings to F/M/U; blank -> U; unknown spellings -> missing."""
    lookup = lookup or load_lookup()
    text = normalise_text(values).str.lower()
    return text.map(lookup["genders"]).where(text != "", "U").astype("string")


def parse_stamp(values: pd.Series) -> pd.Series:
    """Submission stamps: a date (:func:`parse_date`) or an ISO date and time
    ('2017-11-03 10:22'); anything else -> NaT."""
    text = normalise_text(values).where(typed(values))
    out = parse_dates(text)
    rest = (out.isna() & text.notna() & (text != "")).fillna(False).astype(bool)
    for i, v in text[rest].items():  # few: stamps that are not plain dates
        try:
            ts = pd.to_datetime(v, format="ISO8601")
        except (ValueError, OverflowError, TypeError):
            continue
        if ts.tzinfo is not None:
            ts = ts.tz_convert(None)
        if pd.notna(ts) and pd.Timestamp.min <= ts <= pd.Timestamp.max:
            out.loc[i] = ts
    return out


def resubmissions(code: pd.Series, period: pd.Series, source_file: pd.Series,
                  stamp: pd.Series, modified: dict, submitting: pd.Series,
                  rows: pd.Series) -> pd.Series:
    """Rows of a practice's return for a period that a later submission replaces.

    A *submission* of practice P for period M is the rows for P and M that one file holds with
    one ``submitted`` stamp (blank when the file has none). P and M are *resubmitted* when two
    or more submissions hold rows of theirs that are not exact copies of an earlier row (a file
    that only repeats rows already read is a copy, handled as exact duplicates). The later
    submission wins: the one with the latest stamp, or, for a submission without a stamp, its
    file's modification time (``modified``). Every other submission's rows are quarantined,
    naming the file that replaces them. When the latest time is shared (no stamp and the same
    file time), nothing tells which submission is later: all of them are quarantined, naming
    the files.

    Parameters
    ----------
    code, period, source_file : Series
        Normalised practice code, period and the file of every raw row.
    stamp : Series
        Parsed ``submitted`` stamps (NaT where blank).
    modified : dict
        File name -> modification time in nanoseconds since the epoch (missing: unknown).
    submitting : Series of bool
        Rows that make their file a submission: a known practice and period, and not an exact
        copy of an earlier row.
    rows : Series of bool
        Rows that the outcome applies to (a known practice and period, copies included).

    Returns
    -------
    Series of str (NA where the row is not superseded): the quarantine reason.
    """
    reason = pd.Series(pd.NA, index=code.index, dtype="string")
    file_time = pd.to_datetime(source_file.map(modified), unit="ns", errors="coerce")
    when = stamp.where(stamp.notna(), file_time)
    subs = pd.DataFrame({"code": code, "period": period, "file": source_file,
                         "stamp": stamp.dt.strftime("%Y-%m-%d %H:%M:%S").fillna(""),
                         "when": when})[submitting.fillna(False).astype(bool)]
    if subs.empty:
        return reason
    per_sub = subs.groupby(["code", "period", "file", "stamp"], sort=True, dropna=False)[
        "when"].first().reset_index()
    many = per_sub.groupby(["code", "period"])["file"].transform("size") > 1
    for (c, m), g in per_sub[many].groupby(["code", "period"], sort=True):
        latest = g["when"].max()
        top = g[g["when"] == latest] if pd.notna(latest) else g
        these = (code == c) & (period == m) & rows
        if len(top) == 1:
            win = top.iloc[0]
            basis = (f"submitted {win['stamp']}" if win["stamp"]
                     else f"file modified {win['when']:%Y-%m-%d %H:%M:%S}")
            mine = (source_file == win["file"]) & (
                stamp.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("") == win["stamp"])
            reason[these & ~mine] = (f"resubmitted: superseded by the later submission in "
                                    f"{win['file']} ({basis})")
        else:
            files = ", ".join(sorted(set(top["file"])))
            reason[these] = (f"resubmitted: {c} {m} in {files} with nothing to tell which is "
                            "later (same submission stamp or file time)")
    return reason


# ---------------------------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------------------------
@dataclass
class CleanResult:
    """Everything the cleaning produced."""

    staff: pd.DataFrame
    vacancies: pd.DataFrame
    audit: pd.DataFrame
    corrections: pd.DataFrame
    status: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def quarantine(self) -> pd.DataFrame:
        return self.audit[self.audit["outcome"] == "quarantined"]

    def outcome_counts(self) -> pd.Series:
        return self.audit["outcome"].value_counts().reindex(
            ["kept", "corrected", "quarantined"], fill_value=0)


class _Audit:
    """Collects corrections and quarantine reasons by raw row index."""

    def __init__(self, raw: pd.DataFrame):
        self.raw = raw
        self.fixes: list[pd.DataFrame] = []
        self.reason = pd.Series(pd.NA, index=raw.index, dtype="string")

    def correct(self, mask: pd.Series, fld: str, old: pd.Series, new: pd.Series, rule: str):
        mask = mask.fillna(False)
        if mask.any():
            self.fixes.append(pd.DataFrame({
                "row": mask[mask].index, "field": fld,
                "old_value": old[mask].astype("string"), "new_value": new[mask].astype("string"),
                "rule": rule}))

    def quarantine(self, mask: pd.Series, reason):
        mask = mask.fillna(False) & self.reason.isna()
        if mask.any():
            text = reason[mask] if isinstance(reason, pd.Series) else reason
            self.reason.loc[mask] = text

    def corrections(self) -> pd.DataFrame:
        cols = ["row", "field", "old_value", "new_value", "rule"]
        if not self.fixes:
            return pd.DataFrame(columns=cols)
        return pd.concat(self.fixes, ignore_index=True)[cols]


def _shown_number(values: pd.Series) -> pd.Series:
    """Numbers for a quarantine reason: two decimals (``2.22``), or three significant figures
    for magnitudes of a million or more (``1.62e+307``), which rounding to two decimals would
    overflow."""
    big = values.abs() >= 1e6
    shown = values.where(~big).round(2).astype(str)
    shown[big] = values[big].map("{:.3g}".format)
    return shown


def clean_returns(raw: pd.DataFrame, reference: pd.DataFrame, limits: Limits | None = None,
                  lookup: dict | None = None) -> CleanResult:
    """Apply every rule to raw returns (from :func:`analysis.io.returns.read_returns`).

    Parameters
    ----------
    raw : DataFrame
        Text columns with canonical names, ``source_file`` and ``source_row``.
    reference : DataFrame
        Practice reference (:func:`analysis.io.readers.read_practice_reference`): known practice
        codes and their CCG.
    limits : Limits
        Conversion factors and plausibility limits.

    Returns
    -------
    CleanResult
        ``staff`` (person-posts, incl. leavers, with ``in_post``), ``vacancies``, ``audit``
        (one row per raw row: outcome and reason), ``corrections``. Carry-forward and
        estimation are done afterwards by :func:`complete_returns`.
    """
    limits = limits or Limits()
    lookup = lookup or load_lookup()
    modified = dict(raw.attrs.get("file_modified", {}))
    raw = raw.reset_index(drop=True)
    if "submitted" not in raw:
        raw = raw.assign(submitted="")
    audit = _Audit(raw)
    t = {c: raw[c].astype("string").fillna("") for c in raw.columns}

    # exact duplicates: identical in every field (source row aside); the first copy is used
    content = [c for c in raw.columns if c not in ("source_file", "source_row")]
    dup = raw.duplicated(subset=content, keep="first")
    groups = raw.groupby(content, sort=False, dropna=False)
    first = groups["source_row"].transform("first")
    first_file = groups["source_file"].transform("first")
    first_index = pd.Series(raw.index, index=raw.index).groupby(
        [raw[c] for c in content], sort=False, dropna=False).transform("first")

    # practice, period and submission stamp
    code = normalise_text(t["practice_code"], upper=True)
    period = normalise_text(t["return_period"]).str.replace("/", "-", regex=False).str[:7]
    known = reference.set_index("practice_code")["ccg_code"]
    ccg = code.map(known)
    pe = period_end(period)
    today = pd.Timestamp.today().normalize()
    future = pe > today + pd.offsets.MonthEnd(0)
    stamp = parse_stamp(t["submitted"])
    bad_stamp = typed(t["submitted"]) & stamp.isna()
    known_row = ((code != "") & ccg.notna() & pe.notna() & ~future & ~bad_stamp).fillna(False)
    # resubmissions: the later submission of a practice's return for a period wins; a row the
    # winning submission repeats from a superseded one is the winner's row, not a duplicate
    superseded = resubmissions(code, period, raw["source_file"].astype("string"), stamp,
                               modified, known_row & ~dup, known_row)
    winners_copy = dup & known_row & superseded.isna() & superseded.reindex(
        first_index.to_numpy()).notna().to_numpy()
    winners_copy &= ~raw[winners_copy].duplicated(subset=content, keep="first").reindex(
        raw.index, fill_value=False)
    audit.quarantine(dup & ~winners_copy,
                     "exact duplicate of " + first_file + " row " + first.astype(str))

    # text normalisation (logged as a correction when it changes a value)
    audit.correct(code != t["practice_code"], "practice_code", t["practice_code"], code,
                  "trim spaces / upper case")
    staff_id = normalise_text(t["staff_id"])
    audit.correct(staff_id != t["staff_id"], "staff_id", t["staff_id"], staff_id, "trim spaces")
    record = normalise_text(t["record_type"]).str.lower()
    is_vacancy = record.str.startswith("vac")

    audit.quarantine(code == "", "practice code is blank")
    audit.quarantine(ccg.isna(), "unknown practice code " + code)
    audit.quarantine(pe.isna(), "return period is not YYYY-MM: '" + t["return_period"] + "'")
    audit.quarantine(future, "return period " + period + " is in the future (the run is on "
                     + f"{today:%Y-%m-%d})")
    audit.quarantine(bad_stamp, "submission stamp is not a date: '" + t["submitted"] + "'")
    audit.quarantine(superseded.notna(), superseded)

    # roles through the lookup
    roles = map_roles(t["job_role"], t["employment_type"], lookup)
    label_raw = normalise_text(t["job_role"])
    canon_label = roles["role"]
    changed = roles["role"].notna() & (label_raw != roles["role"])
    audit.correct(changed, "job_role", t["job_role"], canon_label, "role label lookup")
    audit.quarantine(roles["role"].isna() & ~(is_vacancy & (label_raw == "")),
                     "unknown role label '" + roles["label"] + "'")

    # vacancies
    vac_wte = to_number(t["vacancy_wte"])
    audit.quarantine(is_vacancy & ~(vac_wte > 0),
                     "vacancy row without a positive vacancy WTE: '" + t["vacancy_wte"] + "'")

    # staff rows
    staff_rows = ~is_vacancy
    audit.quarantine(staff_rows & (staff_id == ""), "staff id is blank")
    gender = map_gender(t["gender"], lookup)
    audit.correct(staff_rows & gender.notna() & (gender != t["gender"]).fillna(False), "gender",
                  t["gender"], gender, "gender lookup")  # fillna: unknown gender compares NA
    audit.quarantine(staff_rows & gender.isna(), "unknown gender '" + t["gender"] + "'")

    sessions = to_number(t["sessions_per_week"])
    hours = to_number(t["hours_per_week"])
    bad_num = (typed(t["sessions_per_week"]) & sessions.isna()) | (
        typed(t["hours_per_week"]) & hours.isna())
    audit.quarantine(staff_rows & bad_num, "sessions or hours is not a number")
    wte_s = sessions_to_wte(sessions, limits.sessions_per_wte)
    wte_h = hours_to_wte(hours, limits.hours_per_wte)
    both = wte_s.notna() & wte_h.notna()
    audit.quarantine(staff_rows & both & ((wte_s - wte_h).abs()
                                          > limits.hours_sessions_tolerance_wte),
                     "sessions and hours disagree")
    wte = wte_s.fillna(wte_h)
    audit.quarantine(staff_rows & wte.isna(), "no sessions or hours")
    audit.quarantine(staff_rows & (wte < 0), "negative sessions or hours")
    audit.quarantine(staff_rows & (wte > limits.max_wte_per_post),
                     f"more than {limits.max_wte_per_post:g} WTE for one post ("
                     + _shown_number(wte) + ")")

    dob = parse_date(t["date_of_birth"])
    audit.quarantine(staff_rows & typed(t["date_of_birth"]) & dob.isna(),
                     "date of birth is not a date: '" + t["date_of_birth"] + "'")
    age_typed = to_number(t["age"])
    audit.quarantine(staff_rows & typed(t["age"]) & age_typed.isna(),
                     "age is not a number: '" + t["age"] + "'")
    age = age_from_dob(dob, pe).astype(float).fillna(age_typed)
    lo, hi = band_bounds(t["age_band"])
    age_text = age.map(lambda a: f"{a:g}").astype("string")  # typed ages may be '17.5'
    audit.quarantine(staff_rows & (age < limits.min_age),
                     "age " + age_text + " is under " + str(limits.min_age))
    audit.quarantine(staff_rows & (age > limits.max_age),
                     "age " + age_text + " is over " + str(limits.max_age))
    start = parse_date(t["start_date"])
    leave = parse_date(t["leaving_date"])
    audit.quarantine(staff_rows & typed(t["start_date"]) & start.isna(),
                     "start date is not a date: '" + t["start_date"] + "'")
    audit.quarantine(staff_rows & typed(t["leaving_date"]) & leave.isna(),
                     "leaving date is not a date: '" + t["leaving_date"] + "'")
    horizon = pe + pd.DateOffset(years=int(limits.max_years_after_period))
    for name, when in (("start date", start), ("leaving date", leave)):
        audit.quarantine(staff_rows & (when > horizon),
                         name + " " + when.dt.strftime("%Y-%m-%d").fillna("") + " is more than "
                         + str(limits.max_years_after_period) + " years after the period")
    audit.quarantine(staff_rows & leave.notna() & start.notna() & (leave < start),
                     "leaving date before start date")

    # outcome per raw row
    corrections = audit.corrections()
    corrected_rows = set(corrections["row"])
    outcome = pd.Series("kept", index=raw.index, dtype="string")
    outcome[raw.index.isin(list(corrected_rows))] = "corrected"
    outcome[audit.reason.notna()] = "quarantined"
    audit_df = pd.DataFrame({"source_file": raw["source_file"], "source_row": raw["source_row"],
                             "practice_code": code, "period": period, "outcome": outcome,
                             "reason": audit.reason})
    corrections = corrections.merge(audit_df[["source_file", "source_row", "outcome"]],
                                    left_on="row", right_index=True)
    corrections = corrections[corrections["outcome"] != "quarantined"].drop(columns="outcome")

    use = outcome != "quarantined"
    band = age_band(pd.Series(age, index=raw.index))
    band_text = normalise_text(t["age_band"])
    band = band.fillna(band_text.where(band_text != ""))
    age_lo = pd.Series(age, index=raw.index).fillna(lo)
    s = pd.DataFrame({
        "period": period, "practice_code": code, "ccg_code": ccg, "staff_id": staff_id,
        "staff_group": roles["staff_group"], "role": roles["role"],
        "is_registrar": roles["role"].isin(list(REGISTRAR_ROLES)),
        "is_locum": roles["role"].isin(list(LOCUM_ROLES)), "gender": gender,
        # (quarantined ages may be huge: 1e19 does not fit Int64; those rows are dropped below)
        "age": pd.Series(age, index=raw.index).where(lambda a: a.abs() < 1e6).round()
        .astype("Int64"),
        "age_band": band, "age_lower": age_lo, "wte": wte, "start_date": start,
        "leaving_date": leave, "source": "return", "carried_from": pd.NA,
        "source_file": raw["source_file"], "source_row": raw["source_row"],
    })[use & staff_rows].reset_index(drop=True)
    s["in_post"] = in_post(s)
    v = pd.DataFrame({
        "period": period, "practice_code": code, "ccg_code": ccg,
        "staff_group": roles["staff_group"], "role": roles["role"], "vacancy_wte": vac_wte,
        "open_since": parse_date(t["open_since"]), "source": "return",
    })[use & is_vacancy].reset_index(drop=True)
    return CleanResult(staff=s, vacancies=v, audit=audit_df, corrections=corrections)


def check_accounting(raw: pd.DataFrame, result: CleanResult) -> dict[str, int]:
    """Raw rows = kept + corrected + quarantined; raises AssertionError when not."""
    counts = result.outcome_counts()
    total = int(counts.sum())
    if total != len(raw) or len(result.audit) != len(raw):
        raise AssertionError(f"row accounting broken: {len(raw)} raw rows, {total} accounted")
    return {"raw": len(raw), **{k: int(v) for k, v in counts.items()}}


# ---------------------------------------------------------------------------------------------
# Missing returns: carry forward, or estimate from the nearest list size
# ---------------------------------------------------------------------------------------------
def estimate_from_donor(donor_rows: pd.DataFrame, practice_code: str, ratio: float,
                        ) -> pd.DataFrame:
    """Rows for a practice with no return, copied from a donor practice.

    Each donor person-post becomes an estimated post with the donor's role, age and gender and
    WTE scaled by ``ratio`` (the practices' list-size ratio); ids are new (``EST-<code>-<n>``)
    so estimated staff never merge with real people.
    """
    est = donor_rows.copy()
    est["staff_id"] = [f"EST-{practice_code}-{i + 1}" for i in range(len(est))]
    est["practice_code"] = practice_code
    est["wte"] = est["wte"] * ratio
    est["source"] = "estimated"
    est["source_file"] = pd.NA
    est["source_row"] = pd.NA
    return est


def complete_returns(result: CleanResult, reference: pd.DataFrame, ccg_codes,
                     periods=None) -> CleanResult:
    """Fill missing practice returns for each period, flagged.

    For each period and each practice open at its end in ``ccg_codes``: a practice with its own
    return is 'received'; one without is 'carried forward' from its latest earlier return; one
    that never returned earlier is 'estimated' from the practice in the same CCG, with its own
    return in that period, whose registered list is nearest (WTE scaled by the list ratio).

    Returns
    -------
    CleanResult with carried and estimated rows appended to ``staff`` (and vacancies carried),
    and ``status``: one row per period and practice with ``status``, ``carried_from``, ``donor``.
    """
    from analysis.io.readers import open_on

    staff, vac = result.staff, result.vacancies
    periods = sorted(set(staff["period"]) if periods is None else periods)
    add_staff, add_vac, status = [], [], []
    patients = reference.set_index("practice_code")["registered_patients"].astype(float)
    for p in periods:
        end = period_end(pd.Series([p]))[0]
        open_ref = open_on(reference, end)
        expected = open_ref[open_ref["ccg_code"].isin(list(ccg_codes))]
        own = staff[(staff["period"] == p) & (staff["source"] == "return")]
        have = set(own["practice_code"]) | set(vac.loc[vac["period"] == p, "practice_code"])
        for code, ccg in expected[["practice_code", "ccg_code"]].itertuples(index=False):
            if code in have:
                status.append((p, code, ccg, "received", pd.NA, pd.NA))
                continue
            earlier = staff[(staff["practice_code"] == code) & (staff["period"] < p)
                            & (staff["source"] == "return")]
            if len(earlier):
                src = earlier["period"].max()
                rows = earlier[earlier["period"] == src].copy()
                rows["period"], rows["source"], rows["carried_from"] = p, "carried forward", src
                rows["in_post"] = in_post(rows)
                add_staff.append(rows)
                v = vac[(vac["practice_code"] == code) & (vac["period"] == src)].copy()
                v["period"], v["source"] = p, "carried forward"
                add_vac.append(v)
                status.append((p, code, ccg, "carried forward", src, pd.NA))
                continue
            peers = own[own["ccg_code"] == ccg]["practice_code"].unique()
            if len(peers) == 0 or pd.isna(patients.get(code)):
                status.append((p, code, ccg, "missing", pd.NA, pd.NA))
                continue
            gaps = (patients.reindex(peers) - patients[code]).abs()
            donor = gaps.sort_values(kind="stable").index[0]
            ratio = float(patients[code] / patients[donor])
            add_staff.append(estimate_from_donor(own[own["practice_code"] == donor], code, ratio))
            status.append((p, code, ccg, "estimated", pd.NA, donor))
    if add_staff:
        staff = pd.concat([staff, *add_staff], ignore_index=True)
    if add_vac:
        vac = pd.concat([vac, *add_vac], ignore_index=True)
    st = pd.DataFrame(status, columns=["period", "practice_code", "ccg_code", "status",
                                       "carried_from", "donor"])
    return CleanResult(staff=staff, vacancies=vac, audit=result.audit,
                       corrections=result.corrections, status=st)


def returns_summary(status: pd.DataFrame) -> pd.DataFrame:
    """Practices by return status for each period and CCG (received, carried, estimated)."""
    out = (status.pivot_table(index=["period", "ccg_code"], columns="status",
                              values="practice_code", aggfunc="count", fill_value=0)
           .reindex(columns=["received", "carried forward", "estimated", "missing"],
                    fill_value=0).reset_index())
    out.columns.name = None
    out["practices"] = out[["received", "carried forward", "estimated", "missing"]].sum(axis=1)
    return out


def resubmitted_returns(audit: pd.DataFrame) -> int:
    """Practice returns (practice and period) resubmitted: some rows quarantined as superseded
    by a later submission, or because nothing tells which submission is later."""
    q = audit[audit["reason"].str.startswith("resubmitted:", na=False)]
    return int(len(q[["practice_code", "period"]].drop_duplicates()))


def outcome_by_rule(result: CleanResult) -> pd.DataFrame:
    """Rows corrected by rule and rows quarantined by reason (reasons grouped by their text
    before any quoted value)."""
    corr = (result.corrections.groupby("rule")["row"].nunique().rename("rows")
            .reset_index().assign(outcome="corrected").rename(columns={"rule": "rule_or_reason"}))
    q = result.quarantine.copy()
    q["rule_or_reason"] = q["reason"].str.replace(r"\s*'.*$", "", regex=True).str.replace(
        r"(unknown practice code|exact duplicate of|resubmitted: superseded by the later "
        r"submission).*", r"\1", regex=True).str.replace(
        r"^resubmitted: .* with nothing to tell which is later.*$",
        "resubmitted: nothing tells which submission is later", regex=True).str.replace(
        r"age \S+ is", "age is", regex=True).str.replace(r"\(.*\)", "", regex=True).str.strip()
    quar = (q.groupby("rule_or_reason").size().rename("rows").reset_index()
            .assign(outcome="quarantined"))
    out = pd.concat([corr, quar], ignore_index=True)[["outcome", "rule_or_reason", "rows"]]
    return out.sort_values(["outcome", "rows"], ascending=[True, False], ignore_index=True)
