"""Areas from the data: the practice -> PCN -> sub-ICB -> ICB -> region hierarchy of a snapshot
(practice -> CCG -> STP -> region before July 2022), and what a user types resolved to an area.

An area's membership is read from the files of the date in question, never from a fixed list:
CCGs merged in 2020-2021, sub-ICB locations moved between ICBs in 2022 and ICBs merged again in
2026. The building blocks:

* :func:`hierarchy` -> :class:`Hierarchy`, one snapshot of one source, from a frame in the
  standard column names; a practice with two parents in one snapshot is an error;
* :func:`combine`, the sources of one period checked against each other (disagreements listed,
  :meth:`Combined.check` raises one line when any);
* :func:`find_area`, a code, a name or a slug (``QHL``, ``birmingham and solihull``,
  ``birmingham-and-solihull-icb``) or an alias from ``config/config.yaml`` -> :class:`AreaMatch`;
  :func:`cluster`, a named group of practices;
* :func:`follow_practices`, an area followed by practice code across reorganisations;
* :func:`mapping_frame`, a practice-to-area mapping file as a frame in the standard names.

How areas are found, and the reorganisation rule, are described in ``docs/areas.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.io import patients
from analysis.io.archive import pick
from analysis.io.arrowcsv import check_text, read_text
from analysis.io.gpw import GEOGRAPHY
from analysis.tables.area_names import (
    PREFERENCE,
    core_name,
    did_you_mean,
    kind_label,
    normalise,
    shorten,
)
from analysis.util.errors import ConfigError, InputError

# Kinds of area, practices first; the chains since and before July 2022 (a frame may hold both).
KINDS = ("practice", "pcn", "sub_icb", "icb", "region", "ccg", "stp")
NEW_CHAIN = ("practice", "pcn", "sub_icb", "icb", "region")
OLD_CHAIN = ("practice", "ccg", "stp", "region")
# One parent per child along these links (a PCN may straddle sub-ICB boundaries: not checked).
TREE = {"sub_icb": ("icb", "region"), "icb": ("region",), "ccg": ("stp", "region"),
        "stp": ("region",)}
MAX_SHOWN = 3


# Hierarchy -----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Hierarchy:
    """The areas of one snapshot of one source.

    Attributes
    ----------
    table : DataFrame
        One row per unit (a practice, or the lowest kind the source has), one ``<kind>_code``
        column per kind, deduplicated and sorted.
    names : mapping
        kind -> code -> name (the most frequent spelling in the source; blank when it has none).
    period : str or None
        ``YYYY-MM`` of the snapshot.
    source : str
        The file (or label) the frame was read from, for messages.
    """

    table: pd.DataFrame
    names: Mapping[str, Mapping[str, str]]
    period: str | None
    source: str

    def levels(self) -> tuple[str, ...]:
        """The kinds of area this source has, in :data:`KINDS` order."""
        return tuple(k for k in KINDS if f"{k}_code" in self.table.columns)

    def _need(self, kind: str) -> None:
        if kind not in self.levels():
            raise ConfigError(f"{self.source}: no {kind_label(kind)} level (it has: "
                              f"{', '.join(kind_label(k) for k in self.levels())})")

    def areas(self, kind: str) -> pd.DataFrame:
        """Areas of ``kind``: columns code, name, n_practices (0 without a practice level)."""
        self._need(kind)
        col = f"{kind}_code"
        if "practice_code" in self.table.columns:
            counts = self.table.groupby(col)["practice_code"].nunique()
        else:
            counts = pd.Series(0, index=pd.Index(self.table[col].unique()))
        codes = sorted(counts.index)
        return pd.DataFrame({
            "code": codes,
            "name": [self.names[kind].get(c, "") for c in codes],
            "n_practices": [int(counts[c]) for c in codes],
        })

    def has(self, kind: str, code: str) -> bool:
        """Whether ``code`` is an area of ``kind`` here (exact code)."""
        return kind in self.levels() and code in self.names[kind]

    def name(self, kind: str, code: str) -> str:
        """The name of an area (blank when the source gives none)."""
        return self.names.get(kind, {}).get(code, "")

    def practices(self, kind: str, code: str) -> tuple[str, ...]:
        """Sorted practice codes of the area ``kind`` ``code``."""
        self._need("practice")
        self._need(kind)
        if not self.has(kind, code):
            raise ConfigError(f"{self.source}: no {kind_label(kind)} {shorten(code)!r}")
        rows = self.table[self.table[f"{kind}_code"] == code]
        return tuple(sorted(rows["practice_code"].unique()))

    def parent(self, kind: str, code: str) -> tuple[str, str] | None:
        """(kind, code) of the area one level up, or None at the top.

        A PCN whose practices lie in several sub-ICB locations has no single parent: one-line
        :class:`ConfigError` naming them.
        """
        self._need(kind)
        if not self.has(kind, code):
            raise ConfigError(f"{self.source}: no {kind_label(kind)} {shorten(code)!r}")
        levels = self.levels()
        for chain in (NEW_CHAIN, OLD_CHAIN):
            if kind not in chain:
                continue
            above = [k for k in chain[chain.index(kind) + 1:] if k in levels]
            if not above:
                continue
            up = above[0]
            found = sorted(self.table.loc[self.table[f"{kind}_code"] == code, f"{up}_code"]
                           .unique())
            if len(found) > 1:
                raise ConfigError(f"{self.source}: {kind_label(kind)} {code} has no single parent: "
                                  f"its practices are in {kind_label(up)}s {', '.join(found)}")
            return up, found[0]
        return None


def _clean(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip()


def hierarchy(frame: pd.DataFrame, period: str | None = None,
              source: str | None = None) -> Hierarchy:
    """A :class:`Hierarchy` from a frame in the standard column names.

    Parameters
    ----------
    frame : DataFrame
        Any of ``<kind>_code`` / ``<kind>_name`` for the kinds in :data:`KINDS`; other columns
        are ignored. One row per practice (or per person, per post: duplicates are fine).
    period, source : str, optional
        Default ``frame.attrs['period']`` and ``frame.attrs['source']``.

    Raises
    ------
    InputError
        No code column; a blank code; a unit (practice) with two parents of one kind, or a
        sub-ICB (CCG, ICB, STP) with two parents, in one line naming both parents and the source.
    """
    source = str(source or frame.attrs.get("source") or "frame")
    period = period if period is not None else frame.attrs.get("period")
    kinds = [k for k in KINDS if f"{k}_code" in frame.columns]
    if not kinds:
        raise InputError(source, "no area code column (expected any of: "
                         f"{', '.join(k + '_code' for k in KINDS)})")
    unit = kinds[0]
    codes = pd.DataFrame({f"{k}_code": _clean(frame[f"{k}_code"]) for k in kinds})
    for k in kinds:
        blank = codes[f"{k}_code"] == ""
        if blank.any():
            pos = int(blank.to_numpy().argmax())
            who = "" if k == unit else f" for {kind_label(unit)} {codes.iloc[pos][f'{unit}_code']}"
            raise InputError(source, f"blank {k}_code{who} (data row {pos + 1}); expected a "
                             "code", column=f"{k}_code")
    table = codes.drop_duplicates()
    links = [(unit, k) for k in kinds[1:]]
    links += [(child, up) for child, ups in TREE.items() if child in kinds and child != unit
              for up in ups if up in kinds]
    for child, up in links:
        pairs = table[[f"{child}_code", f"{up}_code"]].drop_duplicates()
        twice = pairs[pairs[f"{child}_code"].duplicated(keep=False)]
        if len(twice):
            first = twice.iloc[0][f"{child}_code"]
            parents = sorted(twice.loc[twice[f"{child}_code"] == first, f"{up}_code"])
            more = twice[f"{child}_code"].nunique() - 1
            extra = f" (and {more} more {kind_label(child)}s)" if more else ""
            raise InputError(source, f"{kind_label(child)} {first} is in {len(parents)} "
                             f"{kind_label(up)}s{_when(period)}: {' and '.join(parents)}; expected "
                             f"one{extra}")
    table = table.sort_values(list(table.columns), ignore_index=True)
    names: dict[str, dict[str, str]] = {}
    for k in kinds:
        if f"{k}_name" in frame.columns:
            pairs = pd.DataFrame({"code": codes[f"{k}_code"],
                                  "name": _clean(frame[f"{k}_name"]).str.split().str.join(" ")})
            pairs = pairs[pairs["name"] != ""]
            counts = pairs.value_counts(sort=False).reset_index(name="n")
            counts = counts.sort_values(["code", "n", "name"], ascending=[True, False, True])
            named = dict(zip(counts.drop_duplicates("code")["code"],
                             counts.drop_duplicates("code")["name"], strict=True))
        else:
            named = {}
        names[k] = {c: named.get(c, "") for c in sorted(table[f"{k}_code"].unique())}
    return Hierarchy(table, names, period, source)


def _when(period) -> str:
    return f" in {period}" if period else ""


# Several sources of one period ---------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Combined:
    """Hierarchies of several sources checked against each other, period by period.

    Attributes
    ----------
    hierarchies : tuple of Hierarchy
    disagreements : DataFrame
        period, practice_code, kind, source_a, code_a, source_b, code_b: a practice mapped to
        different areas of one kind by two sources of the same period.
    one_source : DataFrame
        period, practice_code, source: practices only one of a period's sources has (listed,
        not an error: a practice closed or opened between two extracts of the same month).
    """

    hierarchies: tuple[Hierarchy, ...]
    disagreements: pd.DataFrame
    one_source: pd.DataFrame

    def check(self) -> Combined:
        """Self when the sources agree; else one-line :class:`InputError` (the run stops)."""
        check_agreement(self.disagreements)
        return self


def combine(*hierarchies: Hierarchy) -> Combined:
    """Compare the sources of each period: practice by practice, kind by kind.

    Parameters
    ----------
    *hierarchies : Hierarchy
        Any number, of any periods; only those of the same period are compared.

    Returns
    -------
    Combined
        :meth:`Combined.check` stops on any disagreement.
    """
    rows, alone = [], []
    by_period: dict[str | None, list[Hierarchy]] = {}
    for h in hierarchies:
        by_period.setdefault(h.period, []).append(h)
    for period, group in by_period.items():
        with_practices = [h for h in group if "practice" in h.levels()]
        for i, a in enumerate(with_practices):
            for b in with_practices[i + 1:]:
                kinds = [k for k in a.levels() if k != "practice" and k in b.levels()]
                cols = ["practice_code"] + [f"{k}_code" for k in kinds]
                both = a.table[cols].merge(b.table[cols], on="practice_code",
                                           suffixes=("_a", "_b"))
                for k in kinds:
                    diff = both[both[f"{k}_code_a"] != both[f"{k}_code_b"]]
                    for _, r in diff.iterrows():
                        rows.append((period, r["practice_code"], k, a.source, r[f"{k}_code_a"],
                                     b.source, r[f"{k}_code_b"]))
        if len(with_practices) > 1:
            sets = {h.source: set(h.table["practice_code"]) for h in with_practices}
            for src, codes in sets.items():
                others = set().union(*(s for o, s in sets.items() if o != src))
                alone += [(period, code, src) for code in sorted(codes - others)]
    disagreements = pd.DataFrame(rows, columns=["period", "practice_code", "kind", "source_a",
                                                "code_a", "source_b", "code_b"])
    one_source = pd.DataFrame(alone, columns=["period", "practice_code", "source"])
    return Combined(tuple(hierarchies), disagreements, one_source)


def check_agreement(disagreements: pd.DataFrame) -> None:
    """Raise one line when the disagreements of :func:`combine` are not empty.

    Raises
    ------
    InputError
        Naming both sources, the period and the first few practices with both codes.
    """
    if disagreements.empty:
        return
    first = disagreements.iloc[0]
    pair = disagreements[(disagreements["source_a"] == first["source_a"])
                         & (disagreements["source_b"] == first["source_b"])]
    shown = "; ".join(f"{r.practice_code} {kind_label(r.kind)} {r.code_a} vs {r.code_b}"
                      for r in pair.head(MAX_SHOWN).itertuples())
    n = pair["practice_code"].nunique()
    more = f" (and {len(disagreements) - MAX_SHOWN} more)" if len(disagreements) > MAX_SHOWN \
        else ""
    raise InputError(first["source_a"], f"disagrees with {first['source_b']}"
                     f"{_when(first['period'])} on the areas of {n} practice"
                     f"{'s' if n > 1 else ''}: {shown}{more}; the run does not choose between "
                     "sources")


# Finding an area -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AreaMatch:
    """An area found from what a user typed.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`, or ``'cluster'``.
    code, name : str
    practices : tuple of str
        Its practice codes in ``period`` (sorted).
    period : str or None
    source : str
    """

    kind: str
    code: str
    name: str
    practices: tuple[str, ...]
    period: str | None
    source: str

    @property
    def label(self) -> str:
        """``ICB QHL``."""
        return f"{kind_label(self.kind)} {self.code}"


def _as_list(hierarchies) -> list[Hierarchy]:
    if isinstance(hierarchies, Hierarchy):
        return [hierarchies]
    if isinstance(hierarchies, Combined):
        return list(hierarchies.hierarchies)
    if isinstance(hierarchies, Mapping):
        return list(hierarchies.values())
    out = list(hierarchies)
    if not out:
        raise ConfigError("no area mapping given to look the area up in")
    return out


def _latest(hs: list[Hierarchy]) -> list[Hierarchy]:
    """Latest period first (stable: a period's sources in the order given)."""
    return sorted(hs, key=lambda h: h.period or "", reverse=True)


def _entries(hs: list[Hierarchy]) -> dict[tuple[str, str], str]:
    """(kind, code) -> name, the latest period's name first."""
    out: dict[tuple[str, str], str] = {}
    for h in _latest(hs):
        for kind in h.levels():
            for code, name in h.names[kind].items():
                if not out.get((kind, code)):
                    out[(kind, code)] = name
    return out


def _match(kind: str, code: str, hs: list[Hierarchy]) -> AreaMatch:
    for h in _latest(hs):
        if h.has(kind, code):
            practices = h.practices(kind, code) if "practice" in h.levels() else ()
            return AreaMatch(kind, code, h.name(kind, code), practices, h.period, h.source)
    raise ConfigError(f"no {kind_label(kind)} {code}")  # pragma: no cover - entries come from hs


def find_area(hierarchies, text: str, aliases: Mapping[str, str] | None = None,
              clusters: Mapping[str, Iterable[str]] | None = None,
              kind: str | None = None) -> AreaMatch:
    """The area ``text`` names: an alias, a cluster, a code, a name or a slug.

    Parameters
    ----------
    hierarchies : Hierarchy, iterable of Hierarchy, mapping period -> Hierarchy, or Combined
        Where to look; an area found in several periods is taken from the latest.
    text : str
        ``QHL``, ``15E``, ``U12345``; ``NHS Birmingham and Solihull ICB``; ``birmingham and
        solihull``; ``birmingham-and-solihull-icb``; ``... sub-ICB``.
    aliases : mapping, optional
        ``areas: aliases:`` of the config (``bsol: QHL``), consulted first.
    clusters : mapping, optional
        ``areas: clusters:`` of the config (name -> practice codes).
    kind : str, optional
        Only areas of this kind (one of :data:`KINDS`).

    Raises
    ------
    ConfigError
        One line: an ambiguous text with its candidates (kinds and codes), or an unknown one with
        up to three close matches.
    """
    hs = _as_list(hierarchies)
    raw = "" if text is None else str(text)
    typed = raw.strip()
    norm = normalise(typed)
    if not norm:
        raise ConfigError("no area given (expected a code, a name or a slug)")
    for key, target in (aliases or {}).items():
        if normalise(key) == norm:
            typed, norm = str(target).strip(), normalise(target)
            break
    for name, codes in (clusters or {}).items():
        if normalise(name) == norm:
            return cluster(name, codes, _latest(hs)[0])
    entries = {k: v for k, v in _entries(hs).items() if kind is None or k[0] == kind}
    found = [key for key in entries if key[1].upper() == typed.upper()]
    if not found:
        found = [key for key, name in entries.items() if name and normalise(name) == norm]
    if not found:
        core, named = core_name(norm)
        found = [key for key, name in entries.items()
                 if name and core_name(normalise(name), key[1])[0] == core
                 and (named is None or key[0] == named)]
    if not found:
        raise ConfigError(f"unknown area {shorten(raw)!r}{did_you_mean(norm, entries)}")
    best = min(PREFERENCE.index(k) for k, _ in found)
    found = sorted({key for key in found if PREFERENCE.index(key[0]) == best})
    if len(found) > 1:
        listed = ", ".join(f"{entries[k] or k[1]!r} ({kind_label(k[0])} {k[1]})"
                           for k in found[:6])
        more = f" and {len(found) - 6} more" if len(found) > 6 else ""
        raise ConfigError(f"ambiguous area {shorten(raw)!r}: matches {listed}{more}; give the "
                          "code")
    return _match(*found[0], hs)


def cluster(name: str, practice_codes: Iterable[str], hierarchy: Hierarchy) -> AreaMatch:
    """A named group of practices as an area (``kind='cluster'``, code the name's slug).

    Raises
    ------
    ConfigError
        One line naming the practice codes not in ``hierarchy`` (its source and period).
    """
    codes = sorted({str(c).strip().upper() for c in practice_codes if str(c).strip()})
    if not codes:
        raise ConfigError(f"cluster {shorten(name)!r}: no practice codes")
    known = set(hierarchy.names.get("practice", {}))
    unknown = [c for c in codes if c not in known]
    if unknown:
        listed = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more"
                                            if len(unknown) > 10 else "")
        raise ConfigError(f"cluster {shorten(name)!r}: {len(unknown)} practice code"
                          f"{'s' if len(unknown) > 1 else ''} not in {hierarchy.source}"
                          f"{_when(hierarchy.period)}: {listed}")
    slug = "-".join(normalise(name).split())
    return AreaMatch("cluster", slug, str(name), tuple(codes), hierarchy.period,
                     hierarchy.source)


# Reorganisations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Followed:
    """An area's practices followed by code through other snapshots.

    Attributes
    ----------
    area : AreaMatch
        The area as found (its practices define it).
    practices : dict
        period -> the area's practices present in that period's hierarchy.
    missing : dict
        period -> the area's practices absent from that period (closed, merged, not yet open).
    note : str
        One short paragraph: which geography is used and what is missing when.
    """

    area: AreaMatch
    practices: dict[str, tuple[str, ...]]
    missing: dict[str, tuple[str, ...]]
    note: str = ""


def follow_practices(area: AreaMatch,
                     hierarchies_by_period: Mapping[str, Hierarchy]) -> Followed:
    """The practices of ``area`` (as at its own period) in every period, followed by code.

    Parameters
    ----------
    area : AreaMatch
    hierarchies_by_period : mapping
        ``YYYY-MM`` -> Hierarchy with a practice level.

    Returns
    -------
    Followed
    """
    members = set(area.practices)
    present, missing, parts = {}, {}, []
    for period in sorted(hierarchies_by_period):
        h = hierarchies_by_period[period]
        if "practice" not in h.levels():
            raise ConfigError(f"{h.source}: no practice level to follow practices in")
        here = members & set(h.names["practice"])
        present[period] = tuple(sorted(here))
        missing[period] = tuple(sorted(members - here))
        if missing[period]:
            listed = ", ".join(missing[period][:5])
            more = f" and {len(missing[period]) - 5} more" if len(missing[period]) > 5 else ""
            parts.append(f"{period}: {len(missing[period])} not present ({listed}{more})")
    name = f"{area.name} ({area.label})" if area.name else area.label
    note = (f"{name} as at {area.period or 'its snapshot'} ({len(members)} practices, "
            f"{area.source}); other periods use the same practices, followed by practice code, "
            "not the area codes of their own geography.")
    note += " " + ("; ".join(parts) + "." if parts else "Every practice is present in every "
                   "period.")
    return Followed(area, present, missing, note)


# A mapping file in the standard names (a Patients Registered map goes to its own reader) -----
# File column (upper case) -> standard name: the readers' one geography map, with the map
# file's practice columns.
MAP_COLUMNS = {"PRACTICE_CODE": "practice_code", "PRACTICE_NAME": "practice_name",
               **{k: v for k, v in GEOGRAPHY.items() if not k.startswith("PRAC_")}}
PERIOD_COLUMNS = ("EXTRACT_DATE", "PERIOD")


def mapping_frame(path) -> pd.DataFrame:
    """A practice-to-area mapping file as a frame in the standard column names.

    Parameters
    ----------
    path : str or Path
        A CSV, or a zip holding it, with a practice code column and area columns: the
        standard names, or the Patients Registered map's (``PRACTICE_CODE``, ``PCN_CODE``,
        ``SUB_ICB_LOCATION_CODE``, ``ICB_CODE``, ``COMM_REGION_CODE`` ...).

    Returns
    -------
    DataFrame
        Text columns; ``attrs['source']`` the file (``zip:member``) and ``attrs['period']``
        the extract month when the file has one date.

    Raises
    ------
    InputError
        No such CSV in the file, or a damaged one.
    """
    def accepts(header: list[str]) -> bool:
        upper = {h.upper() for h in header}
        return "PRACTICE_CODE" in upper and any(
            c in upper for c, std in MAP_COLUMNS.items() if std.endswith("_code")
            and std != "practice_code")

    source = pick(path, accepts, "practice-to-area mapping CSV (PRACTICE_CODE and area codes)")
    upper = {h.upper() for h in source.header}
    if "PCN_CODE" in upper and upper & {"SUB_ICB_LOCATION_CODE", "CCG_CODE"}:
        return patients.read_practice_map(path)  # the Patients Registered map, as published
    data = source.read_bytes()
    check_text(data, source.label, "a practice-to-area mapping CSV")
    names = {**MAP_COLUMNS, **{p: p for p in PERIOD_COLUMNS}}
    positions: dict[int, str] = {}
    for i, h in enumerate(source.header):
        name = names.get(h.upper())
        if name is not None and name not in positions.values():
            positions[i] = name
    frame, _ = read_text(data, source.label, positions, len(source.header))
    out = frame[[c for c in frame if c not in PERIOD_COLUMNS]].copy()
    out.attrs["source"] = source.label
    dates = [c for c in frame if c in PERIOD_COLUMNS]
    if dates:
        out.attrs["period"] = _period(frame[dates[0]], source.label, dates[0])
    return out


def _period(values: pd.Series, label: str, column: str) -> str | None:
    seen = sorted({str(v).strip() for v in values if str(v).strip()})
    if len(seen) != 1:
        return None
    text = seen[0]
    for fmt in ("%d%b%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y-%m"):
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m")
        except ValueError:
            continue
    raise InputError(label, f"date {shorten(text)!r} is not a date (expected e.g. 01Jul2026)",
                     row=2, column=column)

