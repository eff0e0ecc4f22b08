"""Honest bar charts (issue 14, item 4), checked on every chart a report saves.

A bar encodes an amount by its length, so the value axis of a bar chart includes zero; when a
chart zooms in on a range far from zero it draws the broken-axis mark (:func:`mark_axis_break`)
and says where the axis starts. Bars that show a change from a reference value (a tornado's
bars start at the base case) are declared so with :func:`relative_bars`: their length is the
change, and the reference line is drawn.

:func:`bar_axis_problems` lists the axes that break the rule;
:meth:`analysis.report.rendering.Report.chart` writes each problem to the chapter's error
stream, which the runner records in ``_meta/warnings.txt`` and the end-to-end tests require
empty for every report.
"""

from __future__ import annotations

from matplotlib.container import BarContainer

BREAK_GID = "axis-break"
"""``gid`` of the strokes of the broken-axis mark."""
RELATIVE_GID = "bars-from-a-reference"
"""``gid`` of an axes whose bars start at a reference value, not at zero."""


def mark_axis_break(ax) -> None:
    """The broken-axis mark (two short diagonal strokes) at the foot of the y-axis: the bars
    do not start at zero, and the chart says so."""
    kw = dict(transform=ax.transAxes, color="#000000", clip_on=False, linewidth=1,
              gid=BREAK_GID)
    for dy in (0.0, 0.025):
        ax.plot([-0.015, 0.015], [0.02 + dy - 0.012, 0.02 + dy + 0.012], **kw)


def relative_bars(ax) -> None:
    """Declare that the bars of ``ax`` start at a reference value drawn on the chart (a
    tornado's base case), so their axis need not include zero."""
    ax.set_gid(RELATIVE_GID)


def _has_break(ax) -> bool:
    return any(line.get_gid() == BREAK_GID for line in ax.get_lines())


def bar_axis_problems(fig) -> list[str]:
    """What is wrong with the bar charts of ``fig``: a value axis that leaves out zero
    without the broken-axis mark.

    Parameters
    ----------
    fig : matplotlib Figure

    Returns
    -------
    list of str
        One sentence per axes at fault, naming its title or position; empty when every bar
        chart is honest.
    """
    problems = []
    for i, ax in enumerate(fig.axes):
        bars = [c for c in ax.containers if isinstance(c, BarContainer) and len(c)]
        if not bars or ax.get_gid() == RELATIVE_GID or _has_break(ax):
            continue
        horizontal = any(c.orientation == "horizontal" for c in bars)
        lo, hi = sorted(ax.get_xlim() if horizontal else ax.get_ylim())
        if not lo <= 0 <= hi:
            name = ax.get_title(loc="left") or ax.get_title() or f"axes {i + 1}"
            axis = "x" if horizontal else "y"
            problems.append(f"{name!r}: bars on a {axis}-axis from {lo:g} to {hi:g}, which "
                            "leaves out zero; expected the axis to include zero or the "
                            "broken-axis mark (chart_checks.mark_axis_break)")
    return problems
