"""Geography and chart headers across the demo batch (issue 14, items 2 and 4).

Reads the session's batch of demo reports (``demo_batch`` in ``conftest.py``): the index
page, each CCG report's table captions and every chart's header (``<figure data-title
data-context>``, written by :meth:`analysis.report.rendering.Report.chart`).
"""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from analysis.config import registry

pytestmark = pytest.mark.e2e

#: Charts whose header is drawn by a chapter not edited here; each names why.
NO_AREA_YET: dict[str, str] = {
}


def _cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _figures(text: str) -> list[dict]:
    out = []
    for tag, body in re.findall(r"(<figure[^>]*>)(.*?)</figure>", text, re.S):
        attrs = {k: html.unescape(v) for k, v in re.findall(r'(data-\w+)="([^"]*)"', tag)}
        name = re.search(r'href="charts/([^"]+)\.png"', body)
        out.append({"title": attrs.get("data-title"), "context": attrs.get("data-context", ""),
                    "name": name.group(1) if name else None})
    return out


def _returns_cover(folder, area, areas) -> list[str]:
    """Slugs of the area's CCGs with a local return in the latest period of the report's
    returns-status table, when they are some but not all of the area's CCGs."""
    path = folder / "tables" / "returns_status.csv"
    if not path.exists():
        return []
    status = pd.read_csv(path, dtype=str)
    latest = status[status["period"] == status["period"].max()]
    codes = set(latest["ccg_code"])
    own = [s for s, a in areas.items() if a.kind == "ccg" and a.code in area.members
           and a.code in codes]
    return own if 0 < len(own) < len(area.members) else []


def test_index_labels_an_stps_scenario_in_a_ccg_row(demo_batch):
    """A CCG's row shows its STP's leading scenario only labelled as the STP's model, not
    apportioned; an STP's row shows its own unlabelled."""
    page = (demo_batch / "index.html").read_text(encoding="utf-8")
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        link = re.search(r"href='([^/']+)/report.html'", row)
        if link:
            rows[link.group(1)] = row
    areas = registry()
    assert set(rows) == set(areas)
    checked = 0
    for slug, area in areas.items():
        scenario = _cells(rows[slug])[-2]
        if not scenario:
            continue
        checked += 1
        if area.kind == "ccg":
            stp = areas[area.stp].short_name
            assert scenario.endswith(f"({stp} STP model, not apportioned)"), (slug, scenario)
        else:
            assert "not apportioned" not in scenario, (slug, scenario)
    assert checked >= 2
    assert "each area's own figures" in page


def test_a_ccg_reports_stp_tables_say_so_in_their_captions(demo_batch):
    """Every table of a CCG report's scenario chapter (the STP's model) carries the STP label
    in its caption, except the CCG's indicative share, which names the CCG."""
    areas = registry()
    seen = 0
    for slug, area in areas.items():
        if area.kind != "ccg":
            continue
        text = (demo_batch / slug / "report.html").read_text(encoding="utf-8")
        caps = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
                re.findall(r"<caption>(.*?)</caption>", text, re.S)]
        chapter3 = [c for c in caps if c.startswith("Table 3.")]
        label = f"{areas[area.stp].short_name} STP model, not apportioned to {area.short_name}"
        for c in chapter3:
            seen += 1
            if "(indicative)" in c:
                assert c.startswith("Table 3.") and area.short_name in c, c
            else:
                assert label in c, (slug, c)
    assert seen > 10


def test_every_chart_has_a_header_with_its_area(demo_batch):
    """Every chart of every demo report states a message and names the area it shows: the
    report's own, its STP's (labelled as such) or what its data cover instead."""
    areas = registry()
    returns_cover = {slug: _returns_cover(demo_batch / slug, area, areas)
                     for slug, area in areas.items()}
    missing = []
    n = 0
    for slug, area in areas.items():
        text = (demo_batch / slug / "report.html").read_text(encoding="utf-8")
        figures = _figures(text)
        assert figures, slug
        stp = areas[area.stp]
        for f in figures:
            n += 1
            assert f["title"], (slug, f["name"], "no title")
            if f["name"] in NO_AREA_YET:
                continue
            header = f"{f['title']} {f['context']}"
            own = area.short_name in header or area.name in header
            parent = (area.kind == "ccg" and stp.name in header
                      and f"not apportioned to {area.short_name}" in header)
            covers = "(not the area)" in header or any(
                areas[c].short_name in header for c in returns_cover.get(slug, ()))
            if not (own or parent or covers):
                missing.append((slug, f["name"], header[:120]))
    assert n > 50
    assert missing == [], missing[:5]


def test_returns_chapter_names_the_ccgs_its_returns_cover(demo_batch):
    """Where the local returns cover only some of an area's CCGs (the Black Country's cover
    Wolverhampton), the returns chapter's charts and tables name those CCGs, not the area."""
    areas = registry()
    checked = 0
    for slug, area in areas.items():
        cover = _returns_cover(demo_batch / slug, area, areas)
        if not cover:
            continue
        names = [areas[c].short_name for c in cover]
        text = (demo_batch / slug / "report.html").read_text(encoding="utf-8")
        for f in _figures(text):
            if f["name"] in ("pyramid_all_staff", "pyramid_gps", "turnover"):
                checked += 1
                header = f"{f['title']} {f['context']}"
                assert all(n in header for n in names), (slug, f["name"], header)
                assert area.short_name not in header, (slug, f["name"], header)
        caps = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
                re.findall(r"<caption>(.*?)</caption>", text, re.S)]
        for c in caps:
            if c.split(". ", 1)[-1].startswith(("Headcount by age band", "Workforce by practice",
                                                "Monthly headcount", "GPs from local returns")):
                checked += 1
                assert all(n in c for n in names) and area.short_name not in c, (slug, c)
    assert checked >= 5


def test_workforce_indicator_tables_say_they_cover_the_stps_ccgs_and_england(demo_batch):
    """Tables 2.2 and 2.3 (patients per FTE, FTE per 1,000) list the STP's CCGs and England
    whatever the report's area: their captions say so."""
    areas = registry()
    for slug, area in areas.items():
        text = (demo_batch / slug / "report.html").read_text(encoding="utf-8")
        caps = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
                re.findall(r"<caption>(.*?)</caption>", text, re.S)]
        wanted = f"{areas[area.stp].short_name} CCGs and England"
        found = [c for c in caps if c.startswith(("Table 2.2.", "Table 2.3."))]
        assert len(found) == 2, (slug, found)
        assert all(wanted in c for c in found), (slug, found)


def test_every_caveat_is_printed_once(demo_batch):
    """Issue 14: caveats printed twice. Each caveat a chapter records appears once in its
    report (under Caveats at the end), not also in the chapter."""
    checked = 0
    for slug in registry():
        folder = demo_batch / slug
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", (folder / "report.html")
                                             .read_text(encoding="utf-8"))).split())
        caveats = json.loads((folder / "_meta" / "caveats.json").read_text(encoding="utf-8"))
        for chapter, items in caveats.items():
            for item in items:
                sentence = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split())
                assert text.count(sentence) == 1, (slug, chapter, sentence[:60])
                checked += 1
    assert checked > 50
