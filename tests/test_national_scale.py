"""National-scale generator, series, Parquet cache and bench plumbing, at small sizes.

Nothing here is timed: the figures are in docs/performance_national.md (``make bench``).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re

import numpy as np
import pandas as pd
import pytest

from analysis.demo import national as ns
from analysis.io import gpw_fields as gpw_fields
from analysis.io.readers import read_gpw_practice_csv
from analysis.tables.workforce import ROLE_MEASURES, role_indicators

N = 300


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _header(path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def _numbers(path) -> pd.DataFrame:
    """Every column, 'ND'/'NA' as missing (a plain pandas read of the file)."""
    return pd.read_csv(path, na_values=["ND", "NA"], keep_default_na=False)


@pytest.fixture(scope="module")
def england(tmp_path_factory):
    return ns.write_england_release(tmp_path_factory.mktemp("eng") / "england.csv", N, seed=11)


@pytest.fixture(scope="module")
def markers(tmp_path_factory):
    """A larger file (table columns only) so that every kind of marker occurs."""
    return ns.write_england_release(tmp_path_factory.mktemp("mk") / "markers.csv", 4000, seed=5,
                                    columns="tables")


# --- the file --------------------------------------------------------------------------------
def test_header_is_the_published_column_list(england):
    assert _header(england) == gpw_fields.current_fields()
    assert len(_header(england)) == 805


def test_row_count_and_one_row_per_practice(england):
    df = _numbers(england)
    assert len(df) == N
    assert df["PRAC_CODE"].is_unique
    assert df["PRAC_CODE"].str.fullmatch(r"[A-HJ-PY]\d{5}").all()
    assert df["PRAC_CODE"].is_monotonic_increasing


def test_old_format_and_table_columns(tmp_path):
    old = ns.write_england_release(tmp_path / "old.csv", 50, seed=3, old_format=True)
    assert _header(old) == gpw_fields.old_fields()
    gpw = read_gpw_practice_csv(old)
    assert gpw.attrs["format"] == "old" and len(gpw) == 50
    small = ns.write_england_release(tmp_path / "tables.csv", 50, seed=3, columns="tables")
    assert _header(small) == ns.TABLE_FIELDS
    full = ns.write_england_release(tmp_path / "full.csv", 50, seed=3)
    pd.testing.assert_frame_equal(read_gpw_practice_csv(small), read_gpw_practice_csv(full),
                                  check_like=True)
    with pytest.raises(ValueError, match="columns"):
        ns.write_england_release(tmp_path / "bad.csv", 5, columns="some")


def test_geography_is_plausible(england):
    df = _numbers(england)
    assert df["ICB_CODE"].str.fullmatch(r"Q[A-Z0-9]{2}").all()
    assert df["SUB_ICB_CODE"].str.fullmatch(r"\d\d[A-Z]").all()
    assert df["ICB_CODE"].nunique() <= 42 and df["SUB_ICB_CODE"].nunique() <= 106
    assert set(df["REGION_CODE"]) <= set(ns.REGIONS)
    # each sub-ICB location belongs to one ICB, each ICB to one region
    assert (df.groupby("SUB_ICB_CODE")["ICB_CODE"].nunique() == 1).all()
    assert (df.groupby("ICB_CODE")["REGION_CODE"].nunique() == 1).all()
    assert (df["SUB_ICB_NAME"] == df["ICB_NAME"] + " - " + df["SUB_ICB_CODE"]).all()
    geo = ns._geography()
    assert len(set(geo.sub_code)) == 106 and len(set(geo.icb_code)) == 42
    registry = {"05C", "05L", "05Y", "06A", "03W", "04C", "04V"}
    assert registry <= set(geo.sub_code)


def test_values_are_realistic(england):
    df = _numbers(england)
    assert df["TOTAL_PATIENTS"].between(1000, 40000).all()
    ok = df["TOTAL_GP_FTE"].notna()
    per_1000 = df.loc[ok, "TOTAL_GP_FTE"].sum() / df.loc[ok, "TOTAL_PATIENTS"].sum() * 1000
    assert 0.4 < per_1000 < 0.7
    assert (df["TOTAL_GP_EXTGL_HC"].dropna() >= 1).all()  # every practice has a GP
    fte = df[[c for c in df if "FTE" in c.split("_")]]
    hc_per_fte = df["TOTAL_GP_HC"] / df["TOTAL_GP_FTE"]
    assert (hc_per_fte.dropna() >= 1).all()  # nobody works more than full time
    assert (fte.fillna(0) >= 0).all().all()


# --- consistency within a row ----------------------------------------------------------------
def _close(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=1e-9)


def test_totals_are_consistent(england):
    df = _numbers(england)
    gp = df[df["TOTAL_GP_FTE"].notna()]
    assert (gp["TOTAL_GP_FTE"] >= gp["TOTAL_GP_EXTGL_FTE"] - 1e-9).all()
    assert (gp["TOTAL_GP_EXTG_FTE"] >= gp["TOTAL_GP_EXTGL_FTE"] - 1e-9).all()
    assert (gp["TOTAL_GP_EXL_FTE"] >= gp["TOTAL_GP_EXTGL_FTE"] - 1e-9).all()
    assert (gp["TOTAL_GP_EXTGL_FTE"] >= gp["TOTAL_GP_RET_FTE"]).all()
    assert (df["TOTAL_GP_HC"].dropna() >= df["TOTAL_GP_EXTGL_HC"].dropna()).all()
    sexes = df["TOTAL_MALE"] + df["TOTAL_FEMALE"] + df["TOTAL_UNKNOWN_GENDER"]
    _close(sexes, df["TOTAL_PATIENTS"])
    for sex in ("MALE", "FEMALE"):
        _close(df.filter(regex=f"^{sex}_PATIENTS_").sum(axis=1), df[f"TOTAL_{sex}"])
    for g in gpw_fields._STAFF_GROUPS:
        block = df.dropna(subset=[f"TOTAL_{g.label}_FTE", f"TOTAL_{g.label}_HC"])
        roles = [r for r in g.roles if r not in ("EXTG", "EXL", "EXTGL")]
        for measure in ("HC", "FTE"):
            for sex in ("TOTAL", "MALE", "FEMALE"):
                cols = [gpw_fields._PUBLISHED_AS.get(n, n) for n in
                        (f"{sex}_{g.prefix}_{r}_{measure}" for r in roles)]
                _close(block[cols].sum(axis=1), block[f"{sex}_{g.label}_{measure}"])
            _close(block[f"MALE_{g.label}_{measure}"] + block[f"FEMALE_{g.label}_{measure}"],
                   block[f"TOTAL_{g.label}_{measure}"])
        bands = gpw_fields._age_bands(g.first_age)
        for sex in ("TOTAL", "MALE", "FEMALE"):
            _close(block[[f"{sex}_{g.label}_HC_{b}" for b in bands]].sum(axis=1),
                   block[f"{sex}_{g.label}_HC"])
        _close(block[[f"TOTAL_{g.label}_FTE_{b}" for b in bands]].sum(axis=1),
               block[f"TOTAL_{g.label}_FTE"])
    gp = df.dropna(subset=["TOTAL_GP_HC"])
    coq = [f"TOTAL_GP_HC_COQ_{a}" for a in gpw_fields._COQ_AREAS]
    _close(gp[coq].sum(axis=1), gp["TOTAL_GP_HC"])
    for headline in ("EXTG", "EXL", "EXTGL"):
        bands = gpw_fields._age_bands(30)
        _close(gp[[f"TOTAL_GP_{headline}_HC_{b}" for b in bands]].sum(axis=1),
               gp[f"TOTAL_GP_{headline}_HC"])


def test_markers_nd_blocks_and_na_fte(markers):
    text = pd.read_csv(markers, dtype=str, keep_default_na=False)
    nd = text["GP_SOURCE"] == "ND"
    na = text["GP_SOURCE"] == ns.SOURCE_NO_FTE
    assert nd.any() and na.any()
    gp_cols = [c for c in text if c.startswith("TOTAL_GP_")]
    assert (text.loc[nd, gp_cols] == "ND").all().all()
    fte_cols = [c for c in gp_cols if "FTE" in c.split("_")]
    assert (text.loc[na, fte_cols] == "NA").all().all()
    assert (text.loc[na, "TOTAL_GP_HC"] != "NA").all()
    assert (text["PCN_CODE"] == "NA").any()
    assert set(text["NURSE_SOURCE"]) >= {ns.SOURCE_PROVIDED, ns.SOURCE_ESTIMATES}
    gpw = read_gpw_practice_csv(markers)  # markers become missing values, never zero
    assert gpw.loc[nd.to_numpy(), "TOTAL_GP_FTE"].isna().all()
    assert gpw.loc[na.to_numpy(), "TOTAL_GP_FTE"].isna().all()
    assert gpw.loc[na.to_numpy(), "TOTAL_GP_HC"].notna().all()
    assert gpw.loc[~(nd | na).to_numpy(), "TOTAL_GP_FTE"].notna().all()


def test_quoted_names_survive(markers):
    gpw = read_gpw_practice_csv(markers)
    names = set(gpw["PRAC_NAME"])
    assert names & set(ns._ODD_NAMES)  # commas and quotes round-trip through the CSV
    assert gpw["ICB_NAME"].str.contains(",").any()


# --- the project's reader and tables ---------------------------------------------------------
def test_reader_and_role_indicators(england):
    gpw = read_gpw_practice_csv(england)
    assert len(gpw) == N and gpw.attrs["format"] == "current"
    areas = ns.england_areas(gpw)
    assert areas[-1] == ("England", None)
    ind = role_indicators(gpw, areas)
    assert list(ind.fte_per_1000.columns) == list(ROLE_MEASURES)
    assert np.isfinite(ind.fte_per_1000.to_numpy(dtype=float)).all()
    assert np.isfinite(ind.patients_per_fte.loc["England"].to_numpy(dtype=float)).all()
    assert 1500 < ind.patients_per_fte.loc["England", "gp_excl_registrars_retainers_locums"] < 4000


# --- determinism -----------------------------------------------------------------------------
def test_same_seed_same_bytes(tmp_path, england):
    again = ns.write_england_release(tmp_path / "again.csv", N, seed=11)
    assert _sha(again) == _sha(england)
    other = ns.write_england_release(tmp_path / "other.csv", N, seed=12)
    assert _sha(other) != _sha(england)
    earlier = ns.write_england_release(tmp_path / "earlier.csv", N, seed=11, period="2015-03")
    assert _sha(earlier) != _sha(england)
    pharm = [read_gpw_practice_csv(p)["TOTAL_DPC_PHARMA_FTE"].sum() for p in (earlier, england)]
    assert pharm[0] < pharm[1]  # additional roles grew over the decade
    assert not list(tmp_path.glob("*.tmp"))  # written under a temporary name, then renamed


# --- monthly series --------------------------------------------------------------------------
def test_monthly_series(tmp_path):
    files = ns.write_monthly_series(tmp_path / "s", n_practices=N, seed=4, months=3, workers=1)
    assert [f.name for f in files] == [ns.release_name(p)
                                       for p in ("2024-01", "2024-02", "2024-03")]
    frames = [read_gpw_practice_csv(f) for f in files]
    assert len(frames[-1]) == N
    assert all(_header(f) == ns.TABLE_FIELDS for f in files)
    codes = [set(f["PRAC_CODE"]) for f in frames]
    assert len(codes[0] & codes[2]) > 0.95 * N  # the same practices, month after month
    assert not frames[0]["TOTAL_PATIENTS"].equals(frames[1]["TOTAL_PATIENTS"])  # values drift
    again = ns.write_monthly_series(tmp_path / "p", n_practices=N, seed=4, months=3, workers=2)
    assert [_sha(a) for a in again] == [_sha(f) for f in files]


def test_ten_year_universe_opens_and_closes_practices():
    u = ns._universe(1000, 1, 120)
    open_first = ((u.open_m <= 0) & (u.close_m > 0)).sum()
    open_last = ((u.open_m <= 119) & (u.close_m > 119)).sum()
    assert open_last == 1000
    assert 1150 < open_first < 1250
    assert (u.open_m > 0).any() and (u.close_m < 120).any()
    assert len(set(u.code)) == u.code.size


# --- Parquet cache ---------------------------------------------------------------------------
def test_cache_round_trip_equals_direct_read(tmp_path, england):
    cache = tmp_path / "cache"
    direct = read_gpw_practice_csv(england)
    assert ns.cache_status(england, cache) == "missing"
    built = ns.build_cache(england, cache)
    assert built == ns.cache_path(england, cache) and built.suffix == ".parquet"
    assert ns.cache_status(england, cache) == "fresh"
    cached = ns.read_cached(england, cache)
    pd.testing.assert_frame_equal(cached, direct)
    assert cached.attrs == direct.attrs
    # the entry and its checksum, no temporary files left
    assert sorted(p.name for p in cache.iterdir()) == [built.name, f"{built.name}.sha256"]


def test_cache_invalidated_when_csv_changes(tmp_path):
    cache = tmp_path / "cache"
    csv_path = ns.write_england_release(tmp_path / "r.csv", 60, seed=1, columns="tables")
    first = ns.read_cached(csv_path, cache)
    assert ns.cache_status(csv_path, cache) == "fresh"
    # new content, newer file: the cache is older than the CSV
    ns.write_england_release(csv_path, 60, seed=2, columns="tables")
    stamp = ns.cache_path(csv_path, cache).stat().st_mtime_ns
    os.utime(csv_path, ns=(stamp + 10**9, stamp + 10**9))
    assert ns.cache_status(csv_path, cache) == "older than the CSV"
    second = ns.read_cached(csv_path, cache)
    pd.testing.assert_frame_equal(second, read_gpw_practice_csv(csv_path))
    assert not second["PRAC_CODE"].equals(first["PRAC_CODE"])
    assert ns.cache_status(csv_path, cache) == "fresh"
    # new content with an old time stamp: the recorded sha256 no longer matches
    ns.write_england_release(csv_path, 60, seed=3, columns="tables")
    os.utime(csv_path, ns=(stamp - 10**9, stamp - 10**9))
    assert ns.cache_status(csv_path, cache) == "CSV changed (sha256)"
    pd.testing.assert_frame_equal(ns.read_cached(csv_path, cache),
                                  read_gpw_practice_csv(csv_path))
    # other reader columns, and a damaged cache file, are rebuilt too
    assert ns.cache_status(csv_path, cache, ["TOTAL_GP_FTE"]) == "other columns"
    ns.cache_path(csv_path, cache).write_bytes(b"not parquet")
    assert ns.cache_status(csv_path, cache) == "unreadable"
    pd.testing.assert_frame_equal(ns.read_cached(csv_path, cache),
                                  read_gpw_practice_csv(csv_path))


def test_cache_keeps_same_named_files_apart(tmp_path):
    a = ns.write_england_release(tmp_path / "a" / "r.csv", 20, seed=1, columns="tables")
    b = ns.write_england_release(tmp_path / "b" / "r.csv", 20, seed=2, columns="tables")
    assert ns.cache_path(a, tmp_path) != ns.cache_path(b, tmp_path)


# --- bench plumbing and command line (no timing) ----------------------------------------------
def test_measure_steps_in_process(tmp_path, england):
    series = tmp_path / "series"
    ns.write_monthly_series(series, n_practices=40, months=2, workers=1)
    cache = tmp_path / "cache"
    for kind in ("reader", "pyarrow_usecols", "cache_cold", "cache_hit", "cache_warm",
                 "series_cold", "series_warm"):
        r = ns._measure_child(kind, england, cache, series)
        assert r["rows"] == (80 if kind.startswith("series") else N), kind
        assert r["seconds"] >= 0 and r["peak_rss_mib"] > 0
    assert r["series"]["period"] == ["2024-02", "2024-03"]


def test_format_bench():
    step = {"seconds": 0.5, "rows": 100, "rows_per_s": 200.0, "peak_rss_mib": 100.0,
            "step_mib": 10.0}
    result = {"n_practices": 100, "columns": 805, "file_mb": 1.0, "cache_mb": 0.1, "months": 2,
              "series_mb": 0.2, "machine": {"cores": 2, "python": "3", "pandas": "3",
                                            "pyarrow": "2"},
              "write_seconds": 0.1, "series_write_seconds": 0.2, "reader_vs_floor": 1.0,
              "steps": {k: dict(step) for k in ns._STEPS}}
    result["steps"]["series_warm"]["series"] = {"period": ["2024-02", "2024-03"],
                                                "gp_fte_per_1000": [0.5, 0.6],
                                                "practices": [10, 9]}
    text = ns.format_bench(result)
    assert "reader vs floor: 1.00 x" in text and "2024-02 0.500 -> 2024-03 0.600" in text
    assert "usecols" not in text.splitlines()[-1]
    result["reader_vs_floor_usecols"] = 3.5
    assert "reader vs pandas.read_csv of the reader's columns: 3.50 x (0.500 s vs 0.500 s)" \
        in ns.format_bench(result)


def test_cli_write(tmp_path):
    from typer.testing import CliRunner

    from analysis.cli import app

    cli = CliRunner()
    out = tmp_path / "cli.csv"
    res = cli.invoke(app, ["national", "write", str(out), "--practices", "25", "--seed", "9"])
    assert res.exit_code == 0, res.output
    assert re.search(r"wrote .*cli\.csv", res.stdout)
    assert len(_numbers(out)) == 25
    res = cli.invoke(app, ["national", "series", str(tmp_path / "s"), "--months", "2",
                           "--practices", "10", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "s").glob("*.csv"))) == 2
    res = cli.invoke(app, ["national", "write", str(tmp_path / "bad.csv"), "--period", "2024-13"])
    assert res.exit_code == 1 and res.stderr.startswith("error: "), res.output
    assert len(res.stderr.splitlines()) == 1 and not (tmp_path / "bad.csv").exists()


def test_bad_csv_leaves_the_earlier_cache(tmp_path):
    from analysis.util.errors import InputError

    cache = tmp_path / "cache"
    csv_path = ns.write_england_release(tmp_path / "r.csv", 30, seed=1, columns="tables")
    built = ns.build_cache(csv_path, cache)
    kept = built.read_bytes()
    lines = csv_path.read_text().splitlines(keepends=True)
    csv_path.write_text("".join(lines + [lines[1]]))  # a practice twice
    with pytest.raises(InputError, match="more than once"):
        ns.read_cached(csv_path, cache)
    assert built.read_bytes() == kept
    assert sorted(p.name for p in cache.iterdir()) == [built.name, f"{built.name}.sha256"]
