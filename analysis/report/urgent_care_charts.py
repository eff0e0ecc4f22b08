"""Charts of the urgent-care chapter, drawn from the frames of
:class:`analysis.models.urgent_care.context.UrgentCareContext` (nothing is computed here).

Each function returns a matplotlib Figure; :mod:`analysis.report.urgent_care` numbers, saves and
captions it through :meth:`analysis.report.rendering.Report.chart`.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from analysis.io.urgent_care import DAY_SHORT, HOURS_PER_WEEK
from analysis.models.urgent_care.job_plans import PLAN_SETTINGS, Session
from analysis.models.urgent_care.profiles import SETTINGS, as_day_hour
from analysis.report.rendering import GREY, PALETTE

SETTING_COLOURS = {"iucs": PALETTE[0], "ed": PALETTE[5], "frailty": PALETTE[2],
                   "paediatrics": PALETTE[3], "admin": GREY}
# Need shading of the job-plan grids: a light blue-green ramp, distinct from every setting's
# colour and from the grey of admin/CPD.
NEED_CMAP = LinearSegmentedColormap.from_list("need", ["#FFFFFF", "#CDEBE6", "#6FB8AE"])
SHORT = {"iucs": "IUCS", "ed": "ED", "frailty": "Frailty", "paediatrics": "Paediatrics",
         "admin": "Admin"}
MIX_MEASURES_SHOWN = ["assessed", "ambulance", "ed", "primary_care", "self_care", "booked"]
MIX_NAMES = {"assessed": "Assessed by\nclinician", "ambulance": "Ambulance", "ed": "ED",
             "primary_care": "Primary care", "self_care": "Self care", "booked": "Booked"}


def _day_axis(ax):
    for d in range(1, 7):
        ax.axvline(d * 24 - 0.5, color="#BBBBBB", linewidth=0.8)
    ax.set_xticks([d * 24 + 12 for d in range(7)], DAY_SHORT)
    ax.set_xlim(-0.5, HOURS_PER_WEEK - 0.5)
    ax.spines[["top", "right"]].set_visible(False)


def _heat(ax, mat: pd.DataFrame, title: str, cmap: str, label: str):
    im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap=cmap)
    ax.set_yticks(range(7), mat.index)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    ax.set_xlabel("Hour of day")
    ax.set_title(title, loc="left", fontsize=10)
    cb = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cb.set_label(label, fontsize=8)


def heatmaps(pc: pd.DataFrame, pm: pd.DataFrame, small: pd.Series, title: str):
    """Four heat maps: cases and minutes per hour, mean and 90th percentile week; hours with
    ``small`` case counts blanked; ``title`` states the message, area and period."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.2))
    for ax, prof, col, ttl, cmap, lab in (
            (axes[0, 0], pc, "mean", "Cases per hour, mean week", "viridis", "cases"),
            (axes[0, 1], pc, "p90", "Cases per hour, 90th percentile week", "viridis", "cases"),
            (axes[1, 0], pm, "mean", "Clinical minutes per hour, mean week", "cividis",
             "minutes"),
            (axes[1, 1], pm, "p90", "Clinical minutes per hour, 90th percentile week",
             "cividis", "minutes")):
        mat = as_day_hour(prof.assign(**{col: prof[col].mask(small)}), col)
        _heat(ax, mat, ttl, cmap, lab)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    fig.tight_layout(rect=(0, 0.04, 1, 0.96))
    return fig


def seasonality(s: pd.DataFrame, title: str):
    """Bars of cases per day by month against the average day."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    labels = [m.strftime("%b\n%Y") if m.month in (1, 4) or i == 0 else m.strftime("%b")
              for i, m in enumerate(s["month"])]
    ax.bar(range(len(s)), s["cases_per_day"], color=PALETTE[0])
    ax.axhline(s["cases"].sum() / s["days"].sum(), color="#000000", linestyle="--",
               linewidth=1, label="average day")
    ax.set_xticks(range(len(s)), labels, fontsize=8)
    ax.set_ylabel("Cases per day")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def mix_sources(cols: dict[str, dict]) -> list[str]:
    """The sources of the mix comparison with at least one measure to draw."""
    return [k for k in cols
            if any(not pd.isna(cols[k].get(m, math.nan)) for m in MIX_MEASURES_SHOWN)]


def mix(cols: dict[str, dict], title: str):
    """Grouped bars of the mix measures, one group per measure, one bar per source."""
    fig, ax = plt.subplots(figsize=(10, 4.2))
    keys = mix_sources(cols)
    width = 0.8 / max(len(keys), 1)
    x = np.arange(len(MIX_MEASURES_SHOWN))
    for i, k in enumerate(keys):
        vals = [cols[k].get(m, math.nan) for m in MIX_MEASURES_SHOWN]
        colour = PALETTE[i % len(PALETTE)] if i < 3 else ["#555555", "#AAAAAA", "#777777"][
            (i - 3) % 3]
        ax.bar(x + i * width - 0.4 + width / 2, np.array(vals, dtype=float) * 100, width,
               label=k, color=colour, edgecolor="white")
    ax.set_xticks(x, [MIX_NAMES[m] for m in MIX_MEASURES_SHOWN], fontsize=9)
    ax.set_ylabel("% (see table for denominators)")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def ae_arrivals(per_hour: pd.DataFrame, title: str):
    """Stacked areas of A&E arrivals per hour of week: ambulance, then walk-in."""
    fy = per_hour.attrs["financial_year"]
    amb = per_hour["ambulance"].to_numpy(float)
    walk = per_hour["walk_in"].to_numpy(float)
    fig, ax = plt.subplots(figsize=(11, 3.8))
    h = np.arange(HOURS_PER_WEEK)
    ax.fill_between(h, 0, amb, step="mid", color=PALETTE[5], alpha=0.85,
                    label="arrived by ambulance")
    ax.fill_between(h, amb, amb + walk, step="mid", color=PALETTE[4], alpha=0.85,
                    label="other arrivals (walk-in)")
    _day_axis(ax)
    ax.set_ylabel(f"Attendances per hour, England {fy}")
    ax.set_title(title, loc="left", fontsize=12)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def setting_demand(workload: pd.DataFrame, peaks: pd.DataFrame, title: str):
    """One panel per setting of workload per hour of week, peak hours coloured."""
    settings = list(workload.columns)
    fig, axes = plt.subplots(len(settings), 1, figsize=(11, 1.7 * len(settings) + 0.8),
                             sharex=True)
    axes = np.atleast_1d(axes)
    # one filled step outline per colour, not 168 bars: the same columns of width 1 centred
    # on each hour, drawn as two patches instead of 168
    edges = np.arange(HOURS_PER_WEEK + 1) - 0.5
    for ax, s in zip(axes, settings, strict=True):
        values, peak = workload[s].to_numpy(float), peaks[s].to_numpy(bool)
        for mask, colour in ((~peak, "#CCCCCC"), (peak, SETTING_COLOURS[s])):
            ax.stairs(np.where(mask, values, 0.0), edges, baseline=0, fill=True,
                      color=colour, linewidth=0)
        ax.set_ylabel(SHORT[s], rotation=0, ha="right", va="center", fontsize=9)
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="y", labelsize=7)
        _day_axis(ax)
    axes[0].set_title(title, loc="left", fontsize=11)
    axes[-1].set_xlabel("Clinician-hours of GP-suitable workload per hour; the busiest quarter "
                        "of each setting's hours coloured", fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def clinicians(staff: pd.DataFrame, title: str):
    """Step lines of clinicians rostered per hour of week, one per setting."""
    fig, ax = plt.subplots(figsize=(11, 3.8))
    h = np.arange(HOURS_PER_WEEK)
    for s in SETTINGS:
        sub = staff[staff["setting"] == s]
        if len(sub):
            ax.step(h, sub["rostered"].to_numpy(float), where="mid", color=SETTING_COLOURS[s],
                    label=SETTINGS[s], linewidth=1.4)
    _day_axis(ax)
    ax.set_ylabel("Clinicians rostered")
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_ylim(0, max(float(staff["rostered"].max()), 1.0) * 1.3)
    ax.legend(frameon=False, fontsize=8, ncol=4, loc="upper left")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def _plan_axes(ax, sessions: list[Session], name: str, need: pd.DataFrame | None = None,
               vmax: float = 1.0):
    ax.set_xlim(0, 7)
    ax.set_ylim(24, 0)
    ax.set_xticks([d + 0.5 for d in range(7)], DAY_SHORT, fontsize=8)
    ax.set_yticks(range(0, 25, 4), [f"{h:02d}:00" for h in range(0, 25, 4)], fontsize=7)
    if need is not None and need.shape[1]:
        total = need.fillna(0).sum(axis=1).to_numpy(float).reshape(7, 24).T
        ax.imshow(total, cmap=NEED_CMAP, vmin=0, vmax=vmax, aspect="auto",
                  extent=(0, 7, 24, 0), interpolation="nearest")
    for d in range(8):
        ax.axvline(d, color="#DDDDDD", linewidth=0.8)
    for s in sessions:
        pieces = []
        start, left, day = s.start, s.hours, s.day
        while left > 0:
            length = min(left, 24 - start)
            pieces.append((day % 7, start, length))
            left -= length
            start, day = 0, day + 1
        for k, (d, st, ln) in enumerate(pieces):
            ax.add_patch(plt.Rectangle((d + 0.12, st), 0.76, ln,
                                       color=SETTING_COLOURS[s.setting], alpha=0.95))
            if k == 0:  # the whole name, along the tile (a tile is taller than wide)
                ax.text(d + 0.5, st + ln / 2, SHORT[s.setting], ha="center", va="center",
                        fontsize=7, color="white" if s.setting != "admin" else "black",
                        rotation=90)
    ax.set_title(name, loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)


def job_plans(plans: dict[str, list[Session]], need: pd.DataFrame | None = None,
              title: str = "Example weekly job plans for an Extended Portfolio GP"):
    """Week grids of the job plans side by side, over the clinicians needed each hour (all
    settings, shaded on :data:`NEED_CMAP`, darker = more, with its colour bar)."""
    n = len(plans)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 5.4), sharey=True)
    axes = np.atleast_1d(axes)
    vmax = float(need.fillna(0).sum(axis=1).max()) if need is not None and need.size else 1.0
    for ax, (name, sessions) in zip(axes, plans.items(), strict=True):
        _plan_axes(ax, sessions, name, need, max(vmax, 1.0))
    handles = [plt.Rectangle((0, 0), 1, 1, color=SETTING_COLOURS[s]) for s in PLAN_SETTINGS]
    labels = [PLAN_SETTINGS[s] for s in PLAN_SETTINGS]
    fig.legend(handles, labels, loc="lower left", ncol=3, frameon=False, fontsize=8,
               bbox_to_anchor=(0.01, 0.01))
    fig.suptitle(textwrap.fill(title, 150 if n > 2 else 90), x=0.01, ha="left", fontsize=12)
    fig.tight_layout(rect=(0, 0.09, 1, 0.93))
    if need is not None:  # after the layout: the shading's own scale, not a legend swatch
        cax = fig.add_axes((0.66, 0.05, 0.3, 0.025))
        cb = fig.colorbar(plt.cm.ScalarMappable(plt.Normalize(0, max(vmax, 1.0)), NEED_CMAP),
                          cax=cax, orientation="horizontal")
        cb.set_label("Clinicians needed, all settings (shading)", fontsize=8)
        cb.ax.tick_params(labelsize=7)
    return fig
