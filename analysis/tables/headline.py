"""The headline figures of a report, each with its definition and the chapter table it is in.

The summary at the top of a report reads its figures from here, and here reads them from the
frames the chapters show (``tables/<name>.csv`` beside the report, written unrounded by
:meth:`analysis.report.rendering.Report.table`) and from the facts the chapters recorded
(``_meta/headline.json``). No headline figure is computed twice: a figure shown in a chapter
table names that table, its row and its column (:class:`Figure`), and a figure derived from
shown ones (a ratio, a share, a gap to the target) names them and its formula.

GP figures have three bases, named wherever they are quoted:

* ``all``: all GPs, registrars, retainers and locums included (NHS Digital's headcount and FTE
  in the "Number of GPs and practices" table);
* ``excl_registrars``: GPs excluding registrars (the practices' own staff-level returns, the
  basis of the LLR plan and of the Wolverhampton practice-group table);
* ``fully_qualified``: GPs excluding registrars, retainers and locums (NHS Digital's
  practice-level indicators, the only basis with an England figure).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

BASES = {
    "all": "all GPs incl. registrars, retainers and locums; NHS Digital",
    "excl_registrars": "GPs excl. registrars; practices' local workforce returns",
    "fully_qualified": "fully qualified GPs excl. registrars, retainers and locums; NHS "
                       "Digital practice-level indicators",
}


@dataclass(frozen=True)
class Figure:
    """One headline figure.

    ``kind`` says how it is printed (``int``, ``dp1``, ``dp2``, ``pct``). ``table``, ``row``
    (position in the table's frame) and ``column`` locate it in a chapter table; a derived
    figure has no table and names its ``formula`` instead.
    """

    key: str
    label: str
    value: float
    kind: str
    basis: str
    date: str
    table: str | None = None
    row: int | None = None
    column: str | None = None
    formula: str | None = None


@dataclass
class Headline:
    """Every headline figure of one report, by key, and the scenarios compared."""

    figures: dict[str, Figure] = field(default_factory=dict)
    scenarios: pd.DataFrame | None = None
    facts: dict = field(default_factory=dict)

    def add(self, fig: Figure) -> None:
        self.figures[fig.key] = fig

    def get(self, key: str) -> Figure | None:
        return self.figures.get(key)


def _row(df: pd.DataFrame, column: str, value: str) -> int | None:
    hit = df.index[df[column].astype(str).str.casefold() == value.casefold()]
    return int(hit[0]) if len(hit) else None


def _shown(key, label, df, row, column, kind, basis, date, table) -> Figure:
    return Figure(key, label, float(df.loc[row, column]), kind, basis, date, table, row, column)


def _per_1000(h: Headline, prefix: str, fte: Figure, patients: Figure, target: float,
              basis: str, label: str) -> None:
    value = fte.value / patients.value * 1000
    h.add(Figure(f"{prefix}_per_1000", label, value, "dp2", basis, fte.date,
                 formula=f"{fte.key} / {patients.key} x 1,000"))
    h.add(Figure(f"{prefix}_gap", f"FTE needed to reach {target:.2f} per 1,000 patients",
                 target * patients.value / 1000 - fte.value, "dp1", basis, fte.date,
                 formula=f"{target} x {patients.key} / 1,000 - {fte.key}"))


def nhs_digital_figures(h: Headline, gp_summary: pd.DataFrame, area_name: str,
                        parent_name: str | None, target: float, date: str) -> None:
    """All-GP figures from the "Number of GPs and practices" table (own row and parent)."""
    row = _row(gp_summary, "area", area_name)
    if row is None:
        return
    t = "gp_summary"
    for col, label, kind in (("practices", "Practices", "int"), ("patients", "Patients", "int"),
                             ("gp_hc", "GP headcount", "int"), ("gp_fte", "GP FTE", "dp1"),
                             ("gp_hc_55_plus", "GPs aged 55 or over", "int")):
        h.add(_shown(f"all_{col}", label, gp_summary, row, col, kind, "all", date, t))
    _per_1000(h, "all", h.figures["all_gp_fte"], h.figures["all_patients"], target, "all",
              "GP FTE per 1,000 patients")
    h.add(Figure("all_share_55_plus", "Share of GPs aged 55 or over",
                 h.figures["all_gp_hc_55_plus"].value / h.figures["all_gp_hc"].value, "pct",
                 "all", date, formula="all_gp_hc_55_plus / all_gp_hc"))
    prow = _row(gp_summary, "area", parent_name) if parent_name else None
    if prow is not None:
        fte = _shown("parent_gp_fte", "GP FTE", gp_summary, prow, "gp_fte", "dp1", "all", date, t)
        pat = _shown("parent_patients", "Patients", gp_summary, prow, "patients", "int", "all",
                     date, t)
        h.add(fte)
        h.add(pat)
        h.add(Figure("parent_per_1000", f"GP FTE per 1,000 patients, {parent_name}",
                     fte.value / pat.value * 1000, "dp2", "all", date,
                     formula="parent_gp_fte / parent_patients x 1,000"))


def indicator_figures(h: Headline, fte_per_1000: pd.DataFrame, short_name: str,
                      date: str) -> None:
    """Fully qualified GP FTE per 1,000 patients: the area's row (a CCG) and England's."""
    col, t = "gp_excl_registrars_retainers_locums", "fte_per_1000"
    for key, name in (("fq_per_1000", short_name), ("england_fq_per_1000", "England")):
        row = _row(fte_per_1000, "area", name)
        if row is not None:
            h.add(_shown(key, f"GP FTE per 1,000 patients, {name}", fte_per_1000, row, col,
                         "dp2", "fully_qualified", date, t))


def returns_figures(h: Headline, tables: dict[str, pd.DataFrame], area_kind: str,
                    names: list[str], target: float, period: str) -> None:
    """GPs excluding registrars from the local returns: the LLR plan's Table 8 row or the
    practice-group table's total, with the FTE needed to reach the target."""
    b = "excl_registrars"
    if "llr_table8_staff_per_1000" in tables:
        t8, t = tables["llr_table8_staff_per_1000"], "llr_table8_staff_per_1000"
        names_in = t8["ccg"].astype(str)
        if area_kind == "stp":
            row = int(t8.index[-1])
        else:
            wanted = {n.casefold() for n in names}
            hit = t8.index[names_in.str.casefold().isin(wanted)]
            row = int(hit[0]) if len(hit) else None
        if row is None:
            return
        cols = ("gp", "population", "gp_per_1000")
    elif "practice_groups" in tables:
        t, pg = "practice_groups", tables["practice_groups"]
        t8 = pg
        hit = pg.index[pg["level"] == "total"]
        if not len(hit):
            return
        row = int(hit[0])
        cols = ("gp_wte", "patients", "gp_wte_per_1000_patients")
    else:
        return
    fte = _shown("ret_gp_wte", "GP WTE", t8, row, cols[0], "dp1", b, period, t)
    pat = _shown("ret_patients", "Patients", t8, row, cols[1], "int", b, period, t)
    h.add(fte)
    h.add(pat)
    h.add(_shown("ret_per_1000", "GP WTE per 1,000 patients", t8, row, cols[2], "dp2", b,
                 period, t))
    h.add(Figure("ret_gap", f"WTE needed to reach {target:.2f} per 1,000 patients",
                 target * pat.value / 1000 - fte.value, "dp1", b, period,
                 formula=f"{target} x ret_patients / 1,000 - ret_gp_wte"))


def age_figures(h: Headline, age: dict | None) -> None:
    """GPs aged 55 or over in the local returns' GP age pyramid (registrars excluded)."""
    if not age or not age.get("gps"):
        return
    b, d, t = "excl_registrars", age["period"], age.get("chart")
    h.add(Figure("ret_gp_hc", "GP headcount", age["gps"], "int", b, d, formula=f"chart {t}"))
    h.add(Figure("ret_gp_hc_55_plus", "GPs aged 55 or over", age["gps_55_plus"], "int", b, d,
                 formula=f"chart {t}"))
    h.add(Figure("ret_share_55_plus", "Share of GPs aged 55 or over",
                 age["gps_55_plus"] / age["gps"], "pct", b, d,
                 formula="ret_gp_hc_55_plus / ret_gp_hc"))


def scenario_comparison(components: pd.DataFrame, probability: pd.DataFrame | None,
                        chosen_name: str) -> pd.DataFrame | None:
    """The base case (the scenario file's first scenario) and the plan's chosen scenario side
    by side: position at the horizon, target, gap (published mode, as the chapter's components
    table) and the probability of meeting the target (its Monte Carlo table)."""
    ids = [c for c in components.columns if c != "item"]
    if not ids:
        return None
    names = (list(probability["scenario"]) if probability is not None
             and len(probability) == len(ids) else ids)
    chosen = names.index(chosen_name) if chosen_name in names else len(ids) - 1
    picks = [0] if chosen == 0 else [0, chosen]
    items = components["item"].astype(str)
    rows = {"position": items.str.startswith("Position"),
            "target": items.str.startswith("Target"), "gap": items.str.startswith("Gap")}
    out = []
    for i in picks:
        rec = {"role": "Base case" if i == 0 else "Plan's chosen scenario",
               "scenario": names[i], "column": ids[i]}
        if chosen == 0:
            rec["role"] = "Base case and plan's chosen scenario"
        for k, mask in rows.items():
            rec[k] = float(components.loc[mask, ids[i]].iloc[0]) if mask.any() else None
        rec["p_meet"] = (float(probability["p_meet"].iloc[i]) if probability is not None
                         and names is not ids else None)
        out.append(rec)
    return pd.DataFrame(out)


def headline(tables: dict[str, pd.DataFrame], facts: dict, area_name: str, short_name: str,
             area_kind: str, parent_name: str | None) -> Headline:
    """Every headline figure of a report.

    Parameters
    ----------
    tables : dict of DataFrame
        The chapter tables by name (``tables/<name>.csv``), unrounded.
    facts : dict
        What the chapters recorded (``_meta/headline.json``): dates, target, the chosen
        scenario, the GP age pyramid's totals, the returns' completeness.
    area_name, short_name, area_kind : str
        The report's area.
    parent_name : str, optional
        The parent area's name as it appears in the tables (a CCG's STP).

    Returns
    -------
    Headline
        Figures by key (see :data:`BASES` for their definitions) and the scenario comparison.
    """
    h = Headline(facts=facts)
    wf = facts.get("workforce") or {}
    target = float(wf.get("target", 0.58))
    if "gp_summary" in tables:
        nhs_digital_figures(h, tables["gp_summary"], area_name, parent_name, target,
                            wf.get("date", ""))
    if "fte_per_1000" in tables:
        indicator_figures(h, tables["fte_per_1000"], short_name,
                          wf.get("indicators_date", ""))
    period = (facts.get("returns") or {}).get("period", "")
    plain = area_name.removeprefix("NHS ").removesuffix(" CCG")
    returns_figures(h, tables, area_kind, [short_name, plain], target, period)
    age_figures(h, facts.get("returns_age"))
    sc = facts.get("scenarios")
    if sc and "scenario_components" in tables:
        h.scenarios = scenario_comparison(tables["scenario_components"],
                                          tables.get("scenario_probability"), sc["scenario"])
    return h


def returns_cover(members: list[str], seen: set[str]) -> list[str] | None:
    """The codes of the area's CCGs (``members``, in order) that the local returns cover
    (``seen``: the CCG codes with a return in the report's period), when they are not all of
    them (the Black Country's returns are Wolverhampton's); None when they cover the whole
    area or none of it."""
    own = [c for c in members if c in seen]
    if not own or len(own) == len(members):
        return None
    return own


def returns_completeness(status: pd.DataFrame, members: list[str], period: str) -> dict | None:
    """Practices of the area's own CCGs that returned, were carried forward, estimated or are
    missing in ``period`` (the returns chapter's "Practice returns by period and CCG" table),
    so that a CCG's report counts its own practices, not its STP's."""
    rows = status[(status["period"].astype(str) == period)
                  & status["ccg_code"].astype(str).isin(members)]
    if rows.empty:
        return None
    cols = ("received", "carried forward", "estimated", "missing", "practices")
    return {c.replace(" ", "_"): int(rows[c].sum()) for c in cols if c in rows}
