"""Local returns for one area: read, clean, complete, write Parquet, build the tables.

Step inputs and outputs (the DAG):

* inputs: the STP's returns folder and the practice reference (``config/config.yaml``);
* outputs: ``data/processed/returns/<stp>/{staff,vacancies,audit,corrections,status}.parquet``
  (columns in ``docs/data_dictionary.md``), written atomically.

The LLR plan's tables built from the cleaned returns are in :mod:`analysis.tables.returns`
(:func:`~analysis.tables.returns.llr_tables`); their comparison with the published plan is in
:mod:`analysis.validation.returns`.

The notebook ``01_clean_returns`` runs :func:`load_returns` and :func:`write_processed`;
later chapters read the Parquet files with :func:`read_processed`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.cleaning import rules as cleaning
from analysis.config import (
    DATA_PROCESSED,
    Area,
    input_path,
    project_path,
    registry,
    resolve_area,
    settings,
    stp_members,
)
from analysis.io import readers as readers
from analysis.io import returns as returns
from analysis.settings import ReturnsStp, Settings
from analysis.util.atomic import atomic_write_bytes
from analysis.util.cache import cached_read

PROCESSED_TABLES = ["staff", "vacancies", "audit", "corrections", "status"]


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


def returns_config(stp_slug: str, cfg: Settings | None = None) -> ReturnsStp | None:
    """The ``returns`` settings of an STP, or None when it has no local returns."""
    return (cfg or settings()).returns.stps.get(stp_slug)


def limits_from_config(cfg: Settings | None = None) -> cleaning.Limits:
    """Conversion factors and plausibility limits from ``returns: rules:``."""
    return cleaning.Limits(**(cfg or settings()).returns.rules.model_dump())


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
    area = resolve_area(area_slug, area_kind)
    stp = registry()[area.stp]
    conf = returns_config(stp.slug)
    if conf is None:
        return None
    inputs = inputs or {}
    folder = Path(inputs.get("returns_folder") or project_path(conf.folder))
    ref_path = inputs.get("practice_reference") or input_path("practice_reference")
    ref = cached_read(ref_path, readers.read_practice_reference)
    ccgs = stp_members(stp.slug)
    limits = limits_from_config()
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
    period = str((snapshots or {}).get("returns_period") or conf.period)
    periods = list(conf.periods or sorted(set(result.staff["period"])))
    groups = None
    if conf.practice_groups:
        groups = pd.read_csv(project_path(conf.practice_groups), dtype=str).fillna("")
    return ReturnsContext(area=area, stp=stp, ccgs=ccgs, period=period, periods=periods,
                          folder=folder, files=files, raw_rows=accounting["raw"],
                          accounting=accounting, result=result, reference=ref,
                          unmapped=unmapped, groups=groups)


# ---------------------------------------------------------------------------------------------
# Cache of cleaned returns: the same files, lookup, rules, reference and code give the same
# result, so a second report for the STP reads it back instead of cleaning again.
# ---------------------------------------------------------------------------------------------
def _cache_key(folder: Path, ref_path, limits: cleaning.Limits, ccg_codes) -> str:
    from analysis.util.cache import cache_key

    lookup = project_path(settings().returns.lookup)
    # file times order resubmissions without a submission stamp (rules.resubmissions)
    folder = Path(folder)
    times = sorted((p.relative_to(folder).as_posix(), p.stat().st_mtime_ns)
                   for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return cache_key("returns", [folder, Path(ref_path), lookup, limits,
                                 list(ccg_codes), times])


def _strings(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with object columns as strings (Parquet needs one type a column)."""
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("string")
    return df


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as Parquet bytes, object columns stored as strings."""
    buf = io.BytesIO()
    _strings(df).to_parquet(buf, index=False)
    return buf.getvalue()


def _to_cache(key, result, accounting, files, unmapped) -> None:
    from analysis.util.cache import CACHE_DIR, write_bundle

    frames = {name: _strings(getattr(result, name)) for name in PROCESSED_TABLES}
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
        path = folder / f"{name}.parquet"
        atomic_write_bytes(path, _parquet_bytes(getattr(ctx.result, name)))
        out[name] = path
    return out


def read_processed(stp_slug: str, root: Path = DATA_PROCESSED) -> dict[str, pd.DataFrame]:
    """The cleaned tables written by :func:`write_processed`."""
    folder = processed_dir(stp_slug, root)
    return {n: pd.read_parquet(folder / f"{n}.parquet") for n in PROCESSED_TABLES}
