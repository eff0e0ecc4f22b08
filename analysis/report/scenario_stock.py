"""Chapter 3 sections on the data's baseline and the stock-flow model by age band.

The numbers come from :func:`analysis.models.scenarios.load_context` (the data's baseline, the
stock-flow run of the headline scenario, its correlated Monte Carlo, tornado and levers) and
the frame builders of :mod:`analysis.models.scenarios.chapter`; this module captions and
formats them and writes the "what drives the gap" paragraph from the model's decomposition.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.models.scenarios import ScenarioContext  # noqa: E402
from analysis.models.scenarios import chapter as ch  # noqa: E402
from analysis.models.scenarios import stockflow as sf  # noqa: E402
from analysis.report.chart_checks import relative_bars  # noqa: E402
from analysis.report.rendering import PALETTE, Markdown, Report, Section, fmt_dp  # noqa: E402
from analysis.report.scenario_parts import month_year, pct  # noqa: E402

SOURCE = "analysis/models/scenarios/stockflow.py"
d1 = fmt_dp(1)


def _signed(x: float) -> str:
    return "0.0" if abs(x) < 0.05 else f"{x:+,.1f}"


def _lc(label: str) -> str:
    """A label inside a sentence: first letter in lower case unless it starts an acronym."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def baseline_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """The scenario file's baseline beside the data's own, the age profile and the staff mix."""
    if not ctx.has_model:
        return Section()
    head = Markdown("### Baseline from the data\n\nThe scenario file's starting figures are "
                    "stated overrides; the data's own figures, from the area's "
                    "cleaned practice returns, are shown beside them with the difference.")
    cmp = ch.baseline_frame(ctx)
    if cmp is None:
        return Section([head, Markdown("This area has no cleaned practice returns: the "
                                       "scenario file's figures are used as stated.")])
    db = ctx.data
    share = [r["item"].startswith("Share") for _, r in cmp.iterrows()]

    def fmt_mixed(col):
        return [f"{v:.1%}" if s else d1(v) for v, s in zip(cmp[col], share, strict=True)]

    shown = cmp.assign(stated=fmt_mixed("stated"), data=fmt_mixed("data"),
                       difference=[(f"{v:+.1%}" if s else _signed(v)) if pd.notna(v) else ""
                                   for v, s in zip(cmp["difference"], share, strict=True)])
    shown["stated"] = [v if v != "nan" and v != "nan%" else "" for v in shown["stated"]]
    note = (f"Source: {db.source}; GPs exclude registrars, staff in post at the end of the "
            f"month. {'; '.join(db.notes).capitalize() + '.' if db.notes else ''}".strip())
    parts = [head, rpt.table(
        shown, "scenario_baseline",
        f"Baseline: the scenario file's figures and the data's, {month_year(ctx.sset.start)}",
        labels={"item": "Figure", "stated": "Scenario file (override)", "data": "Data",
                "difference": "Difference (file - data)", "used": "Used"},
        note=note)]
    prof = ch.age_profile_frame(ctx)
    parts.append(rpt.table(
        prof, "scenario_age_profile",
        f"GP WTE by age band: the data and the stock-flow model in {ctx.sset.horizon_label}",
        formats={"wte": d1, "share": lambda v: "" if pd.isna(v) else f"{v:.1%}",
                 "horizon_wte": lambda v: "" if pd.isna(v) else d1(v)},
        labels={"age_band": "Age band", "wte": "GP WTE (data)",
                "share": "Share of WTE of known age",
                "horizon_wte": f"GP WTE in {ctx.sset.horizon_label} (headline scenario)"},
        note=f"Source: {db.source}; the model uses the {ctx.profile_note}, scaled to the "
             "scenario's baseline and over-55 WTE."))
    mix = ch.staff_mix_frame(ctx)
    parts.append(rpt.table(
        mix, "scenario_staff_mix", "Staff mix: WTE by staff group in the data",
        formats={"wte": d1, "share": lambda v: f"{v:.1%}"},
        labels={"staff_group": "Staff group", "wte": "WTE", "share": "Share of WTE"},
        note=f"Source: {db.source}."))
    return Section(parts)


def drivers_text(ctx: ScenarioContext) -> str:
    """The "what drives the gap" paragraph, from the model's own decomposition."""
    dec = ch.drivers_frame(ctx)
    s = ch.stock_summary(ctx)
    widen = dec[dec["wte"] > 0].sort_values("wte", ascending=False)
    close = dec[dec["wte"] < 0].sort_values("wte")

    def listing(rows) -> str:
        items = [f"{_lc(r['label'])} {d1(abs(r['wte']))}" for _, r in rows.iterrows()]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    gap = s["gap"]
    verdict = (f"a gap of {d1(gap)} WTE" if gap > 0 else f"a surplus of {d1(-gap)} WTE")
    text = (f"**What drives the gap.** In the stock-flow model, *{ctx.headline.name}* reaches "
            f"{d1(s['position'])} WTE in {ctx.sset.horizon_label} against demand of "
            f"{d1(s['demand'])}: {verdict}.")
    if len(widen):
        text += f" Widening it: {listing(widen)} WTE."
    if len(close):
        text += f" Closing it: {listing(close)} WTE."
    if len(dec):
        top = dec.iloc[dec["wte"].abs().argmax()]
        text += (f" The largest single item is {_lc(top['label'])} "
                 f"({_signed(top['wte'])} WTE on the gap).")
    return text


def chart_context(ctx: ScenarioContext) -> str:
    """Whose model a scenario chart shows, and its start: the STP's name, labelled as not
    apportioned in a CCG's report."""
    own = ("" if ctx.area == ctx.stp
           else f" (the STP's model, not apportioned to {ctx.area.short_name})")
    return f"{ctx.stp.name}{own}, from {month_year(ctx.sset.start)}"


def _fan(ctx: ScenarioContext):
    b = ch.stock_fan_frame(ctx)
    dates = list(b["date"])
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for lv, alpha in ((95, 0.18), (80, 0.3), (50, 0.45)):
        ax.fill_between(dates, b[f"low_{lv}"], b[f"high_{lv}"], color=PALETTE[0], alpha=alpha,
                        linewidth=0, label=f"{lv}% of draws")
    ax.plot(dates, b["median"], color=PALETTE[0], linewidth=2, label="Median supply")
    ax.plot(dates, b["demand"], color="#000000", linestyle=":", linewidth=1.5,
            label="Demand (grows with the population)")
    ax.text(0.01, 0.97, f"P(supply meets demand in {ctx.sset.horizon_label}) = "
            f"{pct(ctx.stock_mc.p_meet)}", transform=ax.transAxes, va="top", ha="left",
            fontsize=10, fontweight="bold")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_ylabel("GP WTE")
    ax.set_xlabel("Date")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=3)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _tornado(t: pd.DataFrame, title: str):
    base = t.attrs["gap"]
    t = t.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(t) + 1.6))
    y = np.arange(len(t))
    ax.barh(y, t["gap_low"].to_numpy(dtype=float) - base, left=base, color=PALETTE[1],
            label="At the low end of its range")
    ax.barh(y, t["gap_high"].to_numpy(dtype=float) - base, left=base, color=PALETTE[0],
            label="At the high end of its range")
    ax.axvline(base, color="#333333", linewidth=1)
    relative_bars(ax)
    ax.axvline(0, color="#000000", linestyle=":", linewidth=1.5, label="No gap")
    ax.set_yticks(y, t["label"].to_list(), fontsize=8)
    ax.set_xlabel("Gap at the horizon (demand less supply, GP WTE)")
    if title:
        ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def stockflow_section(ctx: ScenarioContext, rpt: Report) -> Section:
    """The stock-flow model: what drives the gap, fan chart, probability, tornado, levers."""
    if not ctx.has_model or ctx.stock_run is None:
        return Section()
    s = ch.stock_summary(ctx)
    h = ctx.headline
    head = Markdown(
        "### Stock-flow model by age band\n\nThe headline scenario stepped year by year by "
        "five-year age band: GPs age from band to band, leave and retire at rates by age, and "
        "join from the training pipeline (the share working as fully qualified NHS GPs within "
        "12 and 24 months, at the hours they work), international recruitment and returners; "
        "role substitution counts net of the GP supervision time it takes. Demand grows with "
        "the registered population by age and the consultation rates of each age, so the "
        "target moves with the horizon (it equals the file's target at the file's own "
        "horizon). The Monte Carlo draws the rates of neighbouring ages together.")
    dec = ch.drivers_frame(ctx)
    dec_table = rpt.table(
        dec[["label", "wte"]], "scenario_gap_drivers",
        f"What drives the gap in {ctx.sset.horizon_label}, {h.name} (stock-flow model)",
        formats={"wte": _signed}, labels={"label": "Item", "wte": "WTE on the gap"},
        note=f"Source: {SOURCE}. Positive items widen the gap, negative ones close it; they "
             f"add up to the gap of {d1(dec.attrs['gap'])} WTE. Demand by age: "
             f"{ctx.patients_note}.")
    b = ctx.stock_mc.bands().iloc[-1]
    alt = (f"Fan chart of the stock-flow model for {h.name}: median {d1(b['median'])} WTE in "
           f"{ctx.sset.horizon_label}, 80% of draws {d1(b['low_80'])}-{d1(b['high_80'])}, "
           f"demand {d1(s['demand'])}; probability of meeting it {pct(s['p_meet'])}.")
    fan = rpt.chart(_fan(ctx), "scenario_stock_fan", alt,
                    f"{SOURCE}, correlated Monte Carlo, seed {ctx.seed}",
                    title=(f"{h.name}: a {pct(s['p_meet'])} chance that supply meets demand in "
                           f"{ctx.sset.horizon_label} (stock-flow model, "
                           f"{ctx.stock_mc.supply.shape[0]:,} draws)"),
                    context=chart_context(ctx))
    t = ctx.stock_tornado
    tor_alt = (f"Tornado chart of the gap for {h.name}: gap {d1(t.attrs['gap'])} WTE; largest "
               "swings: " + "; ".join(f"{r['label']} {d1(r['gap_low'])} to {d1(r['gap_high'])}"
                                      for _, r in t.head(3).iterrows()) + ".")
    shown = t[t["swing"] > 1e-9]
    top = (shown if len(shown) else t).iloc[0]
    tor = rpt.chart(_tornado(shown.assign() if len(shown) else t, ""),
                    "scenario_stock_tornado", tor_alt, f"{SOURCE} (same model)",
                    title=(f"{top['label']} moves the {ctx.sset.horizon_label} gap most: "
                           f"{d1(min(top['gap_low'], top['gap_high']))} to "
                           f"{d1(max(top['gap_low'], top['gap_high']))} WTE ({h.name})"),
                    context=chart_context(ctx))
    lev = s["levers"]
    rows = []
    for k, label in sf.SOLVE_LEVERS.items():
        v = lev.get(k)
        answer = ("already met" if v == 0 else "more than 1,000 a year" if v is None
                  else f"{int(np.ceil(v - 1e-9)):,} a year")
        rows.append({"lever": label, "answer": answer})
    lever_table = rpt.table(
        pd.DataFrame(rows), "scenario_stock_levers",
        f"How many more a year would close the gap in {ctx.sset.horizon_label} on their own "
        f"({h.name}, stock-flow model)",
        labels={"lever": "Lever", "answer": "Needed"},
        note=f"Source: {SOURCE} (bisection on the gap; whole heads, rounded up). Newly "
             "qualified GPs retained work at the FTE the pipeline assumes; recruits at theirs.")
    prob = Markdown(
        f"Across {ctx.stock_mc.supply.shape[0]:,} draws the probability that supply meets "
        f"demand in {ctx.sset.horizon_label} is **{pct(s['p_meet'])}** (90% of draws between "
        f"{d1(s['p5'])} and {d1(s['p95'])} WTE).")
    return Section([head, Markdown(drivers_text(ctx)), dec_table, fan, prob, tor, lever_table])
