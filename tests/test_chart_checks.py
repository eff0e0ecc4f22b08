"""The bar-chart rule (issue 14, item 4): a value axis that leaves out zero is reported unless
the chart draws the broken-axis mark or declares bars that start at a reference value."""

from __future__ import annotations

import pytest

from analysis.report.chart_checks import bar_axis_problems, mark_axis_break, relative_bars
from analysis.report.rendering import plt


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.mark.parametrize("horizontal", [False, True])
def test_bars_on_an_axis_without_zero_are_reported(ax, horizontal):
    if horizontal:
        ax.barh([0, 1], [620, 640])
        ax.set_xlim(600, 650)
    else:
        ax.bar([0, 1], [620, 640])
        ax.set_ylim(600, 650)
    ax.set_title("GP WTE", loc="left")
    (problem,) = bar_axis_problems(ax.figure)
    axis = "x" if horizontal else "y"
    assert problem.startswith(f"'GP WTE': bars on a {axis}-axis from 600 to 650")
    assert "include zero or the broken-axis mark" in problem


def test_zero_on_the_axis_the_break_mark_or_a_reference_passes(ax):
    ax.bar([0, 1], [620, 640])
    assert bar_axis_problems(ax.figure) == []  # matplotlib's own limits include zero
    ax.set_ylim(600, 650)
    assert len(bar_axis_problems(ax.figure)) == 1
    mark_axis_break(ax)
    assert bar_axis_problems(ax.figure) == []
    fig, other = plt.subplots()
    other.barh([0, 1], [-20, 15], left=630)  # a tornado: bars from the base case
    other.set_xlim(600, 650)
    assert len(bar_axis_problems(fig)) == 1
    relative_bars(other)
    assert bar_axis_problems(fig) == []
    plt.close(fig)


def test_negative_bars_need_zero_too(ax):
    ax.bar([0, 1], [-5, -8])
    ax.set_ylim(-10, -2)
    assert len(bar_axis_problems(ax.figure)) == 1
    ax.set_ylim(-10, 0)
    assert bar_axis_problems(ax.figure) == []


def test_a_chart_at_fault_is_written_to_the_chapter_error_stream(tmp_path, capsys):
    from analysis.report.rendering import Report

    fig, ax = plt.subplots()
    ax.bar([0, 1], [620, 640])
    ax.set_ylim(600, 650)
    Report(tmp_path, chapter=1).chart(fig, "wte", "alt", "test")
    err = capsys.readouterr().err
    assert err.startswith("chart wte: 'axes 1': bars on a y-axis from 600 to 650")
