"""Charts of the scenario chapter, drawn from the frames the models compute.

Each function returns a matplotlib Figure; :mod:`analysis.report.scenarios` saves it with its
alt text and source through :meth:`analysis.report.rendering.Report.chart`.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.models.scenarios import COMPONENT_LABELS, COMPONENTS, ScenarioContext  # noqa: E402
from analysis.models.scenarios.chapter import fan_frame  # noqa: E402
from analysis.report.chart_checks import mark_axis_break, relative_bars  # noqa: E402
from analysis.report.rendering import GREY, PALETTE  # noqa: E402
from analysis.report.scenario_parts import pct, wte  # noqa: E402

UP, DOWN, TOTAL = PALETTE[2], PALETTE[5], PALETTE[0]


def _style(ax, title: str, ylabel: str = "GP WTE") -> None:
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)


def trajectory_chart(ctx: ScenarioContext):
    """Each scenario's supply against the target, like LLR Figure 9.

    Annual mode solid with markers, published mode dashed (straight to its published position),
    history from the file (grey), the target as a horizontal line.
    """
    s = ctx.sset
    fig, ax = plt.subplots(figsize=(9, 5))
    if s.history:
        hd, hv = zip(*s.history, strict=True)
        ax.plot(hd, hv, color=GREY, marker="s", linewidth=1.5, label="Recorded WTE")
    end = s.end
    for i, x in enumerate(s.scenarios):
        colour = PALETTE[(i + 1) % len(PALETTE)]
        p = ctx.paths[ctx.paths["scenario"] == x.id]
        ax.plot(p["date"], p["supply"], color=colour, marker="o", linewidth=2,
                label=f"{x.name} (annual)")
        pos = ctx.published.loc[x.id, "position"]
        ax.plot([s.start, end], [ctx.published.loc[x.id, "baseline"], pos], color=colour,
                linestyle="--", linewidth=1.2)
        ax.annotate(wte(pos), (end, pos), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=9, color=colour, fontweight="bold")
    ax.axhline(ctx.target, color="#000000", linestyle=":", linewidth=1.5,
               label=f"Target {wte(ctx.target)}")
    ax.plot([], [], color="#555555", linestyle="--", linewidth=1.2,
            label="Published mode (labelled)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    _style(ax, f"{ctx.stp.short_name} GP supply and demand trajectories to {s.horizon_label}")
    ax.set_xlabel("Date")
    top = max(ctx.target, float(ctx.paths["supply"].max()),
              float(ctx.published["position"].max()))
    ax.set_ylim(None, top + 0.04 * top)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=2)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig



def waterfall_chart(res_row: pd.Series, target: float, title: str):
    """Waterfall from the baseline through each component to the horizon position."""
    items = [("Baseline", res_row["baseline"], "total")]
    items += [(COMPONENT_LABELS[c], res_row[c], "step") for c in COMPONENTS
              if abs(res_row[c]) > 1e-12]
    items.append(("Position", res_row["position"], "total"))
    fig, ax = plt.subplots(figsize=(9, 4.8))
    level = 0.0
    for i, (_label, v, kind) in enumerate(items):
        if kind == "total":
            ax.bar(i, v, color=TOTAL, width=0.6)
            level = v
            ax.text(i, v, wte(v), ha="center", va="bottom", fontsize=9)
        else:
            bottom = level if v >= 0 else level + v
            ax.bar(i, abs(v), bottom=bottom, color=UP if v >= 0 else DOWN, width=0.6)
            ax.text(i, bottom + abs(v), f"{'+' if v >= 0 else '-'}{wte(abs(v))}", ha="center",
                    va="bottom", fontsize=9)
            if i + 1 < len(items):
                ax.plot([i - 0.3, i + 1.3], [level + v] * 2, color=GREY, linewidth=0.6)
            level += v
    ax.axhline(target, color="#000000", linestyle=":", linewidth=1.5,
               label=f"Target {wte(target)}")
    ax.set_xticks(range(len(items)), [_wrap(lbl) for lbl, _, _ in items], fontsize=8)
    lo = min(min(level, res_row["baseline"]), target)
    floor = max(0, lo - 0.25 * abs(res_row["baseline"] - lo) - 60)
    ax.set_ylim(floor, None)
    _style(ax, title, "GP WTE" if floor == 0 else f"GP WTE (axis starts at {wte(floor)})")
    if floor > 0:
        mark_axis_break(ax)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _wrap(text: str, width: int = 14) -> str:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > width and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    return "\n".join(lines)



def tornado_chart(t: pd.DataFrame, target: float, title: str):
    """Horizontal bars from the base supply to the supply at each parameter's low and high."""
    base = t.attrs["base_position"]
    t = t.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(t) + 1.6))
    y = np.arange(len(t))
    lo = t["position_low"].to_numpy(dtype=float) - base
    hi = t["position_high"].to_numpy(dtype=float) - base
    ax.barh(y, lo, left=base, color=PALETTE[1], label="Parameter at its low value")
    ax.barh(y, hi, left=base, color=PALETTE[0], label="Parameter at its high value")
    ax.axvline(base, color="#333333", linewidth=1)
    relative_bars(ax)
    ax.axvline(target, color="#000000", linestyle=":", linewidth=1.5,
               label=f"Target {wte(target)}")
    ax.set_yticks(y, t["label"].to_list(), fontsize=8)
    ax.set_xlabel("GP WTE at the horizon")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def fan_chart(ctx: ScenarioContext, sid: str):
    """Median and 50/80/95% bands of the Monte Carlo supply paths, with the target."""
    s = ctx.sset
    mc = ctx.mc[sid]
    b = fan_frame(ctx, sid)
    dates = list(b["date"])
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for lv, alpha in ((95, 0.18), (80, 0.3), (50, 0.45)):
        ax.fill_between(dates, b[f"low_{lv}"], b[f"high_{lv}"], color=PALETTE[0], alpha=alpha,
                        linewidth=0, label=f"{lv}% of draws")
    ax.plot(dates, b["median"], color=PALETTE[0], linewidth=2, label="Median")
    det = ctx.paths[ctx.paths["scenario"] == sid]
    if ctx.uncertainty_mode == "annual":
        ax.plot(det["date"], det["supply"], color="#000000", linewidth=1, linestyle="--",
                label="Deterministic")
    ax.axhline(ctx.target, color="#000000", linestyle=":", linewidth=1.5,
               label=f"Target {wte(ctx.target)}")
    ax.text(0.01, 0.97, f"P(meet target of {wte(ctx.target)} by {s.horizon_label}) = "
            f"{pct(mc.p_meet)}", transform=ax.transAxes, va="top", ha="left", fontsize=10,
            fontweight="bold")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    _style(ax, f"{s.scenario(sid).name}: uncertainty in supply ({mc.position.size:,} draws)")
    ax.set_xlabel("Date")
    top = max(ctx.target, float(b["high_95"].max()))
    ax.set_ylim(None, top + 0.06 * top)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=3)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig

