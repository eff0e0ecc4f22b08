"""Scenario baselines from the data: GP WTE, its age profile and the staff mix.

The figures come from the area's cleaned local returns (:func:`analysis.cleaning.pipeline.
load_returns`) at the STP's report period: GPs exclude registrars (as the LLR plan and HEE do),
only staff in post at the end of the period count, WTE adds across posts. A value typed in a
scenario file (``baseline_wte``, ``over55_wte``) is a stated override: :func:`comparison` shows
it beside the data's own figure with the difference.

Age bands are five-year bands of the age at the period (:data:`BANDS`: 'Under 30' ... '65+');
WTE with no recorded age is kept apart as 'Unknown' and, where the stock-flow model needs a
complete profile, spread over the known bands in proportion (:func:`band_shares`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BAND_STARTS = (30, 35, 40, 45, 50, 55, 60, 65)
BANDS = ("Under 30", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64", "65+")
UNKNOWN = "Unknown"
OVER55_FROM = BANDS.index("55-59")


@dataclass(frozen=True)
class DataBaseline:
    """The data's own baseline for an STP (from :func:`baseline_from_staff`)."""

    period: str
    source: str
    gp_wte: float
    over55_wte: float
    wte_by_band: pd.Series  # index BANDS + 'Unknown'
    staff_mix: pd.Series  # WTE by staff group, GPs excluding registrars
    covered: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    practices: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether the returns cover every CCG of the STP (only then is it the STP's figure)."""
        return set(self.members) <= set(self.covered)


def band_of_age(age_lower: pd.Series) -> pd.Series:
    """The five-year band (:data:`BANDS`) of each age; 'Unknown' where the age is missing."""
    age = pd.to_numeric(age_lower, errors="coerce").to_numpy(dtype=float)
    idx = np.searchsorted(np.asarray(BAND_STARTS, dtype=float), age, side="right")
    labels = np.asarray(BANDS, dtype=object)[np.minimum(idx, len(BANDS) - 1)]
    return pd.Series(np.where(np.isnan(age), UNKNOWN, labels), index=age_lower.index)


def baseline_from_staff(staff: pd.DataFrame, period: str, source: str = "") -> DataBaseline:
    """GP WTE, WTE aged 55 or over, WTE by five-year band and the staff mix at ``period``.

    Parameters
    ----------
    staff : DataFrame
        Cleaned staff rows (``period, staff_group, is_registrar, in_post, wte, age_lower``).
    period : str
        'YYYY-MM'.
    source : str
        How the report names the data.
    """
    s = staff[(staff["period"] == period) & staff["in_post"].astype(bool)]
    gp_mask = (s["staff_group"] == "GP") & ~s["is_registrar"].astype(bool)
    gp = s[gp_mask]
    by_band = gp.groupby(band_of_age(gp["age_lower"]))["wte"].sum()
    by_band = by_band.reindex([*BANDS, UNKNOWN], fill_value=0.0).astype(float)
    by_band.index.name = "age_band"
    mix = s.assign(staff_group=np.where(s["staff_group"].eq("GP") & ~gp_mask, "GP registrar",
                                        s["staff_group"].astype(str)))
    mix = mix.groupby("staff_group")["wte"].sum().astype(float)
    over55 = float(gp.loc[pd.to_numeric(gp["age_lower"], errors="coerce") >= 55, "wte"].sum())
    return DataBaseline(period=period, source=source, gp_wte=float(gp["wte"].sum()),
                        over55_wte=over55, wte_by_band=by_band, staff_mix=mix)


def band_shares(db: DataBaseline) -> np.ndarray:
    """Share of the GP WTE of known age in each of :data:`BANDS` (adds to 1)."""
    known = db.wte_by_band.loc[list(BANDS)].to_numpy(dtype=float)
    if known.sum() <= 0:
        raise ValueError("no GP WTE with a recorded age: no age profile")
    return known / known.sum()


def data_baseline(area_slug: str, area_kind: str | None = None,
                  inputs: dict | None = None) -> DataBaseline | None:
    """The data's baseline for an area's STP from its cleaned returns; None without returns.

    The returns are read and cleaned once per input (the cleaning is cached by content);
    ``inputs`` overrides the returns folder and practice reference as for every chapter.
    """
    from analysis.cleaning.pipeline import load_returns
    from analysis.util.periods import month_end

    ctx = load_returns(area_slug, area_kind, inputs)
    if ctx is None:
        return None
    day = month_end(ctx.period)
    db = baseline_from_staff(ctx.staff, ctx.period,
                             f"cleaned practice returns, {pd.Timestamp(day):%B %Y}")
    covered = tuple(ctx.member_codes) if ctx.area.kind != "stp" else tuple(
        c for c in (a.code for a in ctx.ccgs) if c in set(ctx.staff["ccg_code"].dropna()))
    members = tuple(a.code for a in ctx.ccgs)
    notes = [] if set(members) <= set(covered) else [
        f"returns cover {len(covered)} of the STP's {len(members)} CCGs"]
    practices = tuple(sorted(set(ctx.staff["practice_code"].dropna().astype(str))))
    return DataBaseline(db.period, db.source, db.gp_wte, db.over55_wte, db.wte_by_band,
                        db.staff_mix, covered, members, notes, practices)


def comparison(stated: dict[str, float], db: DataBaseline) -> pd.DataFrame:
    """Stated (scenario file) figures beside the data's own, with the difference.

    Parameters
    ----------
    stated : dict
        ``baseline_wte`` and ``over55_wte`` as the scenario file gives them (missing = not
        stated: the data's figure is used).
    db : DataBaseline

    Returns
    -------
    DataFrame
        ``item``, ``stated``, ``data``, ``difference`` (stated - data), ``used`` ('stated
        override' or 'data').
    """
    rows = []
    for key, label, value in (("baseline_wte", "GP WTE (excluding registrars)", db.gp_wte),
                              ("over55_wte", "GP WTE aged 55 or over", db.over55_wte)):
        st = stated.get(key)
        rows.append({"item": label, "stated": np.nan if st is None else float(st),
                     "data": value,
                     "difference": np.nan if st is None else float(st) - value,
                     "used": "data" if st is None else "stated override"})
    share = db.over55_wte / db.gp_wte if db.gp_wte else np.nan
    st_share = (stated["over55_wte"] / stated["baseline_wte"]
                if stated.get("over55_wte") is not None and stated.get("baseline_wte")
                else None)
    rows.append({"item": "Share of GP WTE aged 55 or over",
                 "stated": np.nan if st_share is None else st_share, "data": share,
                 "difference": np.nan if st_share is None else st_share - share,
                 "used": "data" if st_share is None else "stated override"})
    return pd.DataFrame(rows)
