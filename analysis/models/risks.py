"""Workforce risk register: reader, scores, levels and RAG ratings.

The register is an analyst-editable CSV (``scenarios/llr_risk_register.csv``, transcribed from
LLR GP Workforce Plan 2017 Figure 15, "Workforce Risk Log"). Each risk has a likelihood and an
impact (consequence) scored 1-5 when it was added and, optionally, at its latest review; its
score is likelihood x impact (1-25), as in Figure 15's matrix.

Levels and RAG
--------------
Figure 15 names two levels: its risks scored 9 and 12 are "High" and those scored 15-25
"Significant"; the plan's text gives no thresholds and no level below "High". The bands used
here follow the NPSA 5x5 matrix (*A risk matrix for risk managers*, National Patient Safety
Agency, 2008), which the plan's levels fit, with the plan's name for the top band:

=========  ===========  =====
score      level        RAG
=========  ===========  =====
1-3        Low          Green
4-6        Moderate     Green
8-12       High         Amber
15-25      Significant  Red
=========  ===========  =====

(7, 13 and 14 are not products of two scores from 1 to 5.) The RAG thresholds are settings
(config ``constants: risk_rag``: ``amber_from: 8``, ``red_from: 15``) and parameters of every
function. The heat map, its alt text and the summary
are drawn and written by :mod:`analysis.report.risks`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.config import settings
from analysis.io.annotated_csv import error, number_column, read_annotated_csv
from analysis.util.errors import InputError

LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT = {1: "Insignificant", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}
# Level bands: (lowest score, level). Scores below 4 are Low.
LEVEL_BANDS = ((1, "Low"), (4, "Moderate"), (8, "High"), (15, "Significant"))
RAG_ORDER = {"Red": 0, "Amber": 1, "Green": 2}
BANDS_SOURCE = ("NPSA 5x5 risk matrix (2008) bands 1-3 low, 4-6 moderate, 8-12 high, 15-25 "
                "extreme; the LLR plan's Figure 15 calls its 9-12 risks High and its 15-25 risks "
                "Significant")

REQUIRED = ["risk_id", "description", "original_likelihood", "original_impact"]
OPTIONAL = ["original_rating", "risk_level", "date_added", "mitigation", "responsible",
            "reviewed_likelihood", "reviewed_impact", "reviewed_rating", "status"]
STATUSES = {"open": "Open", "closed": "Closed"}
# The columns of the published transcription (../shared/published/llr_figure15_risk_log.csv).
PUBLISHED_COLUMNS = ["risk_id", "description", "original_likelihood", "original_impact",
                     "original_rating", "risk_level", "date_added", "mitigation", "responsible",
                     "reviewed_likelihood", "reviewed_impact", "reviewed_rating", "status"]


def rag_thresholds(amber_from: int | None = None,
                   red_from: int | None = None) -> tuple[int, int]:
    """(amber_from, red_from): the arguments, or the config's (``constants: risk_rag``)."""
    conf = settings().constants.risk_rag
    return (conf.amber_from if amber_from is None else amber_from,
            conf.red_from if red_from is None else red_from)


def rag(score, amber_from: int | None = None, red_from: int | None = None):
    """RAG rating of a score (scalar or array-like): Red from ``red_from``, Amber from
    ``amber_from``, else Green (thresholds default to :func:`rag_thresholds`)."""
    amber_from, red_from = rag_thresholds(amber_from, red_from)
    s = np.asarray(score, dtype=float)
    out = np.where(s >= red_from, "Red", np.where(s >= amber_from, "Amber", "Green"))
    return str(out) if out.ndim == 0 else out


def level(score):
    """Risk level of a score (scalar or array-like), bands in :data:`LEVEL_BANDS`."""
    s = np.asarray(score, dtype=float)
    out = np.full(s.shape, LEVEL_BANDS[0][1], dtype=object)
    for low, name in LEVEL_BANDS[1:]:
        out[s >= low] = name
    return str(out) if out.ndim == 0 else out


def read_register(path) -> pd.DataFrame:
    """Read and check a risk register CSV.

    Parameters
    ----------
    path : str or Path
        CSV with ``#`` comment lines; columns :data:`REQUIRED` and any of :data:`OPTIONAL`.

    Returns
    -------
    DataFrame
        Every column of :data:`PUBLISHED_COLUMNS` in that order, in file order: scores as
        integers (reviewed scores as nullable integers, missing when not reviewed), ratings
        computed where blank, text columns '' where blank, status 'Open' where blank.

    Raises
    ------
    InputError
        Naming the file, line and column: a required column missing; a blank or repeated risk
        id; a blank description; a likelihood or impact that is not a whole number from 1 to 5;
        only one of the reviewed likelihood and impact given; a rating that is not likelihood x
        impact; a level that does not match the rating's band; a date not dd/mm/yyyy; a status
        other than Open or Closed.
    """
    raw = read_annotated_csv(path, REQUIRED)
    if raw.empty:
        raise InputError(raw.attrs["path"], "no risks under the header; expected one row per "
                         "risk", row=raw.attrs["header_line"])
    for col in OPTIONAL:
        if col not in raw:
            raw[col] = ""
    for i, rid in enumerate(raw["risk_id"]):
        if not rid:
            raise error(raw, i, "risk_id", "risk id is blank")
    dup = raw["risk_id"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise error(raw, i, "risk_id", f"risk {raw['risk_id'].iloc[i]} appears more than once")
    for i, d in enumerate(raw["description"]):
        if not d:
            raise error(raw, i, "description", "description is blank")
    out = raw[["risk_id", "description"]].copy()
    for col in ("original_likelihood", "original_impact"):
        out[col] = number_column(raw, col, whole=True, low=1, high=5).astype("int64")
    for col in ("reviewed_likelihood", "reviewed_impact"):
        out[col] = number_column(raw, col, whole=True, low=1, high=5,
                                 allow_blank=True).astype("Int64")
    one = out["reviewed_likelihood"].isna() != out["reviewed_impact"].isna()
    if one.any():
        i = int(np.flatnonzero(one.to_numpy())[0])
        col = "reviewed_impact" if out["reviewed_impact"].isna().iloc[i] else \
            "reviewed_likelihood"
        raise error(raw, i, col, "give both the reviewed likelihood and the reviewed impact, "
                    "or neither")
    out["original_rating"] = out["original_likelihood"] * out["original_impact"]
    out["reviewed_rating"] = out["reviewed_likelihood"] * out["reviewed_impact"]
    for kind in ("original", "reviewed"):
        given = number_column(raw, f"{kind}_rating", whole=True, allow_blank=True)
        bad = given.notna() & (given != out[f"{kind}_rating"].astype(float))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            lk, im = out[f"{kind}_likelihood"].iloc[i], out[f"{kind}_impact"].iloc[i]
            expect = ("blank, as the risk has no reviewed scores" if pd.isna(lk) else
                      f"likelihood {lk} x impact {im} = {lk * im}")
            raise error(raw, i, f"{kind}_rating", f"rating {raw[f'{kind}_rating'].iloc[i]} "
                        f"does not match the scores; expected {expect} (or leave it blank)")
    derived = level(out["original_rating"].to_numpy())
    for i, lv in enumerate(raw["risk_level"]):
        if lv and lv.lower() != derived[i].lower():
            raise error(raw, i, "risk_level", f"level {lv!r} does not match the rating "
                        f"{out['original_rating'].iloc[i]}, which is {derived[i]!r} "
                        f"(bands: {_bands_text()}); correct it or leave it blank")
    out["risk_level"] = derived
    for i, d in enumerate(raw["date_added"]):
        if d and pd.isna(pd.to_datetime(d, format="%d/%m/%Y", errors="coerce")):
            raise error(raw, i, "date_added", f"expected a date such as 09/10/2017, found {d!r}")
    for col in ("date_added", "mitigation", "responsible"):
        out[col] = raw[col].astype(str)
    status = []
    for i, s in enumerate(raw["status"]):
        if s and s.lower() not in STATUSES:
            raise error(raw, i, "status", f"expected Open or Closed, found {s!r}")
        status.append(STATUSES[s.lower()] if s else "Open")
    out["status"] = status
    out = out[PUBLISHED_COLUMNS].reset_index(drop=True)
    out.attrs.update(path=raw.attrs["path"], source=raw.attrs["source"])
    return out


def rag_bands(amber_from: int | None = None, red_from: int | None = None) -> dict[str, tuple]:
    """The scores of each RAG band: ``{'Green': (1, 6), 'Amber': (8, 12), 'Red': (15, 25)}``
    with the configured thresholds (the highest and lowest products of two scores 1-5)."""
    amber_from, red_from = rag_thresholds(amber_from, red_from)
    hi_g = max(p for p in _PRODUCTS if p < amber_from)
    hi_a = max(p for p in _PRODUCTS if p < red_from)
    return {"Green": (1, hi_g), "Amber": (amber_from, hi_a), "Red": (red_from, 25)}


def _bands_text() -> str:
    highs = [b[0] for b in LEVEL_BANDS[1:]] + [26]
    return ", ".join(f"{name} {low}-{max(p for p in _PRODUCTS if p < hi)}"
                     for (low, name), hi in zip(LEVEL_BANDS, highs, strict=True))


_PRODUCTS = sorted({a * b for a in range(1, 6) for b in range(1, 6)})


def rag_table(register: pd.DataFrame, amber_from: int | None = None,
              red_from: int | None = None, open_only: bool = False) -> pd.DataFrame:
    """Every risk with its current score, level and RAG, highest score first.

    The current scores are the reviewed ones where given, else the original ones. Ties keep
    the risk id order.

    Returns
    -------
    DataFrame
        ``risk_id, description, likelihood, impact, score, level, rag, original_score,
        movement, mitigation, responsible, status`` (movement: 'up', 'down' or 'unchanged'
        from the original score).
    """
    amber_from, red_from = rag_thresholds(amber_from, red_from)
    r = register
    reviewed = r["reviewed_likelihood"].notna()
    lk = np.where(reviewed, r["reviewed_likelihood"].fillna(0), r["original_likelihood"])
    im = np.where(reviewed, r["reviewed_impact"].fillna(0), r["original_impact"])
    score = lk * im
    diff = score - r["original_rating"].to_numpy()
    df = pd.DataFrame({
        "risk_id": r["risk_id"], "description": r["description"],
        "likelihood": lk.astype("int64"), "impact": im.astype("int64"),
        "score": score.astype("int64"), "level": level(score),
        "rag": rag(score, amber_from, red_from),
        "original_score": r["original_rating"].astype("int64"),
        "movement": np.where(diff > 0, "up", np.where(diff < 0, "down", "unchanged")),
        "mitigation": r["mitigation"], "responsible": r["responsible"], "status": r["status"]})
    if open_only:
        df = df[df["status"] == "Open"]
    out = df.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(register.attrs)
    out.attrs.update(amber_from=amber_from, red_from=red_from)
    return out


def heat_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Risks per likelihood (rows 5..1) x impact (columns 1..5) cell of :func:`rag_table`."""
    grid = pd.crosstab(table["likelihood"], table["impact"])
    return grid.reindex(index=range(5, 0, -1), columns=range(1, 6), fill_value=0)


def overall_rag(table: pd.DataFrame) -> str | None:
    """The worst RAG of the open risks (None when there are none), as the plan's 'Risk RAG'."""
    open_ = table[table["status"] == "Open"]
    if open_.empty:
        return None
    return min(open_["rag"], key=RAG_ORDER.__getitem__)


def heat_cells(table: pd.DataFrame) -> pd.DataFrame:
    """The occupied cells of the heat map, highest score first.

    Returns
    -------
    DataFrame
        ``likelihood, impact, ids`` (list of risk ids), ``rag`` and ``score``.
    """
    cells = (table.groupby(["likelihood", "impact"], sort=False)
             .agg(ids=("risk_id", list), rag=("rag", "first")).reset_index())
    cells["score"] = cells["likelihood"] * cells["impact"]
    return cells.sort_values(["score", "likelihood"], ascending=False)


def open_risks(table: pd.DataFrame) -> pd.DataFrame:
    """The open risks of :func:`rag_table` (the heat map's risks)."""
    return table[table["status"] == "Open"].reset_index(drop=True)


def register_facts(table: pd.DataFrame) -> dict:
    """What the register shows, as numbers for the chapter's summary.

    Returns
    -------
    dict
        ``n_open``, ``n_closed``, ``counts`` (open risks by RAG), ``overall`` (worst open RAG or
        None), ``top`` (the open risks with the highest score: ``risk_id, description,
        score``), ``moved`` (open risks whose score changed: ``risk_id, original_score,
        score``) and ``unmitigated`` (open risk ids with no mitigating action, sorted).
    """
    open_ = table[table["status"] == "Open"]
    counts = open_["rag"].value_counts()
    top = open_[open_["score"] == open_["score"].max()] if len(open_) else open_
    moved = open_[open_["movement"] != "unchanged"]
    return {
        "n_open": len(open_), "n_closed": len(table) - len(open_),
        "counts": {k: int(counts.get(k, 0)) for k in ("Red", "Amber", "Green")},
        "overall": overall_rag(table),
        "top": top[["risk_id", "description", "score"]].to_dict("records"),
        "moved": moved[["risk_id", "original_score", "score"]].to_dict("records"),
        "unmitigated": sorted(open_.loc[open_["mitigation"] == "", "risk_id"]),
    }
