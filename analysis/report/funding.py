"""Funding trajectories in the scenario chapter: findings, chart and table (LLR plan Table 17).

The numbers are computed by :mod:`analysis.models.funding` (``funding_table``,
``funding_facts``); this module writes the findings (template ``funding_findings.html.j2``),
draws the shares against the minimum and the aspiration and shows the table.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.models.funding import (  # noqa: E402
    THRESHOLD_SOURCE,
    funding_facts,
    table_thresholds,
)
from analysis.models.scenarios import ScenarioContext  # noqa: E402
from analysis.models.scenarios.chapter import (  # noqa: E402
    funding_frame,
    funding_names,
    funding_own_ccg,
    rel_path,
)
from analysis.report.charts import stp_scope  # noqa: E402
from analysis.report.rendering import PALETTE, Html, Report, Section, fmt_int  # noqa: E402  # noqa: E402
from analysis.report.scenario_parts import fmt_pct, html, markdown  # noqa: E402
from analysis.util.rounding import round_half_up  # noqa: E402

LABELS = {
    "year": "Year", "ccg": "CCG", "allocation_k": "CCG allocation (£000)",
    "cocommissioning_k": "Co-commissioning (£000)",
    "cocommissioning_share": "Co-commissioning, % of allocation",
    "discretionary_k": "Discretionary spend (£000)", "spend_k": "Total primary care spend (£000)",
    "share": "% of allocation on primary care",
    "shortfall_minimum_k": "Shortfall to 10.9% (£000)",
    "shortfall_aspiration_k": "Shortfall to 11.3% (£000)",
}


def _pct(x: float, dp: int = 2) -> str:
    return f"{round_half_up(x * 100, dp):.{dp}f}%"


def _k(x: float) -> str:
    """GBP thousands for text: '£165k', '£1.2m'."""
    x = float(x)
    if abs(x) >= 1000:
        return f"£{round_half_up(x / 1000, 1):,.1f}m"
    return f"£{round_half_up(x, 0):,.0f}k"


def findings(table: pd.DataFrame, names: dict[str, str] | None = None) -> Html:
    """Plain-English statements of what the table shows (a bulleted list).

    Parameters
    ----------
    table : DataFrame
        From :func:`analysis.models.funding.funding_table`.
    names : dict, optional
        CCG label -> name to use in the text.
    """
    names = names or {}
    f = funding_facts(table)

    def name(c):
        return names.get(c, c)

    f["ends"] = [(name(c), a, b) for c, a, b in f["ends"]]
    for key in ("below", "miss"):
        f[key] = [{**r, "ccg": name(r["ccg"])} for r in f[key]]
    f["meet"] = [name(c) for c in f["meet"]]
    f["never"] = [name(c) for c in f["never"]]
    return html("funding_findings.html.j2", f=f, pc=_pct, k=_k)


def funding_chart(table: pd.DataFrame, title: str, highlight: str | None = None,
                  names: dict[str, str] | None = None):
    """Share of allocation spent on primary care by year, one line per CCG, with the lines.

    Parameters
    ----------
    table : DataFrame
        From :func:`funding_table`; the all-CCG rows are drawn dashed black.
    title : str
    highlight : str, optional
        CCG label drawn thicker (the report's own CCG); the others thinner.
    names : dict, optional
        CCG label -> legend name.
    """
    names = names or {}
    lo, hi = table_thresholds(table)
    years = sorted(table["year"].unique())
    x = np.arange(len(years))
    fig, ax = plt.subplots(figsize=(9, 5))
    ccgs = list(dict.fromkeys(table.loc[~table["is_total"], "ccg"]))
    for i, c in enumerate(ccgs):
        g = table[(table["ccg"] == c)].set_index("year").reindex(years)
        strong = highlight is None or c == highlight
        ax.plot(x, g["share"] * 100, color=PALETTE[i % len(PALETTE)], marker="o",
                linewidth=2.6 if (highlight and c == highlight) else 2 if strong else 1.2,
                alpha=1 if strong else 0.6, label=names.get(c, c))
    tot = table[table["is_total"]]
    if len(tot):
        g = tot.set_index("year").reindex(years)
        ax.plot(x, g["share"] * 100, color="#000000", linestyle="--", marker="s",
                markersize=4, linewidth=1.4, label=names.get(tot["ccg"].iloc[0],
                                                                tot["ccg"].iloc[0]))
    ax.axhline(lo * 100, color=PALETTE[5], linestyle=(0, (6, 3)), linewidth=1.5,
               label=f"Minimum {lo:.1%}")
    ax.axhline(hi * 100, color=PALETTE[3], linestyle=":", linewidth=2,
               label=f"Aspiration {hi:.1%}")
    for v, text, colour in ((lo, "minimum", PALETTE[5]), (hi, "aspiration", PALETTE[3])):
        ax.annotate(f"{v:.1%} {text}", (len(years) - 0.85, v * 100), xytext=(0, 3),
                    textcoords="offset points", va="bottom", ha="left", fontsize=8,
                    color=colour)
    ax.set_xticks(x, years)
    ax.set_xlim(-0.3, len(years) - 0.1)
    vals = np.concatenate([table["share"].to_numpy(dtype=float) * 100, [lo * 100, hi * 100]])
    ax.set_ylim(np.floor(vals.min() * 5 - 1) / 5, np.ceil(vals.max() * 5 + 1) / 5)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.1f}%"))
    ax.set_xlabel("Financial year")
    ax.set_ylabel("Share of CCG allocation spent on primary care")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=3)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def chart_alt(table: pd.DataFrame, names: dict[str, str] | None = None) -> str:
    """Alt text for :func:`funding_chart`: every value the chart shows."""
    names = names or {}
    lo, hi = table_thresholds(table)
    parts = []
    for c, g in table.groupby("ccg", sort=False):
        parts.append(f"{names.get(c, c)}: " + ", ".join(
            f"{y} {_pct(s)}" for y, s in zip(g["year"], g["share"], strict=True)))
    years = sorted(table["year"].unique())
    return (f"Line chart of the share of CCG allocation spent on primary care, {years[0]} to "
            f"{years[-1]}, against the {lo:.1%} minimum and {hi:.1%} aspiration lines. "
            + "; ".join(parts) + ".")


def funding_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Heading, findings, chart and table of the funding trajectories (empty when the config
    names no funding file for the area's STP)."""
    f = ctx.funding
    if f is None:
        return Section()
    names = funding_names(ctx)
    highlight = funding_own_ccg(ctx)
    source = f.attrs.get("source") or rel_path(ctx.funding_path)
    lo, hi = table_thresholds(f)
    facts = funding_facts(f)
    n_ccgs = len(facts["ends"])
    fig = funding_chart(f, "", highlight=highlight, names=names)
    chart = rpt.chart(
        fig, "scenario_funding_share", chart_alt(f, names), f"{source}; analysis/models/funding.py",
        title=(f"{len(facts['meet'])} of {n_ccgs} {ctx.stp.short_name} CCGs reach the "
               f"{hi:.1%} aspiration for primary care spending by {facts['last']}"),
        context=(f"{ctx.stp.name} funding plan, {facts['first']} to {facts['last']}"
                 f"{stp_scope(ctx.area, ctx.stp)}"))
    df = funding_frame(ctx)
    money = [c for c in df.columns if c.endswith("_k")]
    pct2 = fmt_pct(2)
    labels = dict(LABELS)
    labels["shortfall_minimum_k"] = f"Shortfall to {lo:.1%} (£000)"
    labels["shortfall_aspiration_k"] = f"Shortfall to {hi:.1%} (£000)"
    table = rpt.table(
        df, "scenario_funding",
        f"General Practice funding trajectories by CCG (£000), with the shortfall against the "
        f"{lo:.1%} minimum and the {hi:.1%} aspiration",
        formats={**dict.fromkeys(money, fmt_int), "cocommissioning_share": pct2, "share": pct2},
        labels=labels, highlight=names.get(highlight) if highlight else None,
        note=f"Source: {source}, transcribed in {rel_path(ctx.funding_path)}; total spend, "
             "shares and shortfalls computed by analysis/models/funding.py. Shortfall = line x "
             f"allocation - spend: negative when spend is above the line. Target: the "
             f"{lo:.1%} minimum and the {hi:.1%} aspiration ({THRESHOLD_SOURCE}).")
    return Section([markdown("scenarios_sections.md.j2", key="funding"),
                    findings(f, names), chart, table])
