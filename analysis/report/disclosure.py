"""Disclosure control: one switch for every chapter, and the suppression rules.

Counts derived from staff-level or case-level data that are at least 1 and below the threshold
are suppressed in published reports (primary suppression). :func:`protect` then suppresses
further cells (secondary suppression) so that no hidden count can be worked out by subtraction
from a total published beside it, and blanks the figures computed from a hidden count;
:func:`recoverable` checks a shown table for cells that arithmetic would still reveal. The
threshold comes from ``report: disclosure: suppress_below`` in the config; ``make report ...
INTERNAL=1`` (environment variable ``GPW_SUPPRESS_BELOW=0``) turns it off for internal use.
The method is described in ``docs/disclosure.md``.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.config import settings
from analysis.util.errors import ConfigError

ENV = "GPW_SUPPRESS_BELOW"


def threshold() -> int:
    """Current threshold: the environment variable if set, else the config; 0 means off."""
    env = os.environ.get(ENV)
    if env is not None and env.strip() != "":
        if not env.strip().isdigit():
            shown = env.strip()[:40].encode("unicode_escape").decode("ascii")
            raise ConfigError(f"{ENV}={shown!r}: expected a whole number, 0 (internal mode: "
                              "nothing suppressed) or more")
        return int(env)
    return settings().report.disclosure.suppress_below


_current_threshold = threshold  # the parameter of small_number_suppression hides the name


def mode() -> str:
    """'published' when suppression is on, 'internal' when off."""
    return "published" if threshold() > 0 else "internal"


def small_number_suppression(df, columns, threshold: int | None = None,
                             marker: str | None = None):
    """Hide small headcounts (1 to ``threshold - 1``) before a table leaves the organisation.

    Zero stays zero. This is primary suppression only: a total printed next to suppressed
    cells can reveal one of them, so compute totals over large enough groups or suppress a
    second cell too.

    Parameters
    ----------
    df : DataFrame
        Table of headcounts.
    columns : str or sequence of str
        Columns to check; others are left alone.
    threshold : int, optional
        Smallest count shown; 0 (or 1) turns suppression off. Default :func:`threshold`.
    marker : str, optional
        Text put in suppressed cells (e.g. '*'); by default they become NA, and whole-number
        columns become nullable ``Int64``.

    Returns
    -------
    DataFrame
        A copy. ``attrs['suppressed']`` is the number of cells hidden,
        ``attrs['suppressed_by_column']`` the number per column, ``attrs['suppressed_cells']``
        the (row label, column) pairs, ``attrs['suppression_threshold']`` the threshold.

    Raises
    ------
    ConfigError
        When a column to check is not in the table.
    """
    threshold = _current_threshold() if threshold is None else threshold
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(f"cannot suppress: no column {missing[0]!r} in the table")
    out = df.copy()
    by_col: dict[str, int] = {}
    cells: list[tuple] = []
    for c in columns:
        values = pd.to_numeric(out[c], errors="coerce")
        hide = ((values > 0) & (values < threshold)).fillna(False).astype(bool)
        by_col[c] = int(hide.sum())
        if not hide.any():
            continue
        cells += [(i, c) for i in out.index[hide.to_numpy()]]
        if marker is not None:
            out[c] = out[c].astype(object).mask(hide, marker)
        elif pd.api.types.is_integer_dtype(out[c]):
            out[c] = out[c].astype("Int64").mask(hide)
        else:
            out[c] = values.astype("Float64").mask(hide)
    out.attrs.update({"suppressed": sum(by_col.values()), "suppressed_by_column": by_col,
                      "suppressed_cells": cells, "suppression_threshold": threshold})
    return out


def suppress(df, columns):
    """:func:`small_number_suppression` at the report's current :func:`threshold` (a no-op,
    returning ``df`` itself, when suppression is off)."""
    t = threshold()
    return small_number_suppression(df, columns, threshold=t) if t else df


def suppression_note() -> str:
    """The sentence telling readers which headcounts are hidden ('' when suppression is off)."""
    t = threshold()
    return (f"Headcounts from 1 to {t - 1} are suppressed (shown blank) to protect individuals; "
            "where a total shown would reveal a hidden count, another cell is hidden too."
            if t else "")


def unlisted_text(df: pd.DataFrame, column: str, what: str) -> tuple[pd.DataFrame, str]:
    """Text typed into an input that no maintained lookup recognises, made safe to publish.

    Such text can hold anything a practice typed (a name and a date of birth in a role field),
    so in published mode it is never shown verbatim: each value becomes ``<what> 1``,
    ``<what> 2`` ... (the counts beside it stay) and the note says the values are listed only in
    internal mode. In internal mode (suppression off) the frame is returned as it is.

    Returns
    -------
    (DataFrame, str)
        The frame to show and a sentence for its note ('' in internal mode).
    """
    if mode() == "internal" or df.empty:
        return df, ""
    out = df.copy()
    out[column] = [f"{what} {i}" for i in range(1, len(out) + 1)]
    return out, (f"The {what}s themselves are free text from the input files and are shown "
                 "only in internal mode (make report ... INTERNAL=1).")


# ---------------------------------------------------------------------------------------------
# Primary and secondary suppression against published totals
# ---------------------------------------------------------------------------------------------
Cell = tuple  # (row label, column)


@dataclass(frozen=True)
class Totals:
    """Which sums of a table's count cells are published, in the table or elsewhere.

    Each sum is an equation over count cells: if exactly one of its cells is hidden, the reader
    can work it out. :func:`protect` hides a second cell of every such equation and
    :func:`recoverable` looks for those left.

    Parameters
    ----------
    rows : bool
        The count cells of each row add up to a published figure: the ``row_total`` column, or
        a figure shown elsewhere (a total in a caption, a change in headcount).
    row_total : str, optional
        The column holding each row's total; it is part of each row's equation.
    columns : sequence of (row labels, total row label or None)
        In every count column, the cells of these rows add up to the cell of the total row
        (a subtotal, area or England row of the table), or, with None, to a figure published
        elsewhere. Build them with :func:`column_groups`.
    blocks : sequence of row labels
        All count cells of these rows together add up to a figure published elsewhere (a
        total of people in a chart's caption).
    """

    rows: bool = False
    row_total: str | None = None
    columns: tuple = ()
    blocks: tuple = ()


def column_groups(df: pd.DataFrame, by: str | Sequence[str] | None = None,
                  total: Hashable | None = None, rows=None) -> tuple:
    """Column equations for :class:`Totals`: the rows (of each ``by`` group) add to ``total``.

    Parameters
    ----------
    df : DataFrame
        The table as it will be shown.
    by : str or list of str, optional
        Columns splitting the rows into groups, each adding to its own published total.
    total : label, optional
        Index label of the total row in ``df`` (left out of the members); None when the total
        is published elsewhere.
    rows : boolean array or list of labels, optional
        Only these rows are members (default: all but ``total``).

    Returns
    -------
    tuple of (tuple of labels, label or None)
    """
    sub = df if rows is None else (df.loc[rows] if not hasattr(rows, "dtype") else df[rows])
    sub = sub[sub.index != total] if total is not None else sub
    if by is None:
        return ((tuple(sub.index), total),)
    return tuple((tuple(g.index), total) for _, g in sub.groupby(by, sort=False, dropna=False))


def _equations(df: pd.DataFrame, count_columns: list[str], totals: Totals) -> list[list[Cell]]:
    eqs: list[list[Cell]] = []
    if totals.rows:
        cols = [c for c in count_columns if c != totals.row_total]
        extra = [totals.row_total] if totals.row_total else []
        eqs += [[(i, c) for c in cols + extra] for i in df.index]
    for members, total in totals.columns:
        for c in count_columns:
            eqs.append([(i, c) for i in members] + ([(total, c)] if total is not None else []))
    for members in totals.blocks:
        eqs.append([(i, c) for i in members for c in count_columns])
    return eqs


def _check(df, count_columns, totals):
    columns = [count_columns] if isinstance(count_columns, str) else list(count_columns)
    missing = [c for c in columns if c not in df.columns]
    if totals.row_total and totals.row_total not in columns:
        columns.append(totals.row_total)  # the row total is a count cell too
        missing += [totals.row_total] if totals.row_total not in df.columns else []
    if missing:
        raise ConfigError(f"cannot suppress: no column {missing[0]!r} in the table")
    if not df.index.is_unique:
        raise ConfigError("cannot suppress: the table's row labels are not unique")
    return columns


def protect(df: pd.DataFrame, count_columns, *, totals: Totals | None = None,
            dependent: dict | None = None, threshold: int | None = None) -> pd.DataFrame:
    """Primary and secondary suppression of a table of counts before it is published.

    1. Primary: counts from 1 to ``threshold - 1`` are hidden; zeros and missing values stay.
    2. Secondary: for every published sum (``totals``) with exactly one hidden cell, the
       smallest non-zero shown cell of that sum is hidden too (a zero only when no non-zero
       cell is left), repeated until no sum has a single hidden cell.
    3. Columns computed from a count (``dependent``: shares, rates) are blanked with it.

    With suppression off (threshold 0, internal mode) ``df`` itself is returned.

    Parameters
    ----------
    df : DataFrame
        Table of counts with unique row labels.
    count_columns : str or sequence of str
        Columns of counts; others are left alone unless ``dependent``.
    totals : Totals, optional
        The sums of count cells published in the table or beside it (default: none, primary
        suppression only).
    dependent : dict, optional
        Count column -> columns derived from it, blanked in the rows where it is hidden.
    threshold : int, optional
        Smallest count shown; default :func:`threshold`.

    Returns
    -------
    DataFrame
        A copy; hidden cells are NA (whole-number columns become ``Int64``, other numeric
        columns ``Float64``). ``attrs['suppressed']`` is ``{'primary': n, 'secondary': m}``,
        ``attrs['suppressed_cells']`` the hidden (row label, column) pairs (primary first),
        ``attrs['suppression_threshold']`` the threshold.

    Raises
    ------
    ConfigError
        When a column is not in the table or row labels repeat.
    """
    t = _current_threshold() if threshold is None else threshold
    if not t:
        return df
    totals = totals or Totals()
    columns = _check(df, count_columns, totals)
    values = {(i, c): v for c in columns
              for i, v in zip(df.index, pd.to_numeric(df[c], errors="coerce"), strict=True)}
    primary = [cell for cell, v in values.items() if pd.notna(v) and 0 < v < t]
    hidden = set(primary)
    secondary: list[Cell] = []
    eqs = [[cell for cell in eq if cell in values and pd.notna(values[cell])]
           for eq in _equations(df, columns, totals)]
    changed = True
    while changed:
        changed = False
        for eq in eqs:
            if sum(cell in hidden for cell in eq) != 1:
                continue
            shown = [cell for cell in eq if cell not in hidden]
            pick = min((cell for cell in shown if values[cell] > 0), key=values.__getitem__,
                       default=None) or next(iter(shown), None)
            if pick is not None:
                hidden.add(pick)
                secondary.append(pick)
                changed = True
    out = df.copy()
    cells = primary + secondary
    for c in dict.fromkeys(c for _, c in cells):
        rows = [i for i, cc in cells if cc == c]
        mask = out.index.isin(rows)
        for d in [c, *(dependent or {}).get(c, [])]:
            if pd.api.types.is_integer_dtype(out[d]):
                out[d] = out[d].astype("Int64")
            elif pd.api.types.is_numeric_dtype(out[d]) and not pd.api.types.is_bool_dtype(out[d]):
                out[d] = out[d].astype("Float64")
            out[d] = out[d].mask(mask)
    out.attrs.update({"suppressed": {"primary": len(primary), "secondary": len(secondary)},
                      "suppressed_cells": cells, "suppression_threshold": t})
    return out


def recoverable(df_shown: pd.DataFrame, count_columns, totals: Totals | None = None) -> list:
    """Hidden cells that arithmetic on the shown table and its published totals reveals.

    A hidden cell is recoverable when it is the only unknown cell of a published sum
    (``totals``); cells so found count as known for the next pass, until nothing changes.

    Parameters
    ----------
    df_shown : DataFrame
        The table as published. Its hidden cells are ``attrs['suppressed_cells']`` when set
        (by :func:`protect` or :func:`small_number_suppression`), else every missing count.
    count_columns : str or sequence of str
        Columns of counts.
    totals : Totals, optional
        The published sums, as given to :func:`protect`.

    Returns
    -------
    list of (row label, column)
        The recoverable cells, in the order found (empty when the table is safe).
    """
    totals = totals or Totals()
    columns = _check(df_shown, count_columns, totals)
    if "suppressed_cells" in df_shown.attrs:
        unknown = {cell for cell in df_shown.attrs["suppressed_cells"] if cell[1] in columns}
    else:
        unknown = {(i, c) for c in columns for i in df_shown.index[df_shown[c].isna()]}
    cells = {(i, c) for c in columns for i in df_shown.index}
    found: list[Cell] = []
    changed = True
    while changed:
        changed = False
        for eq in _equations(df_shown, columns, totals):
            left = [cell for cell in eq if cell in cells and cell in unknown]
            if len(left) == 1:
                unknown.discard(left[0])
                found.append(left[0])
                changed = True
    return found
