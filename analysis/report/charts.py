"""Charts drawn from computed frames (the workforce and local-returns chapters).

Every function takes a frame computed in ``analysis/tables/`` and returns a matplotlib
``Figure``; nothing here computes a figure shown elsewhere. :meth:`Report.chart
<analysis.report.rendering.Report.chart>` numbers it, adds the source line and saves the PNG.
"""

from __future__ import annotations

import textwrap

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from analysis.report.rendering import GREY, PALETTE, area_label, plt

T3_GROUPS = ["gp", "nurses", "other_clinical", "admin_non_clinical"]
T3_GROUP_NAMES = ["GPs", "Nurses", "Other clinical", "Admin/non-clinical"]


def _label_axes(ax, xlabel: str, ylabel: str, title: str, title_size: int) -> None:
    """Axis labels, a left-aligned title and no top or right spine: every chart's frame."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left", fontsize=title_size)
    ax.spines[["top", "right"]].set_visible(False)


def role_chart(fte_per_1000: pd.DataFrame, highlight: list[str], target: float | None,
               labels: dict[str, str], title: str):
    """Grouped bars of FTE per 1,000 patients by role, areas side by side.

    Parameters
    ----------
    fte_per_1000 : DataFrame
        Index = area, columns = roles.
    highlight : list of str
        Areas drawn in strong colours; the others in grey shades.
    target : float, optional
        GP WTE per 1,000 target drawn over the GP group.
    labels : dict
        Role -> axis label.
    title : str
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    areas = list(fte_per_1000.index)
    roles = list(fte_per_1000.columns)
    fig, ax = plt.subplots(figsize=(9, 4.6))
    width = 0.8 / len(areas)
    x = np.arange(len(roles))
    for i, a in enumerate(areas):
        colour = PALETTE[highlight.index(a) % len(PALETTE)] if a in highlight else GREY
        alpha = 1.0 if a in highlight else 0.35 + 0.1 * (i % 4)
        ax.bar(x + i * width - 0.4 + width / 2, fte_per_1000.loc[a].to_numpy(dtype=float),
               width, label=a, color=colour, alpha=alpha, edgecolor="white")
    if target is not None:
        ax.hlines(target, -0.45, 0.45, colors="#000000", linestyles="--", linewidth=1.2,
                  label=f"GP target {target:.2f}")
    ax.set_xticks(x, [labels.get(r, r) for r in roles], fontsize=9)
    _label_axes(ax, "Staff role", "FTE per 1,000 registered patients", title, 12)
    ax.legend(frameon=False, fontsize=8, ncol=3)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def pyramid_chart(pyramid: pd.DataFrame, title: str):
    """Back-to-back bars of headcount by age band: females on the left, males on the right.

    Parameters
    ----------
    pyramid : DataFrame
        From :func:`analysis.tables.local.age_gender_pyramid` (suppressed cells, NA, are drawn
        as no bar).
    title : str
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        People whose gender is not recorded ('U') cannot be placed on either side; their
        number is given in a note under the chart.
    """
    num = pyramid.apply(pd.to_numeric, errors="coerce").astype(float)
    females = num.get("F", pd.Series(0.0, index=num.index)).fillna(0.0).to_numpy()
    males = num.get("M", pd.Series(0.0, index=num.index)).fillna(0.0).to_numpy()
    unknown = float(num["U"].fillna(0.0).sum()) if "U" in num else 0.0
    y = np.arange(len(num))
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(num) + 1.8))
    ax.barh(y, -females, color=PALETTE[3], edgecolor="white", label="Female")
    ax.barh(y, males, color=PALETTE[0], edgecolor="white", label="Male")
    ax.set_yticks(y, [str(i) for i in num.index])
    top = max(float(females.max(initial=0)), float(males.max(initial=0)), 1.0)
    ax.set_xlim(-top * 1.1, top * 1.1)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(nbins=8, integer=True, symmetric=True))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel("Headcount (people): females left, males right")
    ax.set_ylabel("Age band")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    if unknown:
        who = "person" if int(unknown) == 1 else "people"
        fig.text(0.99, 0.01, f"{unknown:,.0f} {who} with gender not recorded not shown",
                 fontsize=8, ha="right", va="bottom", color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def turnover_chart(turnover: pd.DataFrame, title: str = "Joiners, leavers and turnover by "
                   "month"):
    """Joiners and leavers as bars by month, turnover % as a line on a twin axis.

    Parameters
    ----------
    turnover : DataFrame
        From :func:`analysis.tables.local.monthly_turnover`.
    title : str
        Figure title; each staff group gets its own panel titled with the group.

    Returns
    -------
    matplotlib.figure.Figure
    """
    groups = list(dict.fromkeys(turnover["staff_group"]))
    n = max(len(groups), 1)
    fig, axes = plt.subplots(n, 1, figsize=(9, 3.4 * n), squeeze=False)
    for ax, g in zip(axes[:, 0], groups, strict=False):
        t = turnover[turnover["staff_group"] == g]
        x = np.arange(len(t))
        j = pd.to_numeric(t["joiners"], errors="coerce").astype(float).fillna(0).to_numpy()
        lv = pd.to_numeric(t["leavers"], errors="coerce").astype(float).fillna(0).to_numpy()
        rate = pd.to_numeric(t["turnover_rate"], errors="coerce").astype(float).to_numpy()
        b1 = ax.bar(x - 0.2, j, 0.4, color=PALETTE[2], label="Joiners")
        b2 = ax.bar(x + 0.2, lv, 0.4, color=PALETTE[5], label="Leavers")
        ax.set_xticks(x, list(t["period"]), rotation=45, ha="right", fontsize=8)
        ax.set_xlabel("Month (period end)")
        ax.set_ylabel("People")
        ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))
        label = "GP (excl. registrars)" if g == "GP" else g
        ax.set_title(f"{title}: {label}", loc="left", fontsize=11)
        twin = ax.twinx()
        (line,) = twin.plot(x, rate * 100, color=PALETTE[7], marker="o", linewidth=1.5,
                            label="Turnover (%)")
        twin.set_ylabel("Turnover (% of mean headcount)")
        twin.set_ylim(bottom=0)
        ax.spines[["top"]].set_visible(False)
        twin.spines[["top"]].set_visible(False)
        ax.legend([b1, b2, line], ["Joiners", "Leavers", "Turnover (%)"], frameon=False,
                  fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def staff_group_chart(t3: pd.DataFrame):
    """Headcount and WTE by staff group, one bar per CCG (LLR Table 3 without its total row).

    Parameters
    ----------
    t3 : DataFrame
        From :func:`analysis.tables.returns.table3` (the last row, the total, is left out).

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = t3.iloc[:-1]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    x = np.arange(len(T3_GROUPS))
    width = 0.8 / len(rows)
    for i, (_, r) in enumerate(rows.iterrows()):
        for ax, suffix in zip(axes, ("_hc", "_wte"), strict=True):
            ax.bar(x + i * width - 0.4 + width / 2, [r[g + suffix] for g in T3_GROUPS], width,
                   color=PALETTE[i % len(PALETTE)], label=area_label(r["ccg"]))
    for ax, what in zip(axes, ("Headcount", "WTE"), strict=True):
        ax.set_xticks(x, T3_GROUP_NAMES, fontsize=8)
        _label_axes(ax, "Staff group", what, f"{what} by staff group", 11)
    axes[0].legend(frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def gp_per_1000_chart(t8: pd.DataFrame, target: float):
    """Horizontal bars of GP WTE per 1,000 patients by CCG with the target as a dashed line.

    Parameters
    ----------
    t8 : DataFrame
        From :func:`analysis.tables.returns.table8`.
    target : float
        GP WTE per 1,000 patients target.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(8, 3.8))
    y = np.arange(len(t8))
    ax.barh(y, t8["gp_per_1000"], color=PALETTE[0])
    ax.axvline(target, color="black", linestyle="--", linewidth=1.2)
    ax.text(target, len(t8) - 0.4, f" target {target:.2f}", fontsize=8, va="bottom")
    ax.set_yticks(y, [area_label(c) for c in t8["ccg"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("GP WTE (excl. registrars) per 1,000 registered patients")
    ax.set_ylabel("CCG")
    ax.set_title("GP WTE per 1,000 patients against the 0.58 target", loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def ranked_bars(values, labels, xlabel: str, title_text: str = "",
                reference: tuple[str, float] | None = None):
    """Horizontal bars from zero, one per row in the order given (smallest at the bottom), with
    an optional dashed reference line (``(label, value)``, e.g. England). The per-1,000 charts
    of the chapters of areas found in real files.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = np.asarray(values, dtype=float)
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.22 * len(values) + 1.2)))
    y = np.arange(len(values))
    ax.barh(y, values, color=PALETTE[0])
    if reference is not None and np.isfinite(reference[1]):
        name, value = reference
        ax.axvline(value, color="black", linestyle="--", linewidth=1)
        ax.text(value, len(values) - 0.4, f" {name} {value:.2f}", fontsize=8, va="bottom")
    ax.set_yticks(y, [str(s) for s in labels], fontsize=7)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    if title_text:
        ax.set_title(textwrap.fill(title_text, 70), loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def stp_scope(area, stp) -> str:
    """What a chart of the STP's figures says in a CCG's report: " (the STP's figures, not
    apportioned to Dudley)"; empty in the STP's own report."""
    return "" if area == stp else f" (the STP's figures, not apportioned to {area.short_name})"
