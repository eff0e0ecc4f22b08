"""The typed control panel: the schema of ``config/config.yaml`` and of the files it names.

Every section of the config is a pydantic model that forbids unknown keys, so a misspelt key
fails instead of being ignored; every field has a type (text, whole number with bounds, date,
``YYYY-MM`` period, path). :func:`validate_yaml` reads a YAML file and validates it against a
model; any problem becomes ONE line of :class:`~analysis.util.errors.ConfigError` naming the file
and the dotted key path, e.g. ``config/config.yaml: ccgs.wolverhampton.code: expected text, got
12``. :mod:`analysis.config` loads the project's files through it once and keeps the results.

The models also describe the maintained returns lookup (``config/returns_lookup.yaml``,
:class:`ReturnsLookup`) and the published figures the report is checked against
(``config/published/*.yaml``, :class:`PublishedTables`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    Strict,
    ValidationError,
    model_validator,
)

from analysis.util.errors import ConfigError
from analysis.util.periods import check_period

# ---------------------------------------------------------------------------------------------
# Field types. Strict: a number where text is expected (``code: 12``) is an error, not text.
# ---------------------------------------------------------------------------------------------
Text = Annotated[str, Strict(), Field(min_length=1)]
Int = Annotated[int, Strict()]
Number = Annotated[float, Strict()]          # a whole number is a number too
Share = Annotated[float, Strict(), Field(ge=0, le=1)]
Positive = Annotated[float, Strict(), Field(gt=0)]
Count = Annotated[int, Strict(), Field(ge=1)]


def _iso_date(value):
    """A quoted date (``'2017-06-30'``) reads as the unquoted one does."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # left for the one-line "expected a date" error
    return value


Date = Annotated[dt.date, Strict(), BeforeValidator(_iso_date)]
FilePath = Annotated[Path, Strict(False)]    # relative paths are under the project root


def _period(value: str) -> str:
    try:
        return check_period(value)
    except ConfigError:
        raise ValueError("expected a month written YYYY-MM") from None


Period = Annotated[str, Strict(), AfterValidator(_period)]


class Model(BaseModel):
    """Base of every settings model: unknown keys are errors and values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------
# config/config.yaml
# ---------------------------------------------------------------------------------------------
class StpSettings(Model):
    """An STP of the area registry (``stps: <slug>:``)."""

    name: Text
    short_name: Text
    code: Text
    successor: dict[Text, Text] = Field(default_factory=dict)


class CcgSettings(StpSettings):
    """A CCG of the area registry (``ccgs: <slug>:``); ``stp`` is the slug of its STP."""

    stp: Text


class Inputs(Model):
    """The input files (``inputs:``); ``staff_records`` may be null (not available)."""

    practice_reference: FilePath
    gpw_summary: FilePath
    gpw_indicators: FilePath
    staff_records: FilePath | None = None


class Snapshots(Model):
    """The snapshot dates of the workforce tables (``snapshots:``)."""

    summary: Date
    indicators: Date


class ReturnsStp(Model):
    """Where an STP's local returns are and which period the report shows."""

    folder: FilePath
    period: Period
    periods: list[Period] | None = None
    practice_groups: FilePath | None = None


class ReturnsRules(Model):
    """Conversion factors and plausibility limits of the returns cleaning (``returns: rules:``)."""

    sessions_per_wte: Positive = 9.0
    hours_per_wte: Positive = 37.5
    max_wte_per_post: Positive = 2.0
    min_age: Annotated[int, Strict(), Field(ge=0, le=120)] = 18
    max_age: Annotated[int, Strict(), Field(ge=0, le=120)] = 80
    hours_sessions_tolerance_wte: Annotated[float, Strict(), Field(ge=0)] = 0.05


class ReturnsSettings(Model):
    """Local staff-level returns (``returns:``)."""

    lookup: FilePath = Path("config/returns_lookup.yaml")
    stps: dict[Text, ReturnsStp] = Field(default_factory=dict)
    rules: ReturnsRules = Field(default_factory=ReturnsRules)


class ShareThresholds(Model):
    """Minimum and aspiration shares of CCG allocation spent on General Practice."""

    minimum: Share
    aspiration: Share


class RagThresholds(Model):
    """Risk scores (likelihood x impact, 1-25) from which a risk is Amber and Red."""

    amber_from: Annotated[int, Strict(), Field(ge=1, le=25)]
    red_from: Annotated[int, Strict(), Field(ge=1, le=25)]

    @model_validator(mode="after")
    def _ordered(self):
        if self.red_from <= self.amber_from:
            raise ValueError(f"red_from ({self.red_from}) must be above amber_from "
                             f"({self.amber_from})")
        return self


class Constants(Model):
    """Planning constants (``constants:``; sources in docs/assumptions.md)."""

    gp_wte_per_1000_target: Positive
    gp_wte_target_2020: dict[Text, Annotated[float, Strict(), Field(gt=0)]] = Field(
        default_factory=dict)
    primary_care_share: ShareThresholds
    risk_rag: RagThresholds


class Disclosure(Model):
    """Disclosure control of published reports (``report: disclosure:``)."""

    suppress_below: Annotated[int, Strict(), Field(ge=0)]


class Publication(Model):
    """Publication metadata printed at the top of every report (``report: publication:``)."""

    status: Text = "Management information: not official statistics"
    status_synthetic: Text = "Demo: synthetic data, not for decisions"
    contact: Text = "The GP workforce planning team"
    next_update: Text = "When the next NHS Digital workforce release is added"
    methods: Text = "#provenance"


class ReportSettings(Model):
    """The report run (``report:``)."""

    kernel_name: Text
    disclosure: Disclosure
    publication: Publication = Publication()
    notebooks: list[Text] = Field(min_length=1)
    html_order: list[Text] | None = None
    second_kernel: list[Text] = []
    demo_seed: Int

    @model_validator(mode="after")
    def _same_notebooks(self):
        if self.html_order is not None and sorted(self.html_order) != sorted(self.notebooks):
            raise ValueError("html_order must list the same notebooks as notebooks")
        stray = [n for n in self.second_kernel if n not in self.notebooks]
        if stray:
            raise ValueError(f"second_kernel: {stray[0]} is not one of notebooks")
        return self


class Finance(Model):
    """Cost rates used where a scenario file gives none (``scenarios: finance:``)."""

    gp_cost_per_wte: Positive
    locum_premium: Annotated[float, Strict(), Field(ge=0)]
    retention_scheme_per_session: Positive
    retention_sessions_per_week: Positive
    retention_sessions_per_year_max: Positive
    international_recruit_cost: Annotated[float, Strict(), Field(ge=0)]
    role_substitution_cost_per_staff: Annotated[float, Strict(), Field(ge=0)]
    sessions_per_wte: Positive


class ScenarioSettings(Model):
    """Scenario models (``scenarios:``): one scenario file per STP and the simulation."""

    files: dict[Text, FilePath] = Field(default_factory=dict)
    draws: Count = 10_000
    seed: Int = 20171001
    uncertainty_mode: Literal["annual", "published"] = "annual"
    tornado_spread: Annotated[float, Strict(), Field(gt=0, lt=1)] = 0.2
    funding: dict[Text, FilePath] = Field(default_factory=dict)
    risks: dict[Text, FilePath] = Field(default_factory=dict)
    finance: Finance


class UrgentCareInputs(Model):
    """Urgent care input files; each may be null."""

    uc_cases: FilePath | None = None
    uc_iucadc: FilePath | None = None
    uc_ecds: FilePath | None = None


class DateRange(Model):
    """A period from ``start`` to ``end`` (dates, inclusive)."""

    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class SettingHours(Model):
    """Daily opening hours ``[start, end)`` of each urgent-care setting; ``end`` above 24 runs
    past midnight (``[8, 26]``: 08:00-02:00). One definition used by the staffing model, the
    job plans and every table that shows hours."""

    iucs: tuple[int, int] = (0, 24)
    ed: tuple[int, int] = (8, 26)
    frailty: tuple[int, int] = (8, 20)
    paediatrics: tuple[int, int] = (8, 22)

    @model_validator(mode="after")
    def _valid_hours(self):
        for name in ("iucs", "ed", "frailty", "paediatrics"):
            lo, hi = getattr(self, name)
            if not (0 <= lo < 24 and lo < hi <= lo + 24):
                raise ValueError(f"{name}: [{lo}, {hi}] is not [start, end) with 0 <= start "
                                 "< 24 and start < end <= start + 24")
        return self


class UrgentCareSettings(Model):
    """Urgent care and rotational GP posts (``urgent_care:``)."""

    inputs: UrgentCareInputs = Field(default_factory=UrgentCareInputs)
    contracts: dict[Text, Text] = Field(default_factory=dict)
    period: DateRange | None = None
    setting_hours: SettingHours = Field(default_factory=SettingHours)


class Areas(Model):
    """Names for areas found in the data (``areas:``; see docs/areas.md).

    ``aliases`` maps a short name to what it stands for (a code or a name: ``bsol: QHL``);
    ``clusters`` names groups of practices (name -> practice codes). Membership itself always
    comes from the files of the snapshot, never from here.
    """

    aliases: dict[Text, Text] = Field(default_factory=dict)
    clusters: dict[Text, Annotated[list[Text], Field(min_length=1)]] = Field(
        default_factory=dict)


class RealInputs(Model):
    """How far apart the real files of one report may be (``real_inputs:``; docs/assumptions.md).

    ``max_months_apart``: whole months between the GP Workforce snapshot and every other file
    the practice chapter uses (the ODS practices file, the Patients Registered map); further
    apart, the run stops with one line naming both files and dates. The PCN workforce chapter
    uses the same tolerance to choose its patients file.
    """

    max_months_apart: Annotated[int, Strict(), Field(ge=0, le=24)] = 3


class Settings(Model):
    """The whole of ``config/config.yaml``."""

    stps: dict[Text, StpSettings] = Field(min_length=1)
    ccgs: dict[Text, CcgSettings] = Field(min_length=1)
    inputs: Inputs
    snapshots: Snapshots
    returns: ReturnsSettings = Field(default_factory=ReturnsSettings)
    constants: Constants
    report: ReportSettings
    scenarios: ScenarioSettings
    urgent_care: UrgentCareSettings = Field(default_factory=UrgentCareSettings)
    areas: Areas = Field(default_factory=Areas)
    real_inputs: RealInputs = Field(default_factory=RealInputs)


def check_stp_slugs(s: Settings, source: str) -> Settings:
    """Every section keyed by STP names an STP of the registry, else one-line ConfigError."""
    where = [("ccgs", {k: c.stp for k, c in s.ccgs.items()}, "stp")]
    keyed = [("returns.stps", s.returns.stps), ("constants.gp_wte_target_2020",
              s.constants.gp_wte_target_2020), ("scenarios.files", s.scenarios.files),
             ("scenarios.funding", s.scenarios.funding), ("scenarios.risks", s.scenarios.risks),
             ("urgent_care.contracts", s.urgent_care.contracts)]
    valid = ", ".join(s.stps)
    for section, stps, field in where:
        for slug, stp in stps.items():
            if stp not in s.stps:
                raise ConfigError(f"{source}: {section}.{slug}.{field}: unknown STP {stp!r} "
                                  f"(expected one of: {valid})")
    for section, mapping in keyed:
        for slug in mapping:
            if slug not in s.stps:
                raise ConfigError(f"{source}: {section}.{slug}: unknown STP (expected one of: "
                                  f"{valid})")
    return s


# ---------------------------------------------------------------------------------------------
# config/returns_lookup.yaml and config/published/*.yaml
# ---------------------------------------------------------------------------------------------
class ReturnsLookup(Model):
    """The maintained lookup of column spellings, role labels and genders."""

    columns: dict[Text, list[Text]]
    roles: dict[Text, Annotated[list[Text], Field(min_length=2, max_length=2)]]
    genders: dict[Text, Literal["F", "M", "U"]]
    generic_roles: dict[Text, Text] = Field(default_factory=dict)


class PublishedTable(Model):
    """One published table as printed: column names and rows of values (null = blank)."""

    columns: list[Text] = Field(min_length=1)
    rows: list[list[Annotated[str, Strict()] | Int | Number | None]] = Field(min_length=1)
    target_2020: Int | Number | None = None

    @model_validator(mode="after")
    def _row_lengths(self):
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"rows[{i}] has {len(row)} values, expected "
                                 f"{len(self.columns)} (one per column)")
        return self


class PublishedTables(RootModel[dict[Text, PublishedTable]]):
    """A file of published tables, keyed by table (``table2``, ``table3`` ...)."""

    model_config = ConfigDict(frozen=True)

    def tables(self) -> dict[str, PublishedTable]:
        """Table name -> :class:`PublishedTable`, in file order."""
        return dict(self.root)


# ---------------------------------------------------------------------------------------------
# Reading and one-line errors
# ---------------------------------------------------------------------------------------------
M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "string_type": "expected text", "int_type": "expected a whole number",
    "float_type": "expected a number", "bool_type": "expected true or false",
    "date_type": "expected a date written YYYY-MM-DD",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)", "list_type": "expected a list",
    "path_type": "expected a path (text)",
}


def _shown(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value) if isinstance(value, str) else str(value)
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 60 else text[:57] + "..."


def _key_path(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in str(part) or part in ("str", "float", "int", "none"):
            continue  # union member tags, not keys
        else:
            out += ("." if out else "") + str(part)
    return out


def _problem(err: dict) -> str:
    kind, ctx, got = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing key"
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {_shown(got)}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
                "less_than_equal": "<="}[kind]
        bound = next(iter(ctx.values()))
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        return f"expected a number {sign} {bound}, got {_shown(got)}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}, got {_shown(got)}"
    if kind in ("too_short", "too_long"):
        return f"{err['msg'].lower()}".replace("\n", " ")
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])).replace("\n", " ")
    return err["msg"].replace("\n", " ")


def one_line(exc: ValidationError, source: str) -> ConfigError:
    """The first problem of a validation failure as ONE line naming the file and the key path.

    Unknown keys come first (a misspelt key is also a missing one), with the closest missing
    key of the same section as a suggestion.
    """
    errs = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    first = errs[0]
    key = _key_path(first["loc"])
    problem = _problem(first)
    if {"str", "int", "float"} & {str(p) for p in first["loc"]}:  # a cell of text or a number
        problem = f"expected text, a number or nothing, got {_shown(first.get('input'))}"
    if first["type"] == "extra_forbidden":
        parent = first["loc"][:-1]
        missing = [str(e["loc"][-1]) for e in errs
                   if e["type"] == "missing" and e["loc"][:-1] == parent]
        close = difflib.get_close_matches(str(first["loc"][-1]), missing, n=1, cutoff=0.6)
        if close:
            problem += f" (did you mean {close[0]!r}?)"
            errs = [e for e in errs if e["loc"] != (*parent, close[0])]
    others = len({_key_path(e["loc"]) for e in errs} - {key})  # one per key (unions)
    more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
    return ConfigError(f"{source}: {key + ': ' if key else ''}{problem}{more}")


def read_yaml(path: Path, source: str) -> Any:
    """Parse a YAML file with ``yaml.safe_load``; a syntax error names the file and the line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8 text") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        what = " ".join(str(getattr(exc, "problem", None) or "not valid YAML").split())
        raise ConfigError(f"{source}: {line}not valid YAML ({what})") from None


def validate(model: type[M], data: Any, source: str) -> M:
    """``model`` from parsed data; a failure is ONE line naming ``source`` and the key path."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of sections, got {_shown(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise one_line(exc, source) from None


def validate_yaml(model: type[M], path: Path, source: str) -> M:
    """Read a YAML file and validate it against ``model`` (see :func:`validate`)."""
    return validate(model, read_yaml(path, source), source)
