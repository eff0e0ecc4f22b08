"""Return periods (``YYYY-MM`` months), dates in input files, and "in post at the period end".

One home for each: :func:`parse_dates` (the formats in
:data:`analysis.util.markers.DATE_FORMATS`), :func:`period_end`, :func:`check_period`, and the
in-post rule (:func:`in_post_at_end` sets the flag while cleaning; :func:`rows_in_post` selects
the rows every table counts).
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.util.errors import ConfigError
from analysis.util.markers import DATE_FORMATS

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def parse_dates(text: pd.Series, formats=DATE_FORMATS) -> pd.Series:
    """Parse trimmed, non-blank text in any of ``formats``; anything else stays NaT.

    Parameters
    ----------
    text : Series
        Text to parse; callers trim it and blank out missing markers first (blank or NA values
        are not tried).
    formats : sequence of str
        ``strptime`` formats, tried in order.

    Returns
    -------
    Series
        ``datetime64[ns]``; years past 2262, which that unit cannot hold, are not dates.
    """
    text = pd.Series(text).astype("string")
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = (text.notna() & (text != "")).fillna(False).astype(bool)
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna() & parsed.between(pd.Timestamp.min, pd.Timestamp.max)
        out.loc[parsed.index[ok]] = parsed[ok].astype("datetime64[ns]")
        todo.loc[parsed.index[ok]] = False
    return out


def period_end(periods: pd.Series) -> pd.Series:
    """Last day of each 'YYYY-MM' period; anything else (blank, 'Oct 2017', '2017-1') -> NaT."""
    text = pd.Series(periods).astype("string")
    ok = text.str.fullmatch(r"\d{4}-(?:0[1-9]|1[0-2])").fillna(False).astype(bool)
    return (pd.to_datetime((text + "-01").where(ok), format="%Y-%m-%d", errors="coerce")
            + pd.offsets.MonthEnd(0))


def month_end(period: str) -> pd.Timestamp:
    """Last day of one 'YYYY-MM' period (checked with :func:`check_period`)."""
    check_period(period)
    return pd.Period(period, freq="M").to_timestamp(how="end").normalize()


def check_period(period: str) -> str:
    """``period`` when it is a month written YYYY-MM; otherwise :class:`ConfigError`."""
    if not isinstance(period, str) or not PERIOD.match(period):
        raise ConfigError(f"period {period!r} is not a month written YYYY-MM")
    return period


def in_post_at_end(staff: pd.DataFrame) -> pd.Series:
    """In post at the end of the period: started by then and not left by then.

    Parameters
    ----------
    staff : DataFrame
        Rows with ``period`` (YYYY-MM), ``start_date`` and ``leaving_date`` (missing = not
        known: started long ago, not leaving).
    """
    end = period_end(staff["period"])
    started = staff["start_date"].isna() | (staff["start_date"] <= end)
    not_left = staff["leaving_date"].isna() | (staff["leaving_date"] > end)
    return (started & not_left).astype(bool)


def _flag(df: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column with missing values read as False (all False if the column is absent)."""
    if column not in df:
        return pd.Series(False, index=df.index)
    return df[column].astype("boolean").fillna(False).astype(bool)


def rows_in_post(staff: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Rows in post at the end of their period (flag ``in_post``), of one period when given.

    Parameters
    ----------
    staff : DataFrame
        Cleaned staff rows with ``period`` and ``in_post``.
    period : str, optional
        'YYYY-MM'; it must appear in ``staff`` (a :class:`ConfigError` names the periods there).
    """
    if period is not None:
        check_period(period)
        at = (staff["period"] == period).fillna(False).astype(bool)
        if not at.any():
            have = sorted(staff["period"].dropna().unique())
            span = f"{have[0]} to {have[-1]}" if have else "none"
            raise ConfigError(f"period {period} is not in the staff data (periods: {span})")
        staff = staff[at]
    return staff[_flag(staff, "in_post")]
