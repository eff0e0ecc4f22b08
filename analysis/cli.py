"""The command line: ``python -m analysis <command>`` (or ``gpw <command>``); the Makefile
targets call it.

===========  ===============================================================================
``report``   one area's report: ``--ccg <slug>``, ``--stp <slug>`` or ``--area TEXT``
``reports``  every area's report, in parallel, and ``index.html`` (``--nhs-dir``: real files)
``data``     (re)build the synthetic demo inputs in ``data/raw/demo``
``bench``    time a report against the floor, the Monte Carlo draws and the national reader
``national`` England-sized demo releases and their benchmark (``write``, ``series``, ``bench``)
``areas``    the areas (and their practices) of a practice-to-area mapping file; ``--find``
``kernel``   register the project's Jupyter kernel
``lock``     re-pin requirements.txt and environment.yml
===========  ===============================================================================

This module only parses, validates and calls: the work is done by
:mod:`analysis.report.runner`, :mod:`analysis.report.bench`, :mod:`analysis.demo` and
:mod:`analysis.util`. It is the one module outside :mod:`analysis.demo` allowed to import the
demo generators, so that a report or a benchmark can build the demo inputs when they are
missing (the report layer itself never writes under ``data/raw``).

Every error is one line on stderr, without a traceback: a wrong parameter or area exits with
status 2, another failure the toolkit raises on purpose (an input file, a chapter) with 1, and
Ctrl-C with 130 and SIGTERM with 143 (both leave no staging folder behind).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from analysis.config import DATA_DEMO, DATA_RAW, DOCS, OUTPUTS, registry, resolve_area
from analysis.util.errors import ConfigError, GPWorkforceError

USAGE_STATUS = 2
NHS_DIR = DATA_RAW / "nhs"
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
INTERRUPTED_STATUS = 130
TERMINATED_STATUS = 143  # 128 + SIGTERM
# Typer's usage errors (bad option values, unknown commands) derive from click's
# ClickException, which typer vendors as a private module: found from a public subclass.
CLICK_EXCEPTION = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same cleanup runs (staging removed)."""


def _on_signal(signum, frame) -> None:
    """Ctrl-C or SIGTERM: stop with one line; what the interrupted libraries log while they
    shut down (a kernel that died mid-cell, an asyncio task never awaited) is not shown."""
    logging.disable(logging.CRITICAL)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _fail(message: str, status: int) -> typer.Exit:
    """Print ``error: <message>`` as one line on stderr; the ``Exit`` to raise."""
    line = " ".join(str(message).split()) or "failed"
    typer.echo(f"error: {line}", err=True)
    return typer.Exit(status)


class OneLineErrors(TyperGroup):
    """Typer's group with usage errors (a bad option value, an unknown command) on one line.

    Typer would print the usage and a boxed message over several lines; here the message alone
    is printed as ``error: ...`` with exit status 2, from ``python -m analysis`` and from
    :class:`typer.testing.CliRunner` alike (both call :meth:`main`).
    """

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _on_signal)
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                signal.signal(signal.SIGINT, _on_signal)
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except CLICK_EXCEPTION as exc:
            if not standalone_mode:
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help, already printed
                sys.exit(exc.exit_code)
            typer.echo(f"error: {' '.join(exc.format_message().split())} (see --help)",
                       err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("interrupted", err=True)
            sys.exit(INTERRUPTED_STATUS)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(cls=OneLineErrors, name="gpw", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False,
                  help="GP workforce planning: reports, demo data, benchmarks.")
national_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                           help="England-sized demo releases and the national-scale benchmark.")
app.add_typer(national_app, name="national")


@contextmanager
def _one_line_errors(*also: type[Exception], out: Path | None = None) -> Iterator[None]:
    """Turn the errors a user can cause into one line and an exit status.

    ``ConfigError`` (a parameter, an area, the config) exits 2; other ``GPWorkforceError`` and
    an unwritable output (``OSError``) exit 1, and so do the exception types in ``also``;
    Ctrl-C prints ``interrupted`` and exits 130.
    """
    try:
        yield
    except ConfigError as exc:
        raise _fail(str(exc), USAGE_STATUS) from None
    except GPWorkforceError as exc:
        raise _fail(str(exc), 1) from None
    except OSError as exc:  # an output folder that cannot be written (or a name too long)
        where = str(exc.filename if exc.filename is not None else out or "")
        where = where if len(where) <= 120 else where[:60] + "..." + where[-40:]
        where = where.encode("unicode_escape").decode("ascii")
        raise _fail(f"cannot write {where!r}: {exc.strerror or type(exc).__name__}", 1) from None
    except also as exc:
        raise _fail(str(exc).strip().splitlines()[0] if str(exc).strip()
                    else type(exc).__name__, 1) from None
    except Terminated:
        typer.echo("terminated", err=True)
        raise typer.Exit(TERMINATED_STATUS) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(INTERRUPTED_STATUS) from None


def _quiet(internal: bool = False, force: bool = False) -> None:
    """No library warnings on the terminal; ``internal`` turns small-number suppression off;
    ``force`` makes every cache recompute (the chapters' kernels inherit both)."""
    from analysis.util.cache import REFRESH_ENV

    logging.disable(logging.WARNING)
    if internal:
        os.environ["GPW_SUPPRESS_BELOW"] = "0"
    if force:
        os.environ[REFRESH_ENV] = "1"


def _demo_data_if_missing() -> None:
    """Build the demo inputs when any is missing (real inputs named in the config are never
    touched: the demo generators write only under ``data/raw/demo``)."""
    from analysis.demo import gpw as demo

    demo.ensure(DATA_DEMO)


# Options shared by report and reports. Each can also come from the environment as GPW_<NAME>
# (how the Makefile passes CCG=, INTERNAL= ...: values are never shell-expanded, and switches
# accept only yes/no, true/false, 1/0, on/off).
Code = Annotated[bool, typer.Option("--code", envvar="GPW_CODE",
                                    help="Analyst mode: code shown, executed notebook kept.")]
Internal = Annotated[bool, typer.Option("--internal", envvar="GPW_INTERNAL",
                                        help="Internal use: no small-number suppression.")]
Force = Annotated[bool, typer.Option("--force", envvar="GPW_FORCE",
                                     help="Rebuild even if nothing changed.")]
Pdf = Annotated[bool, typer.Option("--pdf", envvar="GPW_PDF",
                                   help="Also print report.pdf (A4) with headless Chromium.")]
Out = Annotated[Path | None, typer.Option("--out", help="Output root (default: outputs/, or "
                                                         "$GPW_OUTPUT_ROOT).")]


@app.command()
def report(
    ccg: Annotated[str | None, typer.Option(
        "--ccg", envvar="GPW_CCG", help="CCG slug, e.g. wolverhampton.")] = None,
    stp: Annotated[str | None, typer.Option(
        "--stp", envvar="GPW_STP", help="STP slug, e.g. black-country.")] = None,
    area_text: Annotated[str | None, typer.Option(
        "--area", envvar="GPW_AREA",
        help="A demo slug, or an area of the real files in --nhs-dir: a code, a name or a slug "
             "(QHL, 'birmingham and solihull').")] = None,
    nhs_dir: Annotated[Path, typer.Option(
        "--nhs-dir", envvar="GPW_NHS_DIR",
        help="The downloaded NHS files (zips included).")] = NHS_DIR,
    period: Annotated[str | None, typer.Option(
        "--period", envvar="GPW_PERIOD",
        help="YYYY-MM of the PCN workforce release (default: the latest).")] = None,
    code: Code = False, internal: Internal = False, force: Force = False, out: Out = None,
    pdf: Pdf = False,
) -> None:
    """One area's report in <out>/<slug>/report.html (give --ccg, --stp or --area)."""
    from analysis.report import runner

    _quiet(internal, force)
    out = out or OUTPUTS
    with _one_line_errors(out=out):
        if ccg is not None and stp is not None:
            raise ConfigError("give --ccg or --stp, not both")
        if area_text is not None and (ccg is not None or stp is not None):
            raise ConfigError("give --area or --ccg/--stp, not both")
        if ccg is None and stp is None and area_text is None:
            raise ConfigError("give --ccg <slug> or --stp <slug>, or --area <code or name> "
                              "(make report CCG=<slug>, STP=<slug> or AREA=<code or name>)")
        if area_text is not None and area_text.strip().lower() not in registry():
            if period is not None and not PERIOD.match(period):
                raise ConfigError(f"--period {period!r}: expected YYYY-MM")
            from analysis.report import data_area, export

            chromium = export.find_chromium() if pdf else None
            built = data_area.report_data_area(area_text, nhs_dir, out, period=period,
                                               show_code=code, force=force)
            if pdf:
                export.write_pdf(built.path, chromium=chromium)
            typer.echo(built.summary())
            return
        if area_text is not None:
            area = registry()[area_text.strip().lower()]
        else:
            area = resolve_area(ccg if ccg is not None else stp,
                                "ccg" if ccg is not None else "stp")
        _demo_data_if_missing()
        built = runner.report_area(area, out, show_code=code, force=force, pdf=pdf)
    typer.echo(built.summary())


class AreaKind(StrEnum):
    """Kinds of area the ``areas`` command lists and ``reports --nhs-dir`` builds."""

    icb = "icb"
    sub_icb = "sub_icb"
    pcn = "pcn"
    region = "region"
    ccg = "ccg"
    stp = "stp"


@app.command()
def reports(
    jobs: Annotated[int | None, typer.Option(
        "--jobs", min=1, envvar="GPW_JOBS",
        help="Reports built at once (default: the number of CPUs).")] = None,
    nhs_dir: Annotated[Path | None, typer.Option(
        "--nhs-dir", envvar="GPW_NHS_DIR",
        help="Build every area of --kind found in the downloaded NHS files there, instead of "
             "the demo areas.")] = None,
    kind: Annotated[AreaKind | None, typer.Option(
        "--kind", envvar="GPW_KIND", help="With --nhs-dir: the kind of area (default: icb).")]
    = None,
    period: Annotated[str | None, typer.Option(
        "--period", envvar="GPW_PERIOD",
        help="With --nhs-dir: YYYY-MM of the releases (default: the latest).")] = None,
    only: Annotated[list[str] | None, typer.Option(
        "--only", envvar="GPW_ONLY",
        help="With --nhs-dir: only the area of this code (repeatable).")] = None,
    list_areas: Annotated[bool, typer.Option(
        "--list", help="With --nhs-dir: list the areas (code, name, practices), build "
                       "nothing.")] = False,
    code: Code = False, internal: Internal = False, force: Force = False, out: Out = None,
) -> None:
    """Every area's report, in parallel, and <out>/index.html: the demo areas, or with
    --nhs-dir every area of --kind found in the real files there.

    A failed area does not stop the others; the exit status is 1 if any failed.
    """
    from analysis.report import runner

    _quiet(internal, force)
    out = out or OUTPUTS
    with _one_line_errors(out=out):
        if nhs_dir is None:
            given = [name for name, value in (("--kind", kind), ("--period", period),
                                              ("--only", only), ("--list", list_areas))
                     if value]
            if given:
                raise ConfigError(f"{given[0]} needs --nhs-dir (the folder of downloaded NHS "
                                  "files); without it every demo area is built")
            _demo_data_if_missing()
            status = runner.run_all(out, show_code=code, jobs=jobs, force=force)
        else:
            from analysis.report import data_batch

            if period is not None and not PERIOD.match(period):
                raise ConfigError(f"--period {period!r}: expected YYYY-MM")
            kind_value = (kind or AreaKind.icb).value
            if list_areas:
                for a in data_batch.data_areas(nhs_dir, kind_value, period, only):
                    typer.echo(f"{a.code}\t{a.name}\t{a.practices} practices\t{a.source}"
                               f"{f' ({a.period})' if a.period else ''}")
                return
            status = data_batch.run_data_batch(nhs_dir, out, kind_value, period, jobs=jobs,
                                               force=force, only=only, show_code=code).status
    raise typer.Exit(status)


@app.command()
def data(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = DATA_DEMO,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: "
                                             "report.demo_seed in the config).")] = None,
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Do nothing when every demo "
                                             "file already exists.")] = False,
) -> None:
    """(Re)build the synthetic demo inputs (data/raw/demo by default)."""
    from analysis.demo import gpw as demo

    with _one_line_errors(out=out):
        files = demo.ensure(out) if if_missing else demo.build_all(out, seed)
    for path in files.values():
        typer.echo(f"demo data: {path}")


class Bench(StrEnum):
    """What ``bench`` times."""

    report = "report"
    scenarios = "scenarios"
    national = "national"


@app.command()
def bench(
    only: Annotated[list[Bench] | None, typer.Option(
        "--only", help="Time only this (repeatable; default: all three).")] = None,
    area: Annotated[str, typer.Option("--area", help="Area of the one-report timing.")]
    = "wolverhampton",
    batch: Annotated[bool, typer.Option("--batch/--no-batch", help="Also time every area in "
                                        "parallel (and the areas of --nhs-dir).")] = True,
    nhs_dir: Annotated[Path, typer.Option(
        "--nhs-dir", envvar="GPW_NHS_DIR",
        help="Also time the batch of every --kind area found in the real files there (not "
             "timed when there are none).")] = NHS_DIR,
    kind: Annotated[AreaKind, typer.Option(
        "--kind", envvar="GPW_KIND", help="Kind of area of the real-data batch.")]
    = AreaKind.icb,
    write: Annotated[Path | None, typer.Option("--write", help="Figures and method written "
                                               "there.")] = DOCS / "performance.md",
    no_write: Annotated[bool, typer.Option("--no-write", help="Write no figures.")] = False,
    draws: Annotated[int, typer.Option("--draws", min=1, help="Monte Carlo draws.")] = 10_000,
    scenario_file: Annotated[Path | None, typer.Option("--scenario-file", help="Scenario file "
                                                       "for the Monte Carlo timing.")] = None,
    practices: Annotated[int, typer.Option("--practices", min=1, help="National: practices "
                                           "in the England release.")] = 6500,
    months: Annotated[int, typer.Option("--months", min=1, help="National: months in the "
                                        "series.")] = 120,
) -> None:
    """Time a report against the floor, Monte Carlo draws and the national-scale reader.

    One report against the floor of empty notebooks (and the batch of every area), 10,000
    Monte Carlo draws against one deterministic run, and the national-scale reader against a
    plain pandas read (docs/performance.md, docs/performance_national.md).
    """
    chosen = set(only or Bench)
    _quiet()
    with _one_line_errors(ValueError):
        if Bench.report in chosen:
            from analysis.report import bench as report_bench

            resolve_area(area)
            _demo_data_if_missing()
            report_bench.run(area, batch=batch, write=None if no_write else write,
                             nhs_dir=nhs_dir, kind=kind.value)
        if Bench.scenarios in chosen:
            from analysis.models.scenarios import bench as mc_bench
            from analysis.models.scenarios import bench_text

            typer.echo(bench_text(mc_bench(scenario_file, draws)))
        if Bench.national in chosen:
            from analysis.demo import national

            national.bench(practices, months)


@app.command()
def areas(
    path: Annotated[Path, typer.Argument(help="Practice-to-area mapping: a CSV or zip with "
                                              "practice and area codes.")],
    kind: Annotated[AreaKind | None, typer.Option("--kind", help="Only this kind.")] = None,
    find: Annotated[str | None, typer.Option("--find", help="Find one area: a code, a name, a "
                                                            "slug or an alias.")] = None,
) -> None:
    """List the areas of a mapping file (code, name, kind, practices), or find one."""
    import pandas as pd

    from analysis.config import settings
    from analysis.tables import geography

    with _one_line_errors():
        frame = geography.mapping_frame(path)
        h = geography.hierarchy(frame)
        if find is not None:
            cfg = settings().areas
            match = geography.find_area(h, find, aliases=cfg.aliases, clusters=cfg.clusters,
                                        kind=kind.value if kind else None)
            typer.echo(f"{match.label}\t{match.name}\t{len(match.practices)} practices\t"
                       f"{match.period or ''}\t{match.source}")
            typer.echo(" ".join(match.practices))
            return
        kinds = [kind.value] if kind else [k for k in h.levels() if k != "practice"]
        if kind and kind.value not in h.levels():
            raise ConfigError(f"{h.source}: no {kind.value} areas (it has: "
                              f"{', '.join(h.levels())})")
        table = pd.concat([h.areas(k).assign(kind=k) for k in kinds], ignore_index=True)
        table = table.rename(columns={"n_practices": "practices"})
        typer.echo(table[["code", "name", "kind", "practices"]].to_string(index=False))


@app.command()
def kernel() -> None:
    """Register the project's Jupyter kernel in this environment."""
    from analysis.util.kernel import install

    with _one_line_errors():
        path = install()
    typer.echo(f"kernel: {path}")


@app.command()
def lock() -> None:
    """Re-pin requirements.txt and environment.yml from the installed packages.

    ``make lock`` installs requirements.in first.
    """
    from analysis.util.pins import write_locks

    with _one_line_errors():
        write_locks()
    typer.echo("wrote requirements.txt and environment.yml")


# ---------------------------------------------------------------------------------------------
# national: the England-sized generator and its benchmark (analysis.demo.national)
# ---------------------------------------------------------------------------------------------
class Columns(StrEnum):
    """Columns written: all of the published set, or only those the tables read."""

    all = "all"
    tables = "tables"


DEFAULT_PRACTICES = 6500


@national_app.command("write")
def national_write(
    path: Annotated[Path, typer.Argument(help="CSV file to write.")],
    practices: Annotated[int, typer.Option(min=1)] = DEFAULT_PRACTICES,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: fixed, 20240331).")]
    = None,
    period: Annotated[str | None, typer.Option(help="Release month (default: 2024-03).")] = None,
    old_format: Annotated[bool, typer.Option("--old-format", help="CCG_*/STP_* column set.")]
    = False,
    columns: Annotated[Columns, typer.Option()] = Columns.all,
) -> None:
    """Write an England-sized GPW practice-level release."""
    from analysis.demo import national

    with _one_line_errors(ValueError, out=path):
        started = time.perf_counter()
        written = national.write_england_release(
            path, practices, national.DEFAULT_SEED if seed is None else seed,
            period or national.DEFAULT_PERIOD, old_format, columns.value)
    typer.echo(f"wrote {written} ({written.stat().st_size / 1e6:.1f} MB) in "
               f"{time.perf_counter() - started:.2f} s")


@national_app.command("series")
def national_series(
    folder: Annotated[Path, typer.Argument(help="Folder of the monthly releases.")],
    years: Annotated[int, typer.Option(min=1)] = 10,
    months: Annotated[int | None, typer.Option(min=1, help="Months (instead of years).")]
    = None,
    practices: Annotated[int, typer.Option(min=1)] = DEFAULT_PRACTICES,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: fixed, 20240331).")]
    = None,
    end: Annotated[str | None, typer.Option(help="Last month (default: 2024-03).")] = None,
    columns: Annotated[Columns, typer.Option()] = Columns.tables,
    workers: Annotated[int | None, typer.Option(min=1)] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="Also cache each release there.")]
    = None,
) -> None:
    """Write a monthly series of England-sized releases."""
    from analysis.demo import national

    with _one_line_errors(ValueError, out=folder):
        started = time.perf_counter()
        files = national.write_monthly_series(
            folder, years, practices, national.DEFAULT_SEED if seed is None else seed,
            end or national.DEFAULT_PERIOD, columns.value, months, workers, cache_dir)
    size = sum(f.stat().st_size for f in files) / 1e6
    typer.echo(f"wrote {len(files)} releases to {folder} ({size:.0f} MB) in "
               f"{time.perf_counter() - started:.1f} s")


@national_app.command("bench")
def national_bench(
    practices: Annotated[int, typer.Option(min=1)] = DEFAULT_PRACTICES,
    months: Annotated[int, typer.Option(min=1)] = 120,
    repeat: Annotated[int, typer.Option(min=1)] = 3,
    tmp_dir: Annotated[Path | None, typer.Option(help="Work folder (default: a new "
                                                 "temporary one, removed).")] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the files in --tmp-dir.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the figures as "
                                                  "JSON.")] = None,
) -> None:
    """Benchmark the national-scale reader and tables against the pandas floor."""
    import json

    from analysis.demo import national

    with _one_line_errors(ValueError, out=json_out):
        result = national.bench(practices, months, tmp_dir, repeat, keep=keep)
        if json_out is not None:
            json_out.write_text(json.dumps(result, indent=2, default=str))
