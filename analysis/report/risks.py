"""The risk register in the scenario chapter: summary, 5x5 heat map and RAG table (LLR plan
Figure 15).

Scores, levels and ratings are computed by :mod:`analysis.models.risks`; this module writes the
summary (template ``risks_summary.html.j2``), draws the heat map and shows the table.
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from analysis.models.risks import (  # noqa: E402
    BANDS_SOURCE,
    IMPACT,
    LIKELIHOOD,
    heat_cells,
    open_risks,
    rag,
    rag_bands,
    register_facts,
)
from analysis.models.scenarios import ScenarioContext  # noqa: E402
from analysis.models.scenarios.chapter import rel_path  # noqa: E402
from analysis.report.charts import stp_scope  # noqa: E402
from analysis.report.rendering import PALETTE, Html, Report, Section  # noqa: E402  # noqa: E402
from analysis.report.scenario_parts import html, markdown  # noqa: E402

# Okabe-Ito orange and vermillion and bluish green: told apart with the common forms of colour
# blindness; each cell also carries its score and R/A/G letter, so colour is never the only cue.
RAG_COLOURS = {"Red": PALETTE[5], "Amber": PALETTE[1], "Green": PALETTE[2]}


def rag_text(amber_from: int | None = None, red_from: int | None = None) -> str:
    """The RAG bands in words, e.g. 'green 1-6, amber 8-12, red 15-25'."""
    return ", ".join(f"{k.lower()} {lo}-{hi}" for k, (lo, hi) in
                     rag_bands(amber_from, red_from).items())


def summary(table: pd.DataFrame) -> Html:
    """Plain-English statements about the register (a bulleted list)."""
    return html("risks_summary.html.j2", r=register_facts(table))


def heat_map(table: pd.DataFrame, title: str, amber_from: int | None = None,
             red_from: int | None = None, max_ids: int = 8):
    """5x5 likelihood x impact grid coloured by RAG, each cell listing its risk ids.

    Parameters
    ----------
    table : DataFrame
        From :func:`rag_table` (pass ``open_only=True`` for open risks only).
    title : str
    max_ids : int
        A cell with more risks than this shows only the count.
    """
    fig, ax = plt.subplots(figsize=(9, 6.4))
    for lk in range(1, 6):
        for im in range(1, 6):
            score = lk * im
            colour = RAG_COLOURS[rag(score, amber_from, red_from)]
            ids = table.loc[(table["likelihood"] == lk) & (table["impact"] == im), "risk_id"]
            n = len(ids)
            ax.add_patch(plt.Rectangle((im - 0.5, lk - 0.5), 1, 1, facecolor=colour,
                                       alpha=0.85 if n else 0.28, edgecolor="white",
                                       linewidth=2))
            ax.text(im - 0.44, lk + 0.44, f"{score} {rag(score, amber_from, red_from)[0]}",
                    ha="left", va="top", fontsize=8, color="#222222")
            if n:
                body = (f"{n} risk{'s' if n > 1 else ''}\n"
                        + ("\n".join(textwrap.wrap(" ".join(ids), 10)) if n <= max_ids else ""))
                ax.text(im, lk - 0.06, body.strip(), ha="center", va="center", fontsize=8.5,
                        fontweight="bold", color="#000000")
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6), [f"{k}\n{v}" for k, v in IMPACT.items()], fontsize=8)
    ax.set_yticks(range(1, 6), [f"{k} {v}" for k, v in LIKELIHOOD.items()], fontsize=8)
    ax.set_xlabel("Impact (consequence)")
    ax.set_ylabel("Likelihood")
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_aspect("auto")
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    bands = rag_bands(amber_from, red_from)
    ax.legend(handles=[Patch(facecolor=RAG_COLOURS[k], label=f"{k} ({k[0]}): score {lo}-{hi}")
                       for k, (lo, hi) in bands.items()],
        frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def heat_alt(table: pd.DataFrame) -> str:
    """Alt text for :func:`heat_map`: every occupied cell and its risks."""
    cells = heat_cells(table)
    parts = [f"likelihood {r['likelihood']} x impact {r['impact']} = {r['score']} "
             f"({r['rag']}): {', '.join(r['ids'])}" for _, r in cells.iterrows()]
    counts = table["rag"].value_counts()
    return (f"5 by 5 heat map of {len(table)} risks by likelihood and impact, cells coloured "
            f"red, amber or green by score. {counts.get('Red', 0)} red, "
            f"{counts.get('Amber', 0)} amber, {counts.get('Green', 0)} green. "
            + "; ".join(parts) + ".")


def risks_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """Heading, summary, 5x5 heat map and RAG table of the risk register (empty when the config
    names no register for the area's STP)."""
    t = ctx.risks
    if t is None:
        return Section()
    source = t.attrs.get("source") or rel_path(ctx.risks_path)
    open_ = open_risks(t)
    amber, red = t.attrs["amber_from"], t.attrs["red_from"]
    fig = heat_map(open_, "", amber, red)
    counts = open_["rag"].value_counts()
    chart = rpt.chart(
        fig, "scenario_risk_heatmap", heat_alt(open_), f"{source}; analysis/models/risks.py",
        title=(f"{counts.get('Red', 0)} of {len(open_)} open {ctx.stp.short_name} workforce "
               "risks are red, by likelihood and impact"),
        context=f"{ctx.stp.name} risk register{stp_scope(ctx.area, ctx.stp)}")
    table = rpt.table(
        t, "scenario_risk_register",
        "Workforce risks by score (likelihood x impact), highest first, with RAG rating",
        labels={"risk_id": "Risk", "description": "Description", "likelihood": "Likelihood",
                "impact": "Impact", "score": "Score", "level": "Level", "rag": "RAG",
                "original_score": "Score when added", "movement": "Movement",
                "mitigation": "Mitigating actions", "responsible": "Responsible",
                "status": "Status"},
        note=f"Source: {source}, transcribed in {rel_path(ctx.risks_path)}. Current scores are "
             f"the latest review's. RAG: {rag_text(amber, red)}; levels Low 1-3, Moderate 4-6, "
             f"High 8-12, Significant 15-25 (the {BANDS_SOURCE}).")
    return Section([markdown("scenarios_sections.md.j2", key="risks"), summary(t), chart,
                    table])
