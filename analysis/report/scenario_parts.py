"""Building blocks of the scenario chapter: a section's parts and the number formats of its text.

A notebook cell of chapter 3 ends in a :class:`~analysis.report.rendering.Section`: its heading
and introduction (Markdown), then tables, charts and short HTML passages. :func:`markdown` and
:func:`html` render the chapter's templates with its number formats (:data:`FORMATS`).
"""

from __future__ import annotations

import pandas as pd

from analysis.report.rendering import Html, Markdown, fmt_dp, fmt_int, render


def markdown(template: str, **context) -> Markdown:
    """:class:`Markdown` rendered from ``templates/<template>`` with the chapter's formats."""
    return Markdown(render(template, **FORMATS, **context).strip())


def html(template: str, **context) -> Html:
    """:class:`Html` rendered from ``templates/<template>`` with the chapter's formats."""
    return Html(render(template, **FORMATS, **context).strip())


# -------------------------------------------------------------------------------------------
# Number formats for text, tables and charts
# -------------------------------------------------------------------------------------------


def month_year(day) -> str:
    """A date as 'October 2017'."""
    return pd.Timestamp(day).strftime("%B %Y")


def mon_year(day) -> str:
    """A date as 'Oct 2017'."""
    return pd.Timestamp(day).strftime("%b %Y")


def wte(x: float) -> str:
    """WTE for text: whole numbers as published, otherwise one decimal."""
    return fmt_int(x) if abs(x - round(x)) < 1e-9 else fmt_dp(1)(x)


def pct(p: float) -> str:
    """A probability for text: whole percent, '<1%' and '>99%' near the ends."""
    if p == 0:
        return "0%"
    if p < 0.01:
        return "<1%"
    if p > 0.99 and p < 1:
        return ">99%"
    return f"{p:.0%}"


def gbp(x) -> str:
    """Pounds with thousands separators; millions to two decimal places."""
    if pd.isna(x):
        return ""
    x = float(x)
    if abs(x) >= 1e6:
        return f"£{x / 1e6:,.2f}m"
    return f"£{x:,.0f}"


def num(v) -> str:
    """A parameter value: 'n/a' when missing, 3 significant figures below 1, else WTE style."""
    if pd.isna(v):
        return "n/a"
    v = float(v)
    if abs(v) < 1 and v != 0:
        return f"{v:.3g}"
    return fmt_int(v) if abs(v - round(v)) < 1e-9 else fmt_dp(1)(v)


def fmt_pct(decimals: int):
    """Formatter for a fraction as a percentage (half-up)."""
    f = fmt_dp(decimals)
    return lambda v: "" if pd.isna(v) else f"{f(float(v) * 100)}%"


def share(decimals: int):
    """Formatter for a fraction as a percentage, Python rounding (``f'{v:.1%}'``)."""
    return lambda v: f"{v:.{decimals}%}"


def listing(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# Passed to every template of the chapter.
FORMATS = {"wte": wte, "pct": pct, "gbp": gbp, "num": num, "whole": fmt_int, "dp1": fmt_dp(1),
           "pc0": share(0), "pc1": share(1), "month_year": month_year, "listing": listing}
