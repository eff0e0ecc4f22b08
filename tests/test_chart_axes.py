"""Bars that encode amounts start at zero (issue 14, item 4): the PCN and GP practice charts
of FTE per 1,000 patients, drawn from small frames whose values are far from zero."""

from __future__ import annotations

import pandas as pd

from analysis.report import gp_practice, pcn
from analysis.report.rendering import plt


def test_per_1000_bars_start_at_zero():
    by_pcn = pd.DataFrame({"pcn_code": ["U1", "U2"], "pcn_name": ["North", "South"],
                           "fte_per_1000": [2.4, 2.6]})
    by_practice = pd.DataFrame({"practice_code": ["A1", "A2"], "practice_name": ["One", "Two"],
                                "gp_fte_per_1000": [0.61, 0.64]})
    for fig in (pcn.per_1000_figure(by_pcn, "", 2.5),
                gp_practice.per_1000_figure(by_practice, "")):
        ax = fig.axes[0]
        left, right = ax.get_xlim()
        widths = [p.get_width() for p in ax.patches]
        assert left == 0 and right >= max(widths)
        assert all(p.get_x() == 0 for p in ax.patches), "each bar drawn from zero"
        assert ax.get_title(loc="left") == "", "the header is the report's (Report.chart)"
        plt.close(fig)
