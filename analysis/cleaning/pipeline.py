"""Local returns for one area: read, clean, complete, write Parquet, build the tables.

Step inputs and outputs (the DAG):

* inputs: the STP's returns folder and the practice reference (``config/config.yaml``);
* outputs: ``data/processed/returns/<stp>/{staff,vacancies,audit,corrections,status}.parquet``
  (columns in ``docs/data_dictionary.md``), written atomically.

The notebook ``01_clean_returns`` runs :func:`load_returns` and :func:`write_processed`;
later chapters read the Parquet files with :func:`read_processed`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.cleaning import rules as cleaning
from analysis.config import (
    DATA_PROCESSED,
    ROOT,
    Area,
    input_path,
    load_config,
    registry,
    resolve_area,
    stp_members,
)
from analysis.io import readers as readers
from analysis.io import returns as returns
from analysis.tables import returns as returns_tables
from analysis.util.atomic import atomic_write_bytes

PROCESSED_TABLES = ["staff", "vacancies", "audit", "corrections", "status"]
PUBLISHED_LLR = ROOT / "config" / "published" / "llr_workforce_plan.yaml"
LLR_LABELS = {
    "table2": {"03W": "ELR CCG", "04V": "WL CCG", "04C": "LC CCG"},
    "table3": {"03W": "EAST LEICESTERSHIRE AND RUTLAND", "04C": "LEICESTER CITY",
               "04V": "WEST LEICESTERSHIRE"},
    "table10": {"03W": "NHS East Leicestershire and Rutland", "04C": "NHS Leicester City",
                "04V": "NHS West Leicestershire"},
}


@dataclass
class ReturnsContext:
    """Cleaned returns for an STP and the report's own area."""

    area: Area
    stp: Area
    ccgs: list[Area]
    period: str
    periods: list[str]
    folder: Path
    files: list[str]
    raw_rows: int
    accounting: dict
    result: cleaning.CleanResult
    reference: pd.DataFrame
    unmapped: pd.DataFrame
    groups: pd.DataFrame | None

    @property
    def staff(self) -> pd.DataFrame:
        return self.result.staff

    @property
    def member_codes(self) -> list[str]:
        """CCG codes of the report's own area that have returns."""
        have = set(self.staff["ccg_code"].dropna())
        return [c for c in self.area.members if c in have]


def returns_config(stp_slug: str, cfg: dict | None = None) -> dict | None:
    """The ``returns`` settings of an STP, or None when it has no local returns."""
    cfg = cfg or load_config()
    return (cfg.get("returns", {}).get("stps") or {}).get(stp_slug)


def limits_from_config(cfg: dict | None = None) -> cleaning.Limits:
    """Conversion factors and plausibility limits from ``returns: rules:``."""
    cfg = cfg or load_config()
    rules = cfg.get("returns", {}).get("rules", {})
    return cleaning.Limits(**{k: v for k, v in rules.items()
                              if k in cleaning.Limits.__dataclass_fields__})


def load_returns(area_slug: str, area_kind: str | None = None, inputs: dict | None = None,
                 snapshots: dict | None = None) -> ReturnsContext | None:
    """Read, clean and complete the returns of the area's STP.

    Parameters
    ----------
    area_slug, area_kind : str
        The report's area.
    inputs : dict, optional
        ``returns_folder`` (a folder of return files) and ``practice_reference`` overrides.
    snapshots : dict, optional
        ``returns_period`` ('YYYY-MM') overriding the STP's report period.

    Returns
    -------
    ReturnsContext, or None when the STP has no local returns configured.
    """
    cfg = load_config()
    area = resolve_area(area_slug, area_kind, cfg)
    stp = registry(cfg)[area.stp]
    settings = returns_config(stp.slug, cfg)
    if settings is None:
        return None
    inputs = inputs or {}
    folder = Path(inputs.get("returns_folder") or ROOT / settings["folder"])
    ref_path = inputs.get("practice_reference") or input_path("practice_reference", cfg)
    ref = readers.read_practice_reference(ref_path)
    ccgs = stp_members(stp.slug, cfg)
    limits = limits_from_config(cfg)
    key = _cache_key(folder, ref_path, limits, [a.code for a in ccgs])
    cached = _from_cache(key)
    if cached is not None:
        result, accounting, files, unmapped = cached
    else:
        raw = returns.read_returns(folder)
        result = cleaning.clean_returns(raw, ref, limits)
        accounting = cleaning.check_accounting(raw, result)
        with_returns = set(result.staff["ccg_code"].dropna())
        result = cleaning.complete_returns(result, ref,
                                           [a.code for a in ccgs if a.code in with_returns])
        files = raw.attrs.get("files", [])
        unmapped = raw.attrs.get("unmapped_columns", pd.DataFrame(columns=["file", "column"]))
        _to_cache(key, result, accounting, files, unmapped)
    period = str((snapshots or {}).get("returns_period") or settings["period"])
    periods = [str(p) for p in settings.get("periods") or sorted(set(result.staff["period"]))]
    groups = None
    if settings.get("practice_groups"):
        groups = pd.read_csv(ROOT / settings["practice_groups"], dtype=str).fillna("")
    return ReturnsContext(area=area, stp=stp, ccgs=ccgs, period=period, periods=periods,
                          folder=folder, files=files, raw_rows=accounting["raw"],
                          accounting=accounting, result=result, reference=ref,
                          unmapped=unmapped, groups=groups)


# ---------------------------------------------------------------------------------------------
# Cache of cleaned returns: the same files, lookup, rules, reference and code give the same
# result, so a second report for the STP reads it back instead of cleaning again.
# ---------------------------------------------------------------------------------------------
def _cache_key(folder: Path, ref_path, limits: cleaning.Limits, ccg_codes) -> str:
    from analysis.io.returns import LOOKUP_FILE
    from analysis.util.cache import cache_key

    return cache_key("returns", [Path(folder), Path(ref_path), Path(LOOKUP_FILE), limits,
                                 list(ccg_codes)])


def _to_cache(key, result, accounting, files, unmapped) -> None:
    from analysis.util.cache import CACHE_DIR, write_bundle

    frames = {}
    for name in PROCESSED_TABLES:
        df = getattr(result, name).copy()
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].astype("string")
        frames[name] = df
    frames["unmapped"] = pd.DataFrame(unmapped)
    write_bundle(CACHE_DIR / key, frames, {"accounting": accounting, "files": list(files)})


def _from_cache(key):
    from analysis.util.cache import CACHE_DIR, read_bundle

    got = read_bundle(CACHE_DIR / key)
    if got is None:
        return None
    t, meta = got
    result = cleaning.CleanResult(staff=t["staff"], vacancies=t["vacancies"], audit=t["audit"],
                                  corrections=t["corrections"], status=t["status"])
    return result, meta["accounting"], meta["files"], t["unmapped"]


def load_processed_context(area_slug: str, area_kind: str | None = None,
                           inputs: dict | None = None, snapshots: dict | None = None,
                           root: Path = DATA_PROCESSED) -> ReturnsContext | None:
    """The cleaned returns notebook 01 produced, for the tables notebook.

    The cleaning is cached by the content of its inputs and code (see :func:`load_returns`), so
    this reads the result back rather than cleaning again; it also writes the Parquet tables
    when they are missing, so the tables notebook runs on its own.
    """
    ctx = load_returns(area_slug, area_kind, inputs, snapshots)
    if ctx is not None and not all((processed_dir(ctx.stp.slug, root) / f"{n}.parquet").exists()
                                   for n in PROCESSED_TABLES):
        write_processed(ctx, root)
    return ctx


def processed_dir(stp_slug: str, root: Path = DATA_PROCESSED) -> Path:
    return Path(root) / "returns" / stp_slug


def write_processed(ctx: ReturnsContext, root: Path = DATA_PROCESSED) -> dict[str, Path]:
    """Write the cleaned tables as Parquet (atomic: temporary name, then rename)."""
    folder = processed_dir(ctx.stp.slug, root)
    out = {}
    for name in PROCESSED_TABLES:
        df = getattr(ctx.result, name).copy()
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].astype("string")
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        path = folder / f"{name}.parquet"
        atomic_write_bytes(path, buf.getvalue())
        out[name] = path
    return out


def read_processed(stp_slug: str, root: Path = DATA_PROCESSED) -> dict[str, pd.DataFrame]:
    """The cleaned tables written by :func:`write_processed`."""
    folder = processed_dir(stp_slug, root)
    return {n: pd.read_parquet(folder / f"{n}.parquet") for n in PROCESSED_TABLES}


# ---------------------------------------------------------------------------------------------
# LLR tables and the published comparison
# ---------------------------------------------------------------------------------------------
def published_llr(path: Path = PUBLISHED_LLR) -> dict[str, pd.DataFrame]:
    """The LLR plan's published tables (config/published/llr_workforce_plan.yaml)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {k: pd.DataFrame(v["rows"], columns=v["columns"]) for k, v in raw.items()}


def llr_tables(ctx: ReturnsContext) -> dict[str, pd.DataFrame]:
    """LLR Tables 2, 3, 4, 8, 9 and 10 from the cleaned returns (unrounded)."""
    codes = [a.code for a in ctx.ccgs]
    end = cleaning.period_end(pd.Series([ctx.period]))[0]
    ref_open = readers.open_on(ctx.reference, end)
    t2_order = ["03W", "04V", "04C"] if set(codes) == {"03W", "04C", "04V"} else codes
    labels2 = LLR_LABELS["table2"] if set(codes) == {"03W", "04C", "04V"} else {
        a.code: a.short_name for a in ctx.ccgs}
    labels3 = LLR_LABELS["table3"] if set(codes) == {"03W", "04C", "04V"} else {
        a.code: a.name for a in ctx.ccgs}
    labels10 = LLR_LABELS["table10"] if set(codes) == {"03W", "04C", "04V"} else labels3
    t2 = returns_tables.table2(ref_open, [(labels2[c], c) for c in t2_order])
    ccgs3 = [(labels3[c], c) for c in codes]
    t3 = returns_tables.table3(ctx.staff, ccgs3, ctx.period)
    pop = {labels3[c]: ref_open.loc[ref_open["ccg_code"] == c, "registered_patients"].sum()
           for c in codes}
    pop["LLR STP Total"] = sum(pop.values())
    t8 = returns_tables.table8(t3, pd.Series(pop))
    return {
        "table2": t2, "table3": t3,
        "table4": returns_tables.table4(ctx.staff, ctx.periods),
        "table8": t8,
        "table9": returns_tables.table9(ctx.staff, ctx.period),
        "table10": returns_tables.table10(ctx.staff, [(labels10[c], c) for c in codes],
                                          ctx.period),
    }


T3_COMPONENTS = ["gp", "nurses", "other_clinical", "admin_non_clinical"]


def published_differences(tables: dict[str, pd.DataFrame],
                          published: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every published LLR cell the cleaned data do not reproduce, with the reason."""
    published = published or published_llr()
    cmp = returns_tables.compare_with_published
    parts = []
    t2 = tables["table2"].copy()
    d2 = cmp(t2, published["table2"], ["ccg"],
             {"population": 0, "practices": 0, "average_list_size": 0}).assign(table="Table 2")
    pub2 = published["table2"].set_index("ccg")
    for i, r in d2[d2["column"] == "average_list_size"].iterrows():
        p = pub2.loc[r["ccg"]]
        exact = p["population"] / p["practices"]
        how = ("truncated, not rounded" if int(exact) == r["published"]
               else "differs from its own components")
        d2.loc[i, "explanation"] = (f"published figure {how}: {p['population']:,.0f} / "
                                    f"{p['practices']:.0f} = {exact:,.2f}")
    parts.append(d2)
    t3 = tables["table3"]
    shown = returns_tables.table3_as_published(t3)
    d3 = {c: 0 for c in published["table3"].columns if c != "ccg"}
    comp3 = {"total_hc": [f"{c}_hc" for c in T3_COMPONENTS],
             "total_wte": [f"{c}_wte" for c in T3_COMPONENTS]}
    diff3 = cmp(shown, published["table3"], ["ccg"], d3, comp3,
                total_rows=("LLR STP Total",)).assign(table="Table 3")
    unrounded = t3.set_index("ccg")
    for i, r in diff3.iterrows():
        exact = unrounded.loc[r["ccg"], r["column"]]
        diff3.loc[i, "unrounded"] = exact
        if r["ccg"] == "LLR STP Total" and round(exact) == r["published"]:
            diff3.loc[i, "explanation"] = (
                "rounding: this published total rounds the unrounded sum, while the table's "
                "other totals add the rounded rows")
    parts.append(diff3)
    t4 = tables["table4"]
    parts.append(cmp(t4, published["table4"], ["period"], {"gp_wte": 0}).assign(
        table="Table 4"))
    t8 = tables["table8"]
    d8 = {c: (2 if c.endswith("_per_1000") else 0) for c in published["table8"].columns
          if c != "ccg"}
    comp8 = {"total": T3_COMPONENTS}
    d8 = cmp(t8, published["table8"], ["ccg"], d8, comp8,
             total_rows=("LLR STP Total",)).assign(table="Table 8")
    pub8 = published["table8"].set_index("ccg")
    pop2 = dict(zip(tables["table3"]["ccg"], tables["table8"]["population"], strict=True))
    for i, r in d8.iterrows():
        if r["column"] == "population":
            d8.loc[i, "explanation"] = (f"published figure differs from Table 2's population "
                                        f"for the same CCG ({pop2.get(r['ccg'], 0):,.0f})")
        elif r["column"] == "total_per_1000":
            p = pub8.loc[r["ccg"]]
            if abs(p["total"] / p["population"] * 1000 - r["published"]) < 0.005:
                d8.loc[i, "explanation"] = ("consistent with the published total, which "
                                            "differs from its own components")
    parts.append(d8)
    parts.append(cmp(tables["table9"], published["table9"], ["staff_group", "job_role"],
                     {"pct_wte_over_55": 1}).assign(table="Table 9"))
    t10 = tables["table10"]
    pub10 = published["table10"]
    for measure, d in (("Headcount", 0), ("WTE", 2)):
        cols = {c: d for c in pub10.columns if c not in ("ccg", "measure")}
        parts.append(cmp(t10[t10["measure"] == measure], pub10[pub10["measure"] == measure],
                         ["ccg", "measure"], cols, total_rows=("LLR",),
                         measure_col="measure").assign(table="Table 10"))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    label = out.get("ccg", pd.Series(index=out.index, dtype="string"))
    for alt in ("period", "job_role"):
        if alt in out:
            label = label.fillna(out[alt].astype("string"))
    out["row"] = label
    return out[["table", "row", "column", "published", "computed", "unrounded", "explanation"]]
