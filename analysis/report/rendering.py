"""Presentation for the HTML reports: tables with captions, charts with alt text, take-away files.

Every table shown is also written, unrounded, to ``<output_dir>/tables/<name>.csv`` and every
chart to ``<output_dir>/charts/<name>.png``; the report links to both. Files are written to a
temporary name and renamed, so a killed run never leaves half a file.
"""

from __future__ import annotations

import base64
import fcntl
import functools
import html
import io
import json
import os
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.report.chart_checks import bar_axis_problems  # noqa: E402
from analysis.util.atomic import atomic_write_bytes  # noqa: E402,F401  (re-exported)

# Okabe-Ito: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
GREY = "#8C8C8C"


def fmt_int(x) -> str:
    """Whole number with thousands separators; blank for missing."""
    return "" if pd.isna(x) else f"{round(float(x)):,}"


def fmt_dp(decimals: int):
    """Formatter with fixed decimals and thousands separators (half-up, as published)."""
    from analysis.util.rounding import round_half_up

    def f(x):
        return "" if pd.isna(x) else f"{round_half_up(float(x), decimals):,.{decimals}f}"

    return f


def md_escape(value):
    """A value printed into a Markdown template: ``&``, ``<`` and ``>`` become entities, so
    text from inputs (a scenario or practice name) cannot become HTML when the Markdown is
    rendered; quotes and apostrophes stay as typed. :class:`markupsafe.Markup` values (marked
    safe in the template) pass unchanged."""
    if value is None or hasattr(value, "__html__"):
        return value
    text = value if isinstance(value, str) else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_plain(text: str) -> str:
    """A line of a Markdown template as plain text: the entities :func:`md_escape` wrote
    become characters again (for text recorded as data, e.g. a caveat, which the closing
    section escapes once when it prints it)."""
    return html.unescape(text)


_OPTIONS = dict(loader=jinja2.PackageLoader("analysis.report", "templates"),
                trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                undefined=jinja2.StrictUndefined)
_TEMPLATES = jinja2.Environment(autoescape=True, **_OPTIONS)
_MARKDOWN_TEMPLATES = jinja2.Environment(autoescape=False, finalize=md_escape, **_OPTIONS)


def render(template: str, **context) -> str:
    """Render ``analysis/report/templates/<template>`` with ``context``.

    Values are escaped for where the text goes: HTML escaping in ``*.html.j2`` (and CSS)
    templates, :func:`md_escape` in ``*.md.j2`` Markdown templates.
    """
    env = _MARKDOWN_TEMPLATES if template.endswith(".md.j2") else _TEMPLATES
    return env.get_template(template).render(**context)


FOLD_ROWS = 12
"""Tables longer than this are folded (``<details>``) so that the chapters read as text and
charts first; the board summary never is."""

_ACRONYMS = {"gp": "GP", "gps": "GPs", "fte": "FTE", "wte": "WTE", "ccg": "CCG", "stp": "STP",
             "hc": "headcount", "ed": "ED", "iucs": "IUCS", "nhs": "NHS", "pct": "%",
             "llr": "LLR", "pms": "PMS", "gms": "GMS", "apms": "APMS", "hca": "HCA",
             "anp": "ANP", "p2": "p2", "ae": "A&E"}


def human_label(name) -> str:
    """A heading readers can read: a code name a chapter left without a label
    (``other_net_joiners``, ``average_list_size``) becomes "Other net joiners", "Average list
    size"; anything else (given labels, numbers) is kept as it is."""
    text = str(name)
    if not text or " " in text or text != text.lower() or not any(c.isalpha() for c in text):
        return text
    words = [_ACRONYMS.get(w, w) for w in text.replace("-", "_").split("_") if w]
    if not words:
        return text
    first = words[0]
    words[0] = first if first != first.lower() else first[:1].upper() + first[1:]
    return " ".join(words)


def _code_value(value):
    """A text cell holding a code name (``average_list_size``) shown as words; other text,
    file names and codes are kept."""
    if isinstance(value, str) and "_" in value and "." not in value and " " not in value \
            and value == value.lower():
        return human_label(value)
    return value


@dataclass(frozen=True)
class Table:
    """A numbered report table: the unrounded frame and how it is shown.

    ``df`` is the data an analyst can work with; displaying the object (a notebook cell's
    result) shows the captioned HTML table, its CSV having been written by :meth:`Report.table`.
    """

    df: pd.DataFrame
    name: str
    caption: str
    label: str
    formats: dict = field(default_factory=dict, repr=False)
    labels: dict = field(default_factory=dict, repr=False)
    highlight: str | None = None
    note: str | None = None

    def shown(self) -> pd.DataFrame:
        """The table as readers see it: formatted cells, reader-facing headings."""
        shown = self.df.copy()
        for col, f in self.formats.items():
            if col in shown:
                shown[col] = shown[col].map(f)
        return shown.rename(columns=self.labels)

    def _repr_html_(self) -> str:
        shown = self.shown()
        first = shown.columns[0] if len(shown.columns) else None
        # text columns (the first, and any holding labels rather than numbers) read left-aligned
        text = [i == 0 or not (pd.api.types.is_numeric_dtype(self.df[c])
                               or pd.api.types.is_bool_dtype(self.df[c]))
                for i, c in enumerate(self.df.columns)]
        rows = [{"cells": ["" if pd.isna(v) else (_code_value(v) if text[i] else v)
                           for i, v in enumerate(r)],
                 "bold": self.highlight is not None and r[0] == self.highlight}
                for r in shown.itertuples(index=False, name=None)]
        return render("table.html.j2", label=self.label, caption=self.caption,
                      headings=[human_label(c) for c in shown.columns], rows=rows,
                      note=self.note, name=self.name, first=first, text=text,
                      fold=len(rows) > FOLD_ROWS)


@dataclass(frozen=True)
class Chart:
    """A numbered report chart: the PNG bytes and its alt text."""

    png: bytes = field(repr=False)
    name: str
    alt: str
    label: str
    title: str = ""
    context: str = ""

    def _repr_html_(self) -> str:
        return render("chart.html.j2", png_b64=base64.b64encode(self.png).decode("ascii"),
                      alt=self.alt, label=self.label, name=self.name, title=self.title,
                      context=self.context)


def drawn_title(fig) -> str:
    """The title a chart draws itself (its suptitle, else its first axes' title), one line:
    what the report states as the chart's header when no ``title=`` is passed."""
    text = fig.get_suptitle()
    if not text:
        for ax in fig.axes:
            text = next((ax.get_title(loc) for loc in ("left", "center", "right")
                         if ax.get_title(loc)), "")
            if text:
                break
    return " ".join(text.split())


@dataclass(frozen=True)
class _Text:
    """Rendered text; ``str()`` gives it back."""

    text: str

    def __str__(self) -> str:
        return self.text


class Markdown(_Text):
    """Narrative rendered from a ``*.md.j2`` template; a notebook shows it as Markdown."""

    def _repr_markdown_(self) -> str:
        return self.text


class Html(_Text):
    """A fragment rendered from a ``*.html.j2`` template (headings, short passages)."""

    def _repr_html_(self) -> str:
        return self.text


@dataclass
class Section:
    """Several displayable parts (Markdown, Html, Table, Chart) shown in order as one result.

    ``parts`` keeps each part for an analyst (``section.tables`` and ``section.charts`` give the
    objects by name; a table's unrounded frame is ``.df``); displayed as a notebook cell's
    result, each part becomes its own output. Empty when the section does not apply to the area
    (it then displays nothing).
    """

    parts: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __iter__(self):
        return iter(self.parts)

    def __getitem__(self, i):
        return self.parts[i]

    def __len__(self) -> int:
        return len(self.parts)

    @property
    def tables(self) -> dict[str, Table]:
        """The section's tables by name."""
        return {p.name: p for p in self.parts if isinstance(p, Table)}

    @property
    def charts(self) -> dict[str, Chart]:
        """The section's charts by name."""
        return {p.name: p for p in self.parts if isinstance(p, Chart)}

    @property
    def markdown(self) -> str:
        """The section's Markdown passages, joined."""
        return "\n\n".join(p.text for p in self.parts if isinstance(p, Markdown))

    def html(self) -> str:
        """The section's tables, charts and HTML passages as one HTML string (Markdown left
        out)."""
        return "".join(p._repr_html_() for p in self.parts if not isinstance(p, Markdown))

    def _repr_html_(self) -> str:
        return self.html()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(*self.parts)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def with_data(fn):
    """``fn`` for a chapter context; nothing to show (an empty :class:`Section`) when there is
    none (a chapter of an area found in real files whose kind of file is not in the folder)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        return Section() if ctx is None else fn(ctx, *args, **kwargs)

    return wrapper


def formula_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell that a spreadsheet would run as a formula made inert.

    OWASP's guidance on CSV injection: a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return is prefixed with a single quote, so a label typed into an input (a
    practice or role name) cannot execute in the analyst's spreadsheet. Numbers (a negative
    value in a numeric column) and column headings from the code are left as they are; the
    headings are checked too.
    """
    out = df.copy()
    for col in out.columns:
        values = out[col]
        if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
            continue
        risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
        if risky.any():
            out[col] = values.astype(object).where(~risky, "'" + values.astype(str))
    out.columns = [("'" + c) if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c
                   for c in out.columns]
    return out


class Report:
    """Writes take-away files for one report and renders tables and charts for the HTML.

    Parameters
    ----------
    output_dir : str or Path
        ``outputs/<slug>``; tables and charts go in sub-folders.
    chapter : str or int
        Chapter number: tables and figures are numbered "2.3" (third table of chapter 2).
    """

    def __init__(self, output_dir, chapter: str | int = ""):
        self.output_dir = Path(output_dir)
        self.tables_dir = self.output_dir / "tables"
        self.charts_dir = self.output_dir / "charts"
        self._n_tables = 0
        self._n_charts = 0
        self.chapter = str(int(chapter)) if str(chapter).isdigit() else str(chapter)
        #: The area the chapter's figures describe when it is not the report's own ("LLR STP
        #: model, not apportioned to ELR"): added to every table caption (:meth:`table`).
        self.scope: str | None = None

    def _label(self, n: int) -> str:
        return f"{self.chapter}.{n}" if self.chapter else str(n)

    # -- facts for the summary and the closing provenance section --------------------------
    # Each chapter records what it used and what it found in ``_meta/*.json`` under the
    # output folder; the summary (first) and provenance (last) sections read them back.
    def _meta_update(self, name: str, key: str, value) -> None:
        """Set ``key`` of ``_meta/<name>.json``, under a lock on the folder: chapters running
        in two kernels at once (:mod:`analysis.report.execute`) update the same files."""
        folder = self.output_dir / "_meta"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.json"
        fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            data[key] = value
            atomic_write_bytes(path, json.dumps(data, indent=1, sort_keys=True,
                                                default=str).encode("utf-8"))
        finally:
            os.close(fd)  # releases the lock

    def headline(self, chapter: str, **facts) -> None:
        """Record headline facts of a chapter for the executive summary."""
        self._meta_update("headline", chapter, facts)

    def record_inputs(self, chapter: str, inputs: dict) -> None:
        """Record a chapter's input files or folders (role -> path or None)."""
        self._meta_update("inputs", chapter, {k: (None if v is None else str(v))
                                              for k, v in inputs.items()})

    def record_parameters(self, chapter: str, parameters: dict) -> None:
        """Record a chapter's parameters for the provenance section."""
        self._meta_update("parameters", chapter, parameters)

    def record_caveats(self, chapter: str, caveats: list[str]) -> None:
        """Record a chapter's caveats for the closing section."""
        self._meta_update("caveats", chapter, list(caveats))

    def meta(self) -> dict:
        """Everything the chapters recorded."""
        out = {}
        for name in ("headline", "inputs", "parameters", "caveats"):
            path = self.output_dir / "_meta" / f"{name}.json"
            out[name] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        return out

    # -- tables ----------------------------------------------------------------------------
    def save_table(self, df: pd.DataFrame, name: str) -> Path:
        """Write a table, unrounded, to ``tables/<name>.csv`` (text cells made safe for
        spreadsheets: :func:`formula_safe`)."""
        path = self.tables_dir / f"{name}.csv"
        atomic_write_bytes(path, formula_safe(df).to_csv(index=False, lineterminator="\n")
                           .encode("utf-8"))
        return path

    def table(self, df: pd.DataFrame, name: str, caption: str, formats: dict | None = None,
              labels: dict | None = None, highlight: str | None = None,
              note: str | None = None, scope: bool = True) -> Table:
        """Save ``df`` (unrounded) as ``tables/<name>.csv`` and number it in the chapter.

        Parameters
        ----------
        df : DataFrame
            The table, unrounded; it is saved as is and kept on the result as ``.df``.
        name : str
            Stable file name (no extension).
        caption : str
            Shown above the table, numbered.
        formats : dict
            Column -> formatter (see :func:`fmt_int`, :func:`fmt_dp`).
        labels : dict
            Column -> heading shown to readers.
        highlight : str
            Value of the first column whose row is shown in bold (the report's own area).
        note : str
            Source or note shown under the table.
        scope : bool
            Add the chapter's :attr:`scope` to the caption when set (False: the table
            describes the report's own area, e.g. a CCG's indicative share).

        Returns
        -------
        Table
            Displays as the captioned, numbered HTML table with its download link.
        """
        if scope and self.scope and self.scope not in caption:
            caption = f"{caption} ({self.scope})"
        self.save_table(df, name)
        self._n_tables += 1
        return Table(df, name, caption, self._label(self._n_tables), formats or {}, labels or {},
                     highlight, note)

    def table_html(self, df: pd.DataFrame, name: str, caption: str, **kwargs) -> str:
        """:meth:`table` rendered to an HTML string (for chapters that join several blocks)."""
        return self.table(df, name, caption, **kwargs)._repr_html_()

    # -- charts ----------------------------------------------------------------------------
    def chart(self, fig, name: str, alt: str, source: str, *, title: str | None = None,
              context: str | None = None) -> Chart:
        """Save ``fig`` as ``charts/<name>.png`` with a source line, numbered in the chapter.

        Parameters
        ----------
        fig : matplotlib Figure
            The chart.
        name, alt, source : str
            File name, alt text (stating the values shown) and the source line.
        title : str, optional
            The chart's message ("15.6% of GPs are aged 55 or over"), printed above it.
        context : str, optional
            The area and the data date ("LLR, 2017-10"), printed under the title.

        Returns
        -------
        Chart
            Displays as the numbered figure with alt text and a link to the PNG; ``.png`` holds
            the image bytes.
        """
        self._n_charts += 1
        for problem in bar_axis_problems(fig):  # recorded in _meta/warnings.txt by the runner
            print(f"chart {name}: {problem}", file=sys.stderr, flush=True)
        header = title or drawn_title(fig)
        if title or context:
            _add_header_strip(fig, title, context)
        _add_source_strip(fig, f"Source: {source}")
        if os.environ.get("GPW_SYNTHETIC") == "1":  # set by the runner for synthetic inputs
            fig.text(0.5, 0.5, "SYNTHETIC DEMO DATA", rotation=25, fontsize=34, color="#B0B0B0",
                     alpha=0.35, ha="center", va="center", fontweight="bold", zorder=1000)
        buf = io.BytesIO()
        # no bbox_inches="tight": it draws the figure twice; charts lay themselves out. Nor the
        # place-holder layout engine fig.tight_layout() leaves behind: with one, savefig draws
        # the whole figure once more before printing it (same pixels, twice the time).
        fig.set_layout_engine(None)
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        data = buf.getvalue()
        atomic_write_bytes(self.charts_dir / f"{name}.png", data)
        return Chart(data, name, alt, self._label(self._n_charts), header, context or "")

    def figure_html(self, fig, name: str, alt: str, source: str) -> str:
        """:meth:`chart` rendered to an HTML string (for chapters that join several blocks)."""
        return self.chart(fig, name, alt, source)._repr_html_()


def _header_lines(text: str | None, width_in: float, size: float, em: float) -> list[str]:
    """``text`` wrapped to the figure's width (``em``: a character's mean width as a share of
    the font size; bold is wider)."""
    if not text:
        return []
    return textwrap.wrap(text, max(20, int((width_in - 0.2) * 72 / (size * em)))) or [text]


def _add_header_strip(fig, title: str | None, context: str | None) -> None:
    """Make room above the chart for its message (bold) and its area and data date (grey),
    each wrapped to the figure's width: the figure grows and every axes and text keeps its
    size and place below the strip."""
    w, h = fig.get_size_inches()
    blocks = [(lines, size, style) for lines, size, style in (
        (_header_lines(title, w, 10.5, 0.66), 10.5, {"fontweight": "bold", "color": "#111111"}),
        (_header_lines(context, w, 8.5, 0.58), 8.5, {"color": "#555555"})) if lines]
    n = sum(len(lines) for lines, _, _ in blocks)
    strip_in = 0.12 + 0.24 * n
    total = h + strip_in
    for ax in fig.axes:
        pos = ax.get_position()
        ax.set_position([pos.x0, pos.y0 * h / total, pos.width, pos.height * h / total])
    for t in fig.texts:
        x, y = t.get_position()
        t.set_position((x, y * h / total))
    fig.set_size_inches(w, total)
    first = 0  # lines above this block; line i is centred 0.2 + 0.24 i inches from the top
    for lines, size, style in blocks:
        middle = 0.2 + 0.24 * (first + (len(lines) - 1) / 2)
        fig.text(0.01, 1 - middle / total, "\n".join(lines), fontsize=size, ha="left",
                 va="center", linespacing=0.24 * 72 / (size * 1.2), **style)
        first += len(lines)


def area_label(name: str) -> str:
    """An area name from a return (``EAST LEICESTERSHIRE AND RUTLAND``, ``LLR STP Total``) as
    readers write it: "East Leicestershire and Rutland", "LLR STP total"; acronyms kept."""
    small = {"and", "of", "the", "on", "upon"}
    words = []
    for i, w in enumerate(str(name).split()):
        if w.isupper() and len(w) <= 4 and w.lower() not in small | {"city", "west", "east"}:
            words.append(w)  # LLR, STP, CCG, NHS
        elif i and w.lower() in small | {"total"}:
            words.append(w.lower())
        else:
            words.append(w[:1].upper() + w[1:].lower())
    return " ".join(words)


def _add_source_strip(fig, text: str, strip_in: float = 0.3) -> None:
    """Make room under the charts for a source line: the figure grows by ``strip_in`` inches
    and every axes keeps its size and place above the strip (no extra draw needed)."""
    w, h = fig.get_size_inches()
    total = h + strip_in
    for ax in fig.axes:
        pos = ax.get_position()
        ax.set_position([pos.x0, (pos.y0 * h + strip_in) / total, pos.width,
                         pos.height * h / total])
    for t in fig.texts:  # suptitles and figure notes keep their distance from the top
        x, y = t.get_position()
        t.set_position((x, (y * h + strip_in) / total))
    fig.set_size_inches(w, total)
    fig.text(0.01, 0.35 * strip_in / total, text, fontsize=8, color="#555555", ha="left",
             va="center")


REPORT_CSS = render("report.css.j2")
