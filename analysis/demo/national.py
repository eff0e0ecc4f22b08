"""National scale: an England-sized GPW release, a ten-year monthly series, a Parquet cache and
a benchmark against the plain pandas read of the same file (the floor).

* :func:`write_england_release` writes a synthetic *GPW Practice Level - Detailed* CSV for all
  of England: every practice (6,500 by default) and all 805 columns in the published order
  (:func:`analysis.io.gpw_fields.current_fields`, or :func:`~analysis.io.gpw_fields.old_fields`).
  Values are drawn column block by column block as numpy arrays (no loop over practices), and
  are consistent within a row: staff-group totals are the sum of their roles, ``TOTAL`` is
  ``MALE + FEMALE``, age bands add up to the group headcount, FTE by age band adds up to the
  group FTE, ``EXTG``/``EXL``/``EXTGL`` are the right subsets of the GP roles, patients by sex
  and age band add up to ``TOTAL_PATIENTS``.
* :func:`write_monthly_series` writes one release per month (120 for ten years): practices
  close and open over time, list sizes grow, the partner share falls and the direct patient
  care roles grow. By default only the columns the tables read are written (see
  :data:`TABLE_FIELDS`): a full 805-column series of ten years is about 3 GB of CSV.
* :func:`build_cache` / :func:`read_cached` keep a Parquet copy of what the project reader
  returns, under ``data/processed/cache/`` by default, checked against the CSV's modification
  time and sha256.
* :func:`bench` times the project reader against ``pandas.read_csv(path)`` (the floor), each in
  its own process with its own peak memory, then the tables for every sub-ICB location and
  England, the Parquet cache and a ten-year series pass. ``docs/performance_national.md`` has
  the method and the figures.

Command line (:mod:`analysis.cli`)::

    python -m analysis national write PATH [--practices N] [--period 2024-03] [--old-format]
    python -m analysis national series FOLDER [--years 10] [--columns tables|all]
    python -m analysis national bench [--practices N] [--months M] [--tmp-dir DIR]

Geography: the 42 ICBs (real ODS codes and names, 2023) in the seven NHS England regions, with
106 sub-ICB locations. The Black Country and Leicester, Leicestershire and Rutland ICBs carry
the former CCG codes of the project's registry (05C, 05L, 05Y, 06A; 03W, 04C, 04V) so the
configured areas can be picked out of the national file; other sub-ICB codes are made up in
the published form (two digits and a letter). Practices, PCNs and every number are synthetic.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.config import DATA_PROCESSED
from analysis.io import gpw_fields as gpw_fields

# The column rules live in gpw_fields; the generator follows the same rules so that every
# block it draws lands on a published column name (checked in _release_columns).
from analysis.io.gpw_fields import (
    _COQ_AREAS,
    _GP,
    _GP_HEADLINES,
    _PATIENT_BANDS,
    _PUBLISHED_AS,
    _STAFF_GROUPS,
    _age_bands,
)
from analysis.io.readers import (
    GPW_SOURCE_COLUMNS,
    GPW_TABLE_COLUMNS,
    read_gpw_practice_csv,
)
from analysis.io.series_store import build_store, open_store
from analysis.tables.series import connect, query
from analysis.tables.workforce import role_indicators
from analysis.util.atomic import atomic_open
from analysis.util.cache import read_frame, read_frame_meta, remove_frame, write_frame
from analysis.util.errors import GPWorkforceError

__all__ = [
    "TABLE_FIELDS",
    "bench",
    "build_cache",
    "cache_path",
    "cache_status",
    "england_areas",
    "file_sha256",
    "read_cached",
    "release_name",
    "write_england_release",
    "write_monthly_series",
]

DEFAULT_SEED = 20240331
DEFAULT_PERIOD = "2024-03"
FTE_MINUTES = 37.5 * 60  # one FTE is 37.5 hours a week; FTE is drawn in whole minutes
GEO_SEED = 106  # geography (sub-ICB codes and sizes) is the same whatever the seed

# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------
REGIONS = {
    "Y56": "London",
    "Y58": "South West",
    "Y59": "South East",
    "Y60": "Midlands",
    "Y61": "East of England",
    "Y62": "North West",
    "Y63": "North East and Yorkshire",
}
# First letters of practice codes used in each region (practices opened during a series get Y).
_REGION_LETTERS = {"Y56": "EFGH", "Y58": "LJ", "Y59": "GHJK", "Y60": "MC", "Y61": "DF",
                   "Y62": "NP", "Y63": "AB"}
ICBS = [  # (code, short name, region)
    ("QE1", "Lancashire and South Cumbria", "Y62"),
    ("QF7", "South Yorkshire", "Y63"),
    ("QGH", "Herefordshire and Worcestershire", "Y60"),
    ("QH8", "Mid and South Essex", "Y61"),
    ("QHG", "Bedfordshire, Luton and Milton Keynes", "Y61"),
    ("QHL", "Birmingham and Solihull", "Y60"),
    ("QHM", "North East and North Cumbria", "Y63"),
    ("QJ2", "Derby and Derbyshire", "Y60"),
    ("QJG", "Suffolk and North East Essex", "Y61"),
    ("QJK", "Devon", "Y58"),
    ("QJM", "Lincolnshire", "Y60"),
    ("QK1", "Leicester, Leicestershire and Rutland", "Y60"),
    ("QKK", "South East London", "Y56"),
    ("QKS", "Kent and Medway", "Y59"),
    ("QM7", "Hertfordshire and West Essex", "Y61"),
    ("QMF", "North East London", "Y56"),
    ("QMJ", "North Central London", "Y56"),
    ("QMM", "Norfolk and Waveney", "Y61"),
    ("QNC", "Staffordshire and Stoke-on-Trent", "Y60"),
    ("QNQ", "Frimley", "Y59"),
    ("QNX", "Sussex", "Y59"),
    ("QOC", "Shropshire, Telford and Wrekin", "Y60"),
    ("QOP", "Greater Manchester", "Y62"),
    ("QOQ", "Humber and North Yorkshire", "Y63"),
    ("QOX", "Bath and North East Somerset, Swindon and Wiltshire", "Y58"),
    ("QPM", "Northamptonshire", "Y60"),
    ("QR1", "Gloucestershire", "Y58"),
    ("QRL", "Hampshire and Isle of Wight", "Y59"),
    ("QRV", "North West London", "Y56"),
    ("QSL", "Somerset", "Y58"),
    ("QT1", "Nottingham and Nottinghamshire", "Y60"),
    ("QT6", "Cornwall and the Isles of Scilly", "Y58"),
    ("QU9", "Buckinghamshire, Oxfordshire and Berkshire West", "Y59"),
    ("QUA", "Black Country", "Y60"),
    ("QUE", "Cambridgeshire and Peterborough", "Y61"),
    ("QUY", "Bristol, North Somerset and South Gloucestershire", "Y58"),
    ("QVV", "Dorset", "Y58"),
    ("QWE", "South West London", "Y56"),
    ("QWO", "West Yorkshire", "Y63"),
    ("QWU", "Coventry and Warwickshire", "Y60"),
    ("QXU", "Surrey Heartlands", "Y59"),
    ("QYG", "Cheshire and Merseyside", "Y62"),
]
N_SUB_ICBS = 106
_FIXED_SUB_ICBS = {"QUA": ("05C", "05L", "05Y", "06A"), "QK1": ("03W", "04C", "04V")}

_PLACES = np.array([
    "ABBEY", "ASHFIELD", "BEECHWOOD", "BRIDGE", "BROOKSIDE", "CASTLE", "CEDAR", "CHURCH ROAD",
    "CLIFTON", "CROSS STREET", "DALE", "ELM TREE", "FAIRFIELD", "GROVE", "HAWTHORN", "HIGH STREET",
    "HILLSIDE", "KINGSWAY", "LAKESIDE", "LONGFORD", "MARKET", "MEADOWS", "MILL LANE", "NEWTOWN",
    "OAKLANDS", "ORCHARD", "PARK LANE", "PRIORY", "QUEENS", "RIVERSIDE", "ST JOHNS", "STATION ROAD",
    "THE GREEN", "VALLEY", "VICTORIA", "WESTGATE", "WILLOWS", "WOODLANDS",
], dtype=object)
_KINDS = np.array(["SURGERY", "MEDICAL CENTRE", "HEALTH CENTRE", "MEDICAL PRACTICE",
                   "FAMILY PRACTICE", "PRIMARY CARE CENTRE"], dtype=object)
_ODD_NAMES = np.array([  # real names carry apostrophes, ampersands, commas and quotes
    "DR O'NEILL & PARTNERS", "THE \"NEW\" SURGERY", "DR SHAH, DR PATEL & PARTNERS",
    "ST MARY'S HEALTH CENTRE",
], dtype=object)


@dataclass(frozen=True)
class _Geography:
    sub_code: np.ndarray  # (S,) str
    sub_name: np.ndarray
    sub_icb: np.ndarray  # (S,) index into ICBS
    sub_weight: np.ndarray  # share of practices
    icb_code: np.ndarray  # (42,)
    icb_name: np.ndarray
    icb_region: np.ndarray
    stp_code: np.ndarray  # older releases: one STP per ICB


@lru_cache(maxsize=1)
def _geography() -> _Geography:
    rng = np.random.default_rng(GEO_SEED)
    n_icb = len(ICBS)
    codes = [c for c, _, _ in ICBS]
    counts = np.ones(n_icb, dtype=np.int64)
    free = [i for i, c in enumerate(codes) if c not in _FIXED_SUB_ICBS]
    for c, subs in _FIXED_SUB_ICBS.items():
        counts[codes.index(c)] = len(subs)
    extra = N_SUB_ICBS - int(counts.sum())
    counts[free] += rng.multinomial(extra, np.full(len(free), 1 / len(free)))
    reserved = {s for subs in _FIXED_SUB_ICBS.values() for s in subs}
    pool = np.array([f"{d:02d}{chr(65 + k)}" for d in range(100) for k in range(26)])
    pool = pool[~np.isin(pool, list(reserved))]
    made = iter(rng.choice(pool, N_SUB_ICBS, replace=False))
    sub_code, sub_icb = [], []
    for i, c in enumerate(codes):  # 42 ICBs, not practices
        fixed = _FIXED_SUB_ICBS.get(c)
        sub_code += list(fixed) if fixed else [str(next(made)) for _ in range(counts[i])]
        sub_icb += [i] * int(counts[i])
    sub_icb = np.array(sub_icb)
    short = np.array([s for _, s, _ in ICBS], dtype=object)
    sub_code = np.array(sub_code, dtype=object)
    sub_name = "NHS " + short[sub_icb] + " ICB - " + sub_code
    weight = rng.lognormal(0.0, 0.45, N_SUB_ICBS)
    return _Geography(
        sub_code=sub_code, sub_name=sub_name, sub_icb=sub_icb, sub_weight=weight / weight.sum(),
        icb_code=np.array(codes, dtype=object), icb_name="NHS " + short + " ICB",
        icb_region=np.array([r for _, _, r in ICBS], dtype=object),
        stp_code=np.array([f"E54{i + 10:06d}" for i in range(n_icb)], dtype=object),
    )


# --------------------------------------------------------------------------------------------
# Practices over time
# --------------------------------------------------------------------------------------------
CLOSE_RATE = 0.022  # practices closing or merging each year, share of those open at the end
OPEN_RATE = 0.003  # practices opening each year


@dataclass(frozen=True)
class _Universe:
    """Every practice open at some point of a series, sorted by practice code."""

    code: np.ndarray
    name: np.ndarray
    sub: np.ndarray  # index into _Geography sub arrays
    pcn_code: np.ndarray
    pcn_name: np.ndarray
    patients: np.ndarray  # list size in the last month, before monthly noise
    factor: np.ndarray  # (U, 4) staffing level per staff group relative to England
    open_m: np.ndarray  # first month index open
    close_m: np.ndarray  # first month index closed
    months: int


@lru_cache(maxsize=4)
def _universe(n: int, seed: int, months: int) -> _Universe:
    if n < 1 or months < 1:
        raise ValueError("need at least one practice and one month")
    rng = np.random.default_rng([seed, 0])
    geo = _geography()
    n_close = int(round(n * CLOSE_RATE * (months - 1) / 12))
    n_open = min(n, int(round(n * OPEN_RATE * (months - 1) / 12)))
    size = n + n_close
    open_m = np.zeros(size, dtype=np.int64)
    close_m = np.full(size, months, dtype=np.int64)
    perm = rng.permutation(size)
    closers, openers = perm[:n_close], perm[n_close:n_close + n_open]
    if months > 1:
        close_m[closers] = rng.integers(1, months, n_close)
        open_m[openers] = rng.integers(1, months, n_open)
    sub = rng.choice(N_SUB_ICBS, size, p=geo.sub_weight)
    region = geo.icb_region[geo.sub_icb[sub]]
    letters = np.empty(size, dtype=object)
    for r, choices in _REGION_LETTERS.items():  # seven regions
        where = region == r
        letters[where] = rng.choice(list(choices), int(where.sum()))
    letters[openers] = "Y"
    number = np.zeros(size, dtype=np.int64)
    for letter in np.unique(letters):  # at most 17 letters; codes unique within each
        where = np.flatnonzero(letters == letter)
        number[where] = rng.choice(90000, where.size, replace=False) + 10000
    code = letters + np.char.mod("%05d", number).astype(object)
    name = rng.choice(_PLACES, size) + " " + rng.choice(_KINDS, size)
    odd = rng.random(size) < 0.01
    name[odd] = rng.choice(_ODD_NAMES, int(odd.sum()))
    patients = np.clip(rng.lognormal(np.log(8000), 0.6, size), 1000, 40000)
    factor = rng.lognormal(-0.02, 0.2, (size, 4))
    order = np.argsort(code, kind="stable")
    code, name, sub, patients, factor = (code[order], name[order], sub[order], patients[order],
                                         factor[order])
    open_m, close_m = open_m[order], close_m[order]
    # PCNs: about five neighbouring practices of one sub-ICB location each; 1% in none.
    by_sub = np.lexsort((np.arange(size), sub))
    start = np.searchsorted(sub[by_sub], sub[by_sub])
    local = np.empty(size, dtype=np.int64)
    local[by_sub] = (np.arange(size) - start) // 5
    keys, pcn = np.unique(sub * 100000 + local, return_inverse=True)
    pcn_num = rng.choice(90000, keys.size, replace=False) + 10000
    pcn_codes = np.char.mod("U%05d", pcn_num).astype(object)
    pcn_names = rng.choice(_PLACES, keys.size) + " PCN"
    no_pcn = rng.random(size) < 0.01
    pcn_code = np.where(no_pcn, "NA", pcn_codes[pcn]).astype(object)
    pcn_name = np.where(no_pcn, "NA", pcn_names[pcn]).astype(object)
    return _Universe(code=code, name=name, sub=sub, pcn_code=pcn_code, pcn_name=pcn_name,
                     patients=patients, factor=factor, open_m=open_m, close_m=close_m,
                     months=months)


# --------------------------------------------------------------------------------------------
# Staff groups: role -> (FTE per 1,000 patients, FTE per person, female share, growth a year)
# --------------------------------------------------------------------------------------------
_ROLE_SPEC = {
    "GP": {
        "SEN_PTNR": (0.03, 0.8, 0.35, -0.03), "PTNR_PROV": (0.20, 0.75, 0.45, -0.03),
        "SAL_BY_PRAC": (0.17, 0.6, 0.7, 0.04), "SAL_BY_OTH": (0.01, 0.6, 0.65, 0.0),
        "TRN_GR_ST1": (0.015, 0.9, 0.6, 0.04), "TRN_GR_ST2": (0.02, 0.9, 0.6, 0.04),
        "TRN_GR_ST3": (0.055, 0.9, 0.6, 0.04), "TRN_GR_ST4": (0.002, 0.9, 0.6, 0.0),
        "TRN_GR_OTH": (0.003, 0.9, 0.6, 0.0), "TRN_GR_F1_2": (0.01, 1.0, 0.55, 0.02),
        "RET": (0.004, 0.4, 0.8, -0.02), "LOCUM_VAC": (0.008, 0.3, 0.5, -0.03),
        "LOCUM_ABS": (0.004, 0.3, 0.5, -0.03), "LOCUM_OTH": (0.006, 0.3, 0.5, -0.03),
    },
    "NURSE": {
        "PRAC_NURSE": (0.17, 0.65, 0.97, -0.01), "ADV_NURSE_PRAC": (0.045, 0.8, 0.95, 0.05),
        "ENH_PRAC_NURSE": (0.004, 0.75, 0.97, 0.1), "NURSE_SPEC": (0.01, 0.6, 0.97, 0.0),
        "EXT_ROLE_NURSE": (0.006, 0.7, 0.97, 0.0), "TRAINEE_NURSE": (0.004, 0.8, 0.95, 0.05),
        "NURSE_DISP": (0.002, 0.6, 0.97, 0.0), "NURSE_PTNR": (0.002, 0.8, 0.95, -0.03),
        "NURSE_OTH": (0.005, 0.6, 0.95, 0.0),
    },
    "DPC": {  # additional-roles (ARRS) staff grow fast towards the last month
        "ADV_PARAMED_PRAC": (0.002, 0.8, 0.4, 0.2), "ADV_PHARMA_PRAC": (0.003, 0.8, 0.6, 0.2),
        "ADV_PHYSIO_PRAC": (0.002, 0.8, 0.5, 0.2), "DISPENSER": (0.02, 0.6, 0.9, 0.0),
        "GPA": (0.01, 0.8, 0.9, 0.3), "HCA": (0.12, 0.65, 0.92, 0.02),
        "PHLEB": (0.015, 0.5, 0.9, 0.0), "PHARMA": (0.035, 0.75, 0.6, 0.2),
        "PHYSIO": (0.008, 0.6, 0.6, 0.15), "PHYSICIAN_ASSOC": (0.01, 0.85, 0.7, 0.2),
        "PARAMED": (0.01, 0.8, 0.4, 0.2), "PHARMT": (0.01, 0.8, 0.85, 0.2),
        "SPLW": (0.008, 0.9, 0.8, 0.25), "NURSE_ASSOC": (0.004, 0.8, 0.9, 0.2),
        "THERA_COU": (0.002, 0.4, 0.8, 0.0), "OTH": (0.02, 0.5, 0.8, 0.0),
    },
    "ADMIN": {
        "MANAGER": (0.12, 0.95, 0.8, 0.0), "MANAGE_PTNR": (0.004, 1.0, 0.7, -0.03),
        "MED_SECRETARY": (0.14, 0.7, 0.97, 0.0), "RECEPT": (0.55, 0.62, 0.93, 0.01),
        "TELEPH": (0.05, 0.55, 0.9, 0.02), "ESTATES_ANC": (0.05, 0.5, 0.7, 0.0),
        "DT_LEAD": (0.02, 0.8, 0.7, 0.15), "OTH": (0.3, 0.7, 0.88, 0.02),
        "APP": (0.03, 0.8, 0.8, 0.03),
    },
}
_DEFAULT_ROLE = (0.001, 0.6, 0.85, 0.05)


def _norm(p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return p / p.sum()


# Headcount by age band. GP bands: UNDER30, 30TO34 ... 65TO69, 70PLUS, UNKNOWN_AGE (11);
# other groups start at UNDER25 (12 bands).
_GP_AGE = {
    "core": _norm([0.005, 0.08, 0.15, 0.18, 0.17, 0.15, 0.13, 0.08, 0.035, 0.015, 0.005]),
    "training": _norm([0.35, 0.35, 0.17, 0.08, 0.03, 0.01, 0.005, 0.0, 0.0, 0.0, 0.005]),
    "locum": _norm([0.02, 0.12, 0.15, 0.14, 0.12, 0.11, 0.12, 0.11, 0.07, 0.03, 0.01]),
}
_OTHER_AGE = {
    "NURSE": _norm([0.01, 0.05, 0.08, 0.10, 0.12, 0.14, 0.16, 0.17, 0.12, 0.04, 0.008, 0.002]),
    "DPC": _norm([0.08, 0.14, 0.14, 0.12, 0.11, 0.11, 0.1, 0.09, 0.07, 0.03, 0.008, 0.002]),
    "ADMIN": _norm([0.08, 0.08, 0.08, 0.08, 0.09, 0.1, 0.12, 0.13, 0.12, 0.08, 0.02, 0.002]),
}
_COQ_P = _norm([0.71, 0.07, 0.005, 0.04, 0.02, 0.12, 0.005, 0.002, 0.003, 0.002, 0.008, 0.015])
_PATIENT_P = _norm([0.055, 0.115, 0.39, 0.255, 0.1, 0.062, 0.023])

# *_SOURCE flags. A group with no valid data has every column of its block 'ND' (its flag too);
# a group whose FTE is not available has its FTE columns 'NA' and headcounts as published.
SOURCE_PROVIDED = "Fully provided"
SOURCE_ESTIMATES = "Includes FTE Estimates"
SOURCE_ESTIMATED = "Fully Estimated"
SOURCE_NO_FTE = "FTE not available"
_MARKER_RATES = {"GP": (0.002, 0.002), "NURSE": (0.004, 0.003), "DPC": (0.005, 0.003),
                 "ADMIN": (0.006, 0.004)}  # (ND block, NA FTE) share of practices

_IDENTIFIERS = ["PRAC_CODE", "PRAC_NAME", "PCN_CODE", "PCN_NAME", "SUB_ICB_CODE", "SUB_ICB_NAME",
                "ICB_CODE", "ICB_NAME", "REGION_CODE", "REGION_NAME"]
TABLE_FIELDS = [f for f in gpw_fields.current_fields()
                if f in set(_IDENTIFIERS + GPW_TABLE_COLUMNS + GPW_SOURCE_COLUMNS)]
"""Columns written with ``columns='tables'``: identifiers, the measures the tables read
(:data:`analysis.io.readers.GPW_TABLE_COLUMNS`) and the ``*_SOURCE`` flags, in published order."""


def _split(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer totals (n,) across columns in proportion to weights (n, k), exactly.

    Largest remainder, vectorised: every row adds up to its total.
    """
    w = weights.astype(float)
    s = w.sum(axis=1, keepdims=True)
    share = np.divide(w, s, out=np.zeros_like(w), where=s > 0)
    raw = total[:, None] * share
    base = np.floor(raw).astype(np.int64)
    rem = total - base.sum(axis=1)
    order = np.argsort(-(raw - base), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(w.shape[1]), w.shape), axis=1)
    return base + (rank < rem[:, None])


@dataclass
class _Block:
    """Columns of one release as arrays, with the marker masks of each staff group."""

    values: dict  # name -> ndarray (int64 counts, float64 FTE, object text)
    group_of: dict  # staff column name -> (group source, is_fte)
    nd: dict  # group source -> bool mask (whole block 'ND')
    na_fte: dict  # group source -> bool mask (FTE columns 'NA')


def _real_roles(group) -> list[str]:
    """Roles that hold people (the GP headline measures are sums of these)."""
    return [r for r in group.roles if r not in _GP_HEADLINES]


def _staff_group(rng, group, patients, factor, years, persist, out: _Block) -> None:
    """Draw one staff group's block (role matrix, age bands, GP extras) into ``out``.

    ``persist`` holds a practice's own uniforms and normals for each role and sex, the same in
    every month of a series: headcount is the expected number of people rounded up with that
    uniform (so it moves only when the expectation crosses a threshold, not from month to
    month) and FTE per person is its own normal around the role's mean.
    """
    n = patients.size
    spec = _ROLE_SPEC[group.source]
    real = _real_roles(group)
    rate, per, female, growth = (np.array(x) for x in zip(
        *(spec.get(r, _DEFAULT_ROLE) for r in real), strict=True))
    lam = patients[:, None] / 1000 * rate * np.exp(growth * years) * factor[:, None] / per
    expected = lam[:, :, None] * np.stack([1 - female, female], axis=-1)  # (n, R, M/F)
    uniform, normal = persist
    hc = np.floor(expected + uniform).astype(np.int64)
    if group is _GP:  # every practice has at least one GP who is neither registrar nor locum
        core_idx = [i for i, r in enumerate(real)
                    if not r.startswith(("TRN_GR", "LOCUM"))]
        none = np.flatnonzero(hc[:, core_idx, :].sum(axis=(1, 2)) == 0)
        hc[none, real.index("PTNR_PROV"), (uniform[none, 0, 0] < 0.5).astype(int)] += 1
    each = np.clip(per[None, :, None] + 0.1 * normal, 0.1, 1.0)
    minutes = np.rint(hc * each * FTE_MINUTES).astype(np.int64)
    sexes = {"TOTAL": slice(None), "MALE": 0, "FEMALE": 1}
    label, prefix = group.label, group.prefix
    training = np.array([r.startswith("TRN_GR") for r in real])
    locum = np.array([r.startswith("LOCUM") for r in real])
    core = ~training & ~locum
    headline_keep = {"EXTG": ~training, "EXL": ~locum, "EXTGL": core}
    vals = out.values

    def by_sex(a, sex):
        return a.sum(axis=2) if sex == "TOTAL" else a[:, :, sexes[sex]]

    for measure, arr in (("HC", hc), ("FTE", minutes)):
        for sex in sexes:
            m = by_sex(arr, sex)
            conv = (lambda x: x / FTE_MINUTES) if measure == "FTE" else (lambda x: x)
            vals[f"{sex}_{label}_{measure}"] = conv(m.sum(axis=1))
            for role in group.roles:
                if role in headline_keep:
                    v = m[:, headline_keep[role]].sum(axis=1)
                else:
                    v = m[:, real.index(role)]
                vals[f"{sex}_{prefix}_{role}_{measure}"] = conv(v)
            if group is _GP:  # older releases: GPs excl. registrars, retainers and locums
                v = m[:, core].sum(axis=1) - m[:, real.index("RET")]
                vals[f"{sex}_GP_EXRRL_{measure}"] = conv(v)
    bands = _age_bands(group.first_age)
    cats = ({"core": core, "training": training, "locum": locum} if group is _GP
            else {"all": np.ones(len(real), bool)})
    probs = _GP_AGE if group is _GP else {"all": _OTHER_AGE[group.source]}
    by_cat = {}  # category -> (n, 2, bands)
    for cat, keep in cats.items():
        hc_cat = hc[:, keep, :].sum(axis=1)  # (n, 2)
        by_cat[cat] = np.stack([rng.multinomial(hc_cat[:, s], probs[cat]) for s in (0, 1)],
                               axis=1)
    age = sum(by_cat.values())

    def put_bands(stem, a):  # a: (n, 2, B)
        for sex in sexes:
            b = a.sum(axis=1) if sex == "TOTAL" else a[:, sexes[sex], :]
            for k, band in enumerate(bands):
                vals[f"{sex}_{stem}_{band}"] = b[:, k]

    put_bands(f"{label}_HC", age)
    fte_bands = _split(minutes.sum(axis=(1, 2)), age.sum(axis=1))
    for k, band in enumerate(bands):
        vals[f"TOTAL_{label}_FTE_{band}"] = fte_bands[:, k] / FTE_MINUTES
    if group is _GP:
        gp_sex = hc.sum(axis=1)  # (n, 2)
        coq = np.stack([rng.multinomial(gp_sex[:, s], _COQ_P) for s in (0, 1)], axis=1)
        for sex in sexes:
            b = coq.sum(axis=1) if sex == "TOTAL" else coq[:, sexes[sex], :]
            for k, area in enumerate(_COQ_AREAS):
                vals[f"{sex}_GP_HC_COQ_{area}"] = b[:, k]
        put_bands("GP_EXTG_HC", by_cat["core"] + by_cat["locum"])
        put_bands("GP_EXL_HC", by_cat["core"] + by_cat["training"])
        put_bands("GP_EXTGL_HC", by_cat["core"])
    # markers and the source flag
    p_nd, p_na = _MARKER_RATES[group.source]
    u = rng.random(n)
    out.nd[group.source] = u < p_nd
    out.na_fte[group.source] = (u >= p_nd) & (u < p_nd + p_na)
    flag = np.full(n, SOURCE_PROVIDED, dtype=object)
    flag[(u >= 0.9) & (u < 0.94)] = SOURCE_ESTIMATES
    flag[u >= 0.99] = SOURCE_ESTIMATED
    flag[out.na_fte[group.source]] = SOURCE_NO_FTE
    vals[f"{group.source}_SOURCE"] = flag


@lru_cache(maxsize=8)
def _persistent_draws(seed: int, size: int, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Each practice's own uniforms and normals for staff group ``g`` (role x sex), drawn once
    per series so a practice keeps its staffing from month to month."""
    prng = np.random.default_rng([seed, 2, g])
    shape = (size, len(_real_roles(_STAFF_GROUPS[g])), 2)
    return prng.random(shape), prng.standard_normal(shape)


def _release_columns(u: _Universe, month: int, seed: int, period: str) -> _Block:
    """Every column of the release for month index ``month`` of the universe, as arrays.

    ``period`` (``YYYY-MM``) sets the drift: rates are those of 2024-03 times
    ``exp(growth x years from 2024-03)``; the random draws depend on the seed and the period.
    """
    when = pd.Period(period, "M")
    rng = np.random.default_rng([seed, 1, when.ordinal])
    geo = _geography()
    open_now = np.flatnonzero((u.open_m <= month) & (u.close_m > month))
    n = open_now.size
    years = (when - pd.Period(DEFAULT_PERIOD, "M")).n / 12
    out = _Block(values={}, group_of={}, nd={}, na_fte={})
    v = out.values
    sub = u.sub[open_now]
    icb = geo.sub_icb[sub]
    region = geo.icb_region[icb]
    v.update({
        "PRAC_CODE": u.code[open_now], "PRAC_NAME": u.name[open_now],
        "PCN_CODE": u.pcn_code[open_now], "PCN_NAME": u.pcn_name[open_now],
        "SUB_ICB_CODE": geo.sub_code[sub], "SUB_ICB_NAME": geo.sub_name[sub],
        "ICB_CODE": geo.icb_code[icb], "ICB_NAME": geo.icb_name[icb],
        "REGION_CODE": region, "REGION_NAME": np.vectorize(REGIONS.get, otypes=[object])(region),
    })
    # older releases (before July 2022): CCG / STP / commissioning region
    v.update({
        "CCG_CODE": v["SUB_ICB_CODE"], "CCG_NAME": np.char.replace(
            geo.sub_name[sub].astype(str), " ICB - ", " CCG ").astype(object),
        "STP_CODE": geo.stp_code[icb], "STP_NAME": geo.icb_name[icb],
        "COMM_REGION_CODE": region, "COMM_REGION_NAME": np.char.upper(
            v["REGION_NAME"].astype(str)).astype(object),
    })
    patients = np.rint(u.patients[open_now] * np.exp(0.012 * years)
                       * rng.normal(1.0, 0.004, n)).astype(np.int64)
    patients = np.clip(patients, 1000, 40000)
    unknown = np.where(rng.random(n) < 0.05, rng.integers(1, 4, n), 0)
    male = np.rint((patients - unknown) * rng.uniform(0.48, 0.51, n)).astype(np.int64)
    female = patients - unknown - male
    profile = _PATIENT_P * rng.lognormal(0.0, 0.25, (n, len(_PATIENT_P)))
    profile /= profile.sum(axis=1, keepdims=True)
    v.update({"TOTAL_PATIENTS": patients, "TOTAL_MALE": male, "TOTAL_FEMALE": female,
              "TOTAL_UNKNOWN_GENDER": unknown})
    for sex, total in (("MALE", male), ("FEMALE", female)):
        split = rng.multinomial(total, profile)
        for k, band in enumerate(_PATIENT_BANDS):
            v[f"{sex}_PATIENTS_{band}"] = split[:, k]
    for g, group in enumerate(_STAFF_GROUPS):
        before = set(v)
        uniform, normal = _persistent_draws(seed, u.code.size, g)
        persist = (uniform[open_now], normal[open_now])
        _staff_group(rng, group, patients, u.factor[open_now, g], years, persist, out)
        for name in set(v) - before:
            if not name.endswith("_SOURCE"):
                out.group_of[_PUBLISHED_AS.get(name, name)] = (group.source,
                                                                "FTE" in name.split("_"))
    for rule, published in _PUBLISHED_AS.items():
        v[published] = v.pop(rule)
    return out


# --------------------------------------------------------------------------------------------
# Writing CSV text fast: every column to Arrow text, markers, quoting, one join per row
# --------------------------------------------------------------------------------------------
def _csv_text(a: pa.Array) -> pa.Array:
    """Quote text that needs it (comma, quote, line break), doubling inner quotes."""
    needs = pc.match_substring_regex(a, r'[",\r\n]')
    if not pc.any(needs).as_py():
        return a
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(a, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, a)


def _as_text(values: np.ndarray) -> pa.Array:
    if values.dtype == object:
        return _csv_text(pa.array(values, type=pa.string()))
    return pc.cast(pa.array(values), pa.string())


def _write_csv(path: Path, block: _Block, fields: list[str]) -> Path:
    """Write the columns ``fields`` of ``block`` as CSV (atomic: temporary name, then rename)."""
    missing = [f for f in fields if f not in block.values]
    if missing:
        raise RuntimeError(f"generator has no column {missing[0]!r}")
    nd_text, na_text = pa.scalar("ND"), pa.scalar("NA")
    cols = []
    for f in fields:
        text = _as_text(block.values[f])
        grp = block.group_of.get(f)
        if f.endswith("_SOURCE"):
            grp = (f.removesuffix("_SOURCE"), False)
        if grp is not None:
            source, is_fte = grp
            if is_fte:
                text = pc.if_else(pa.array(block.na_fte[source]), na_text, text)
            text = pc.if_else(pa.array(block.nd[source]), nd_text, text)
        cols.append(text)
    rows = pc.binary_join_element_wise(*cols, ",")
    rows = pc.binary_join_element_wise(rows, "", "\n")  # each row ends with a newline
    if rows.null_count:
        raise RuntimeError("generator produced a missing value")
    _, offset_buf, body = rows.buffers()
    offsets = np.frombuffer(offset_buf, dtype=np.int32)[rows.offset:rows.offset + len(rows) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    path = Path(path)
    with atomic_open(path) as fh:
        fh.write((",".join(fields) + "\n").encode())
        fh.write(memoryview(body)[start:end])
    return path


def _fields(old_format: bool, columns: str) -> list[str]:
    if columns not in ("all", "tables"):
        raise ValueError(f"columns must be 'all' or 'tables', not {columns!r}")
    if not old_format:
        return list(gpw_fields.current_fields()) if columns == "all" else list(TABLE_FIELDS)
    old = gpw_fields.old_fields()
    if columns == "all":
        return old
    to_old = {cur: o for o, cur in gpw_fields.OLD_TO_CURRENT.items()}
    keep = {to_old.get(f, f) for f in TABLE_FIELDS} - {"TOTAL_GP_EXTGL_FTE", "TOTAL_GP_RET_FTE"}
    return [f for f in old if f in keep or f == "TOTAL_GP_EXRRL_FTE"]


def release_name(period: str) -> str:
    """File name of the release for a month: ``gpw_practice_level_detailed_YYYY-MM.csv``."""
    return f"gpw_practice_level_detailed_{pd.Period(period, 'M')}.csv"


def write_england_release(path, n_practices: int = 6500, seed: int = DEFAULT_SEED,
                          period: str = DEFAULT_PERIOD, old_format: bool = False,
                          columns: str = "all") -> Path:
    """Write an England-sized GPW practice-level detailed CSV.

    Parameters
    ----------
    path : str or Path
        File to write (written under a temporary name, then renamed).
    n_practices : int
        Rows (practices) in the file.
    seed : int
        Random seed: the same seed, size and period give a byte-identical file.
    period : str
        The month the release describes (``YYYY-MM``); staffing drifts with it (see
        :func:`write_monthly_series`), the anchor being 2024-03.
    old_format : bool
        Write the pre-July 2022 column set (:func:`analysis.io.gpw_fields.old_fields`).
    columns : {'all', 'tables'}
        All 805 columns (806 in the older set), or only :data:`TABLE_FIELDS`.

    Returns
    -------
    Path
        The file written.
    """
    u = _universe(int(n_practices), int(seed), 1)
    block = _release_columns(u, 0, int(seed), str(pd.Period(period, "M")))
    return _write_csv(Path(path), block, _fields(old_format, columns))


def _series_periods(end: str, months: int) -> list[str]:
    last = pd.Period(end, "M")
    return [str(last - (months - 1 - m)) for m in range(months)]


def _write_months(folder: str, n: int, seed: int, months: int, end: str, columns: str,
                  which: list[int], cache_dir: str | None) -> list[str]:
    """Worker: write the releases for month indices ``which`` (and their caches)."""
    u = _universe(n, seed, months)
    periods = _series_periods(end, months)
    fields = _fields(False, columns)
    written = []
    for m in which:
        block = _release_columns(u, m, seed, periods[m])
        path = _write_csv(Path(folder) / release_name(periods[m]), block, fields)
        if cache_dir is not None:
            build_cache(path, cache_dir)
        written.append(str(path))
    return written


def write_monthly_series(folder, years: int = 10, n_practices: int = 6500,
                         seed: int = DEFAULT_SEED, end: str = DEFAULT_PERIOD,
                         columns: str = "tables", months: int | None = None,
                         workers: int | None = None, cache_dir=None) -> list[Path]:
    """Write one GPW release per month for a ten-year series (120 files by default).

    Parameters
    ----------
    folder : str or Path
        Where to write ``gpw_practice_level_detailed_YYYY-MM.csv`` files.
    years : int
        Length of the series; ignored when ``months`` is given.
    n_practices : int
        Practices open in the last month. Earlier months have more: about 2.2% of practices
        close or merge a year and 0.3% open (new codes start with Y), so a ten-year series
        starts near 1.19 x ``n_practices``, as England went from about 7,700 to 6,500.
    seed : int
        Random seed; the same arguments give byte-identical files.
    end : str
        Last month (``YYYY-MM``).
    columns : {'tables', 'all'}
        ``'tables'`` (default) writes only :data:`TABLE_FIELDS` (27 columns, about 2 MB a
        month at England size), which is all the reader, the tables and the bench need.
        ``'all'`` writes all 805 columns: about 25 MB a month, 3 GB for ten years. The values
        of the columns written are the same either way.
    months : int, optional
        Number of months, overriding ``years``.
    workers : int, optional
        Processes to write with; default one per core (at most 4) when there are 12 months or
        more, else 1 (in this process).
    cache_dir : str or Path, optional
        Also build each release's Parquet cache here (:func:`build_cache`).

    Returns
    -------
    list of Path
        The files, oldest first.
    """
    months = int(months if months is not None else years * 12)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _fields(False, columns)  # validate early
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if months >= 12 else 1
    workers = max(1, min(int(workers), months))
    cache = None if cache_dir is None else str(cache_dir)
    args = (str(folder), int(n_practices), int(seed), months, end, columns)
    if workers == 1:
        paths = _write_months(*args, list(range(months)), cache)
    else:
        chunks = [list(range(w, months, workers)) for w in range(workers)]
        # fork: workers need nothing from __main__ (so this works from notebooks and stdin);
        # Arrow re-initialises its thread pools after a fork.
        method = "fork" if "fork" in get_all_start_methods() else None
        with ProcessPoolExecutor(workers, mp_context=get_context(method)) as pool:
            done = list(pool.map(_write_months, *zip(*[(*args, c, cache) for c in chunks],
                                                     strict=True)))
        paths = sorted(p for part in done for p in part)
    return [Path(p) for p in paths]


# --------------------------------------------------------------------------------------------
# Parquet cache of what the project reader returns
# --------------------------------------------------------------------------------------------
CACHE_VERSION = 1
CACHE_DIR = DATA_PROCESSED / "cache"
"""Default cache folder: ``data/processed/cache/`` (shared with :mod:`analysis.util.cache`, whose
entries are named differently; ``make clean`` removes it)."""


def file_sha256(path) -> str:
    """Hex sha256 of a file's bytes (:func:`analysis.util.provenance.sha256`)."""
    from analysis.util.provenance import sha256

    return sha256(path)


def cache_path(csv_path, cache_dir=CACHE_DIR) -> Path:
    """Where the cache of ``csv_path`` lives: ``<cache_dir>/<stem>.<path hash>.gpw.parquet``.

    The short hash of the CSV's absolute path keeps two files of the same name apart.
    """
    p = Path(csv_path).resolve()
    tag = hashlib.sha256(str(p).encode()).hexdigest()[:10]
    return Path(cache_dir) / f"{p.stem}.{tag}.gpw.parquet"


def _cache_meta(path: Path) -> dict | None:
    return read_frame_meta(path)


def cache_status(csv_path, cache_dir=CACHE_DIR, columns: list[str] | None = None) -> str:
    """``'fresh'``, or why the cache cannot be used (``'missing'``, ``'older than the CSV'``,
    ``'unreadable'``, ``'other columns'``, ``'CSV changed (sha256)'``)."""
    csv_path = Path(csv_path)
    out = cache_path(csv_path, cache_dir)
    if not out.exists():
        return "missing"
    if out.stat().st_mtime_ns < csv_path.stat().st_mtime_ns:
        return "older than the CSV"
    meta = _cache_meta(out)
    if meta is None or meta.get("version") != CACHE_VERSION:
        return "unreadable"
    if meta.get("columns") != (list(columns) if columns else None):
        return "other columns"
    if meta.get("sha256") != file_sha256(csv_path):
        return "CSV changed (sha256)"
    return "fresh"


def _build(csv_path: Path, cache_dir, columns) -> tuple[pd.DataFrame, Path]:
    before = csv_path.stat()
    digest = file_sha256(csv_path)
    df = read_gpw_practice_csv(csv_path, columns)
    after = csv_path.stat()
    if (after.st_mtime_ns, after.st_size) != (before.st_mtime_ns, before.st_size):
        # changed while being read: do not record a hash that may not match what was read
        raise GPWorkforceError(f"{csv_path.name}: file changed while it was being read; "
                               "expected it to stay the same, try again")
    csv_mtime = before.st_mtime_ns
    meta = {"version": CACHE_VERSION, "sha256": digest, "source": str(csv_path.resolve()),
            "columns": list(columns) if columns else None,
            "format": df.attrs.get("format"), "rows": len(df),
            "attrs": {k: v for k, v in df.attrs.items() if k in ("source", "period")}}
    out = write_frame(cache_path(csv_path, cache_dir), df, meta, compression="zstd")
    # never older than the CSV it was made from, even if the CSV's clock ran ahead
    stamp = max(out.stat().st_mtime_ns, csv_mtime)
    os.utime(out, ns=(stamp, stamp))
    return df, out


def build_cache(csv_path, cache_dir=CACHE_DIR, columns: list[str] | None = None) -> Path:
    """Read a GPW release with :func:`analysis.io.readers.read_gpw_practice_csv` and cache it.

    Parameters
    ----------
    csv_path : str or Path
        The release (current or older format).
    cache_dir : str or Path
        Folder of the cache, ``data/processed/cache/`` by default (``make clean`` removes it).
    columns : list of str, optional
        Passed to the reader (default: the columns the tables need).

    Returns
    -------
    Path
        The Parquet file (zstd), written by :func:`analysis.util.cache.write_frame` (atomic,
        with the frame's checksum, verified on read). Its ``meta`` records the CSV's sha256,
        path, the columns asked for and the release format; its modification time is never
        earlier than the CSV's.
        Reader errors (:class:`analysis.util.errors.InputError`) pass through and leave any earlier
        cache untouched.
    """
    return _build(Path(csv_path), cache_dir, columns)[1]


def read_cached(csv_path, cache_dir=CACHE_DIR, columns: list[str] | None = None,
                ) -> pd.DataFrame:
    """The reader's frame for ``csv_path``, from the Parquet cache when it is fresh.

    The cache is used when it is at least as new as the CSV and the sha256 recorded in it
    matches the CSV's bytes (and was made for the same ``columns``); otherwise the CSV is read
    again and the cache rebuilt. Either way the frame equals
    ``read_gpw_practice_csv(csv_path, columns)``: same values, dtypes, index and ``attrs``.
    """
    csv_path = Path(csv_path)
    if cache_status(csv_path, cache_dir, columns) == "fresh":
        got = read_frame(cache_path(csv_path, cache_dir))
        if got is not None:
            df, meta = got
            df.attrs.clear()
            df.attrs.update(format=meta.get("format"), path=str(csv_path),
                            **(meta.get("attrs") or {}))
            return df
    return _build(csv_path, cache_dir, columns)[0]


# --------------------------------------------------------------------------------------------
# Tables for every area, series pass
# --------------------------------------------------------------------------------------------
def england_areas(gpw: pd.DataFrame) -> list[tuple[str, list[str] | None]]:
    """Every sub-ICB location in the release (by code) and England (all practices)."""
    codes = sorted(gpw["SUB_ICB_CODE"].dropna().unique())
    return [(c, [c]) for c in codes] + [("England", None)]


def _tables(gpw: pd.DataFrame):
    return role_indicators(gpw, england_areas(gpw))


def _gp_fte_per_1000(gpw: pd.DataFrame) -> float:
    valid = gpw["TOTAL_GP_FTE"].notna() & gpw["TOTAL_PATIENTS"].notna()
    return float(gpw.loc[valid, "TOTAL_GP_FTE"].sum() / gpw.loc[valid, "TOTAL_PATIENTS"].sum()
                 * 1000)


def series_pass(files, cache_dir) -> pd.DataFrame:
    """England GP FTE per 1,000 patients (all GPs, and excluding registrars, retainers and
    locums) for each release, read through the Parquet cache."""
    rows = []
    for f in files:
        gpw = read_cached(f, cache_dir)
        eng = role_indicators(gpw, [("England", None)]).fte_per_1000.iloc[0]
        rows.append({"period": Path(f).stem.rsplit("_", 1)[-1], "practices": len(gpw),
                     "gp_fte_per_1000": _gp_fte_per_1000(gpw),
                     "gp_exrrl_fte_per_1000": float(eng["gp_excl_registrars_retainers_locums"])})
    return pd.DataFrame(rows)


def store_query(store) -> pd.DataFrame:
    """GP FTE per 1,000 patients for every sub-ICB location and month of a series store: one
    duckdb query over the partitioned Parquet (the trends chapter's engine)."""
    con = connect(store)
    try:
        return query(con, "SELECT period, sub_icb_code, sum(gp_fte) AS gp_fte, sum(patients) AS "
                          "patients, sum(gp_fte) / sum(patients) * 1000 AS gp_fte_per_1000 "
                          "FROM practice GROUP BY ALL ORDER BY period, sub_icb_code")
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------------
_STEPS = {
    "floor": "floor: pandas.read_csv(path), all columns",
    "floor_usecols": "pandas.read_csv(path, usecols=the reader's columns)",
    "reader": "project reader (read_gpw_practice_csv)",
    "floor_pyarrow": "pandas.read_csv(path, engine='pyarrow'), all columns",
    "pyarrow_usecols": "pandas.read_csv engine='pyarrow', reader's columns as text",
    "tables": "reader + role_indicators (every sub-ICB + England)",
    "cache_cold": "Parquet cache miss: reader + write cache + tables",
    "cache_hit": "Parquet cache hit alone (sha256 check + read)",
    "cache_warm": "Parquet cache hit (sha256 check) + tables",
    "series_cold": "series: every month, cache miss + England GP FTE/1,000",
    "series_warm": "series: every month, cache hit + England GP FTE/1,000",
    "store_build": "series store: every month to partitioned Parquet",
    "store_query": "series store: duckdb GP FTE/1,000 by sub-ICB and month",
}


def _proc_status_kib(field: str) -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def _start_peak() -> float:
    """Reset the resident-memory high-water mark (Linux) and return the RSS now, in KiB.

    Without the reset the peak would include the transient peak of importing pandas and
    pyarrow, which can hide a small step. Where /proc is absent, the process's ``ru_maxrss``
    (peak since start) is used instead.
    """
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    now = _proc_status_kib("VmRSS")
    return now if now is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib() -> float:
    peak = _proc_status_kib("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _measure_child(kind: str, csv: Path, cache_dir: Path, series_dir: Path) -> dict:
    """Run one measured step in this (fresh) process; time and peak RSS of that step only."""
    files = sorted(series_dir.glob("gpw_practice_level_detailed_*.csv")) if kind.startswith(
        "series") else []
    if kind == "cache_cold":
        remove_frame(cache_path(csv, cache_dir))
    if kind == "store_build":
        shutil.rmtree(cache_dir / "series-store", ignore_errors=True)
    if kind == "series_cold":
        for f in files:
            remove_frame(cache_path(f, cache_dir))
    if kind in ("cache_hit", "cache_warm") and cache_status(csv, cache_dir) != "fresh":
        raise GPWorkforceError(f"{kind} needs a fresh cache: run cache_cold first")
    if kind == "series_warm" and any(cache_status(f, cache_dir) != "fresh" for f in files):
        raise GPWorkforceError("series_warm needs fresh caches: run series_cold first")
    usecols = None
    if kind in ("pyarrow_usecols", "floor_usecols"):
        usecols = [c for c in TABLE_FIELDS if c not in ("PCN_CODE", "PCN_NAME", "REGION_CODE",
                                                        "REGION_NAME")]
    before = _start_peak()
    extra: dict = {}
    t0 = time.perf_counter()
    if kind == "floor":
        rows = len(pd.read_csv(csv))
    elif kind == "floor_usecols":
        rows = len(pd.read_csv(csv, usecols=usecols))
    elif kind == "floor_pyarrow":
        rows = len(pd.read_csv(csv, engine="pyarrow"))
    elif kind == "pyarrow_usecols":
        rows = len(pd.read_csv(csv, engine="pyarrow", usecols=usecols, dtype=str,
                               keep_default_na=False))
    elif kind == "reader":
        rows = len(read_gpw_practice_csv(csv))
    elif kind == "tables":
        gpw = read_gpw_practice_csv(csv)
        rows, _ = len(gpw), _tables(gpw)
    elif kind == "cache_hit":
        rows = len(read_cached(csv, cache_dir))
    elif kind in ("cache_cold", "cache_warm"):
        gpw = read_cached(csv, cache_dir)
        rows, _ = len(gpw), _tables(gpw)
    elif kind == "store_build":
        store = build_store(series_dir, cache_dir / "series-store")
        rows = int(store.releases["rows"].sum())
    elif kind == "store_query":
        store = open_store(cache_dir / "series-store")
        rows, _ = int(store.releases["rows"].sum()), store_query(store)
    elif kind in ("series_cold", "series_warm"):
        s = series_pass(files, cache_dir)
        rows = int(s["practices"].sum())
        extra = {"series": s.round(4).to_dict(orient="list")}
    else:
        raise ValueError(f"unknown benchmark step {kind!r}")
    seconds = time.perf_counter() - t0
    peak = _peak_kib()
    return {"kind": kind, "seconds": seconds, "rows": rows, "peak_rss_mib": peak / 1024,
            "before_mib": before / 1024, "step_mib": max(0, peak - before) / 1024, **extra}


# One benchmark step in a new process: the step's arguments come as argv, its figures go out as
# one line of JSON. Only this module is imported, so the baseline memory is the reader's own.
_CHILD = ("import json, sys; from pathlib import Path; "
          "from analysis.demo.national import _measure_child; "
          "print(json.dumps(_measure_child(sys.argv[1], *map(Path, sys.argv[2:5])), default=str))")


def _measure(kind: str, csv: Path, cache_dir: Path, series_dir: Path, repeat: int) -> dict:
    """Run a step ``repeat`` times, each in a new Python process; best time, largest peak."""
    runs = []
    for _ in range(max(1, repeat)):
        cmd = [sys.executable, "-c", _CHILD, kind, str(csv), str(cache_dir), str(series_dir)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"benchmark step {kind} failed:\n{done.stderr[-2000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    best = {**best, "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
            "step_mib": max(r["step_mib"] for r in runs), "runs": len(runs),
            "all_seconds": [round(r["seconds"], 4) for r in runs]}
    best["rows_per_s"] = best["rows"] / best["seconds"] if best["seconds"] > 0 else float("inf")
    return best


def bench(n_practices: int = 6500, months: int = 120, tmp_dir=None, repeat: int = 3,
          seed: int = DEFAULT_SEED, keep: bool = False, echo: bool = True) -> dict:
    """Benchmark reading, cleaning and tables at England scale against the pandas floor.

    Writes an England release (all 805 columns) and a ``months``-long series (table columns)
    in ``tmp_dir`` (a new temporary folder by default, removed afterwards unless ``keep``),
    then measures each step of :data:`_STEPS` in its own Python process, ``repeat`` times
    (the series steps at most twice): the best time and the largest peak resident memory
    (``ru_maxrss``) of the process, and its rise during the step.

    Returns
    -------
    dict
        ``machine``, ``n_practices``, ``months``, ``file_mb``, ``write_seconds``,
        ``series_write_seconds``, ``steps`` (kind -> measures, with ``rows_per_s``) and
        ``reader_vs_floor`` (reader rows/s divided by floor rows/s; above 1 is faster than the
        floor). Prints a table when ``echo``.
    """
    tmp = Path(tmp_dir) if tmp_dir else Path(tempfile.mkdtemp(prefix="gpw-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    csv = tmp / release_name(DEFAULT_PERIOD).replace("detailed_", "detailed_england_")
    cache_dir, series_dir = tmp / "cache", tmp / "series"
    try:
        t0 = time.perf_counter()
        write_england_release(csv, n_practices, seed)
        write_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        files = write_monthly_series(series_dir, n_practices=n_practices, seed=seed,
                                     months=months)
        series_write_s = time.perf_counter() - t0
        steps = {}
        for kind in _STEPS:
            n = min(repeat, 2) if kind.startswith(("series", "store")) else repeat
            if echo:
                print(f"  measuring {kind} ({n} run{'s' if n > 1 else ''}) ...", flush=True)
            steps[kind] = _measure(kind, csv, cache_dir, series_dir, n)
        result = {
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                        "pandas": pd.__version__, "pyarrow": pa.__version__,
                        "numpy": np.__version__, "platform": platform.platform()},
            "n_practices": n_practices, "columns": len(gpw_fields.current_fields()),
            "months": months, "file_mb": csv.stat().st_size / 1e6,
            "series_mb": sum(f.stat().st_size for f in files) / 1e6,
            "cache_mb": cache_path(csv, cache_dir).stat().st_size / 1e6,
            "write_seconds": write_s, "series_write_seconds": series_write_s,
            "steps": steps,
            "reader_vs_floor": steps["reader"]["rows_per_s"] / steps["floor"]["rows_per_s"],
            "reader_vs_floor_usecols": (steps["reader"]["rows_per_s"]
                                        / steps["floor_usecols"]["rows_per_s"]),
        }
        # what the same series would take with all 805 columns (size scales with rows)
        result["full_series_gb_estimate"] = (result["file_mb"] / n_practices
                                             * steps["series_warm"]["rows"] / 1e3)
    finally:
        if not keep and tmp_dir is None:
            shutil.rmtree(tmp, ignore_errors=True)
    if echo:
        print(format_bench(result))
    return result


def format_bench(r: dict) -> str:
    """The benchmark as a plain-text table."""
    lines = [
        f"National scale: {r['n_practices']:,} practices x {r['columns']} columns "
        f"({r['file_mb']:.1f} MB CSV, Parquet cache {r['cache_mb']:.2f} MB); "
        f"series {r['months']} months ({r['series_mb']:.0f} MB, table columns)",
        f"machine: {r['machine']['cores']} cores, Python {r['machine']['python']}, "
        f"pandas {r['machine']['pandas']}, pyarrow {r['machine']['pyarrow']}",
        f"write England release: {r['write_seconds']:.2f} s; write series: "
        f"{r['series_write_seconds']:.1f} s (all 805 columns would take about "
        f"{r.get('full_series_gb_estimate', float('nan')):.1f} GB)",
        "",
        f"{'step':<58} {'seconds':>8} {'rows/s':>11} {'peak MiB':>9} {'step MiB':>9}",
    ]
    for kind, s in r["steps"].items():
        lines.append(f"{_STEPS[kind]:<58} {s['seconds']:>8.3f} {s['rows_per_s']:>11,.0f} "
                     f"{s['peak_rss_mib']:>9.0f} {s['step_mib']:>9.0f}")
    floor, reader = r["steps"]["floor"], r["steps"]["reader"]
    lines += [
        "",
        f"reader vs floor: {r['reader_vs_floor']:.2f} x the floor's rows/s "
        f"({reader['seconds']:.3f} s vs {floor['seconds']:.3f} s); peak memory "
        f"{reader['peak_rss_mib']:.0f} MiB vs {floor['peak_rss_mib']:.0f} MiB "
        f"(+{reader['step_mib']:.0f} vs +{floor['step_mib']:.0f} MiB during the read)",
    ]
    if "reader_vs_floor_usecols" in r:
        lines.append(f"reader vs pandas.read_csv of the reader's columns: "
                     f"{r['reader_vs_floor_usecols']:.2f} x ({reader['seconds']:.3f} s vs "
                     f"{r['steps']['floor_usecols']['seconds']:.3f} s)")
    series = r["steps"]["series_warm"].get("series")
    if series:
        lines.append(f"England GP FTE per 1,000 patients: {series['period'][0]} "
                     f"{series['gp_fte_per_1000'][0]:.3f} -> {series['period'][-1]} "
                     f"{series['gp_fte_per_1000'][-1]:.3f} ({series['practices'][0]:,} -> "
                     f"{series['practices'][-1]:,} practices)")
    return "\n".join(lines)
