"""Read ``docs/figure_index.md`` and the code's table and chart names, and compare them.

Used by ``tests/test_figure_index.py`` (fast: the code and the index only) and by
``tests/test_report_e2e.py`` (every file a batch writes has an index row). Each check returns a
list of error strings, empty when the index is right, so a test can also run a check on a
doctored index and assert the errors it reports.

The index is the Markdown table under ``## Index``: one row per table or chart name and kind.
An id built from a pattern in the code (``f"pyramid_{name}"``) is written with a placeholder
(``pyramid_<name>``); a placeholder matches one or more letters, digits or underscores.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "docs" / "figure_index.md"
INDEX_HEADING = "## Index"
UNCHECKED_HEADING = "## Not yet checked by a test"
COLUMNS = ["id", "kind", "chapter", "areas", "shows", "computed by", "drawn by", "tests"]
KINDS = {"table", "chart"}
# Report methods that write a named file, and the kind of file each writes.
METHODS = {"table": "table", "table_html": "table", "save_table": "table", "chart": "chart",
           "figure_html": "chart"}
# The module defining those methods forwards its own ``name`` parameter: not a call site.
RENDERING = Path("analysis/report/rendering.py")

_TICKED = re.compile(r"`([^`]+)`")
_DOTTED = re.compile(r"^analysis(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_TEST_REF = re.compile(r"^(tests/[A-Za-z0-9_/]+\.py)::([A-Za-z_][A-Za-z0-9_]*)$")
_PLACEHOLDER = re.compile(r"<[A-Za-z_][A-Za-z0-9_]*>")


@dataclass(frozen=True)
class Row:
    """One row of the index."""

    id: str
    kind: str
    chapter: str
    areas: str
    shows: str
    computed_by: tuple[str, ...]
    drawn_by: tuple[str, ...]
    tests: tuple[str, ...]  # empty: "none"
    line: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.kind)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _section(text: str, heading: str) -> list[tuple[int, str]]:
    """The numbered lines under ``heading`` up to the next ``## `` heading."""
    out, inside = [], False
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            inside = line.strip() == heading
            continue
        if inside:
            out.append((n, line))
    return out


def parse_index(text: str) -> tuple[list[Row], list[str]]:
    """Rows of the index table and the problems found reading it.

    Parameters
    ----------
    text : str
        The Markdown of ``docs/figure_index.md`` (or a doctored copy).

    Returns
    -------
    rows : list of Row
    errors : list of str
        One line each: the line number and what is wrong (bad header, wrong number of cells,
        an unknown kind, a cell without its backticked paths, a duplicate id and kind).
    """
    rows, errors = [], []
    lines = [(n, s) for n, s in _section(text, INDEX_HEADING) if s.lstrip().startswith("|")]
    if not lines:
        return [], [f"no table under '{INDEX_HEADING}'"]
    header = [c.lower() for c in _cells(lines[0][1])]
    if header != COLUMNS:
        errors.append(f"line {lines[0][0]}: header {header} is not {COLUMNS}")
        return [], errors
    seen: dict[tuple[str, str], int] = {}
    for n, line in lines[2:]:
        cells = _cells(line)
        if len(cells) != len(COLUMNS):
            errors.append(f"line {n}: {len(cells)} cells, expected {len(COLUMNS)}")
            continue
        ident = _TICKED.findall(cells[0])
        if len(ident) != 1:
            errors.append(f"line {n}: the id must be one `name`")
            continue
        kind = cells[1]
        if kind not in KINDS:
            errors.append(f"line {n}: kind '{kind}' is not one of {sorted(KINDS)}")
        computed = tuple(_TICKED.findall(cells[5]))
        drawn = tuple(_TICKED.findall(cells[6]))
        for col, paths in (("computed by", computed), ("drawn by", drawn)):
            if not paths:
                errors.append(f"line {n}: '{col}' names no `analysis.module.function`")
            for p in paths:
                if not _DOTTED.match(p):
                    errors.append(f"line {n}: '{col}' has '{p}', not a dotted analysis path")
        if cells[7].strip().lower() == "none":
            tests: tuple[str, ...] = ()
        else:
            tests = tuple(_TICKED.findall(cells[7]))
            if not tests:
                errors.append(f"line {n}: 'tests' must be `tests/file.py::test_name` or none")
            for t in tests:
                if not _TEST_REF.match(t):
                    errors.append(f"line {n}: '{t}' is not tests/file.py::test_name")
        row = Row(ident[0], kind, cells[2], cells[3], cells[4], computed, drawn, tests, n)
        if row.key in seen:
            errors.append(f"line {n}: {row.key} already on line {seen[row.key]}")
        seen[row.key] = n
        rows.append(row)
    return rows, errors


def unchecked_list(text: str) -> set[str]:
    """The ids listed (as `` `id` `` at the start of a bullet) under the unchecked heading."""
    out = set()
    for _n, line in _section(text, UNCHECKED_HEADING):
        m = re.match(r"^\s*[-*]\s+`([^`]+)`", line)
        if m:
            out.add(m.group(1))
    return out


def resolve(path: str):
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(path)


def check_functions(rows: list[Row]) -> list[str]:
    """Every 'computed by' and 'drawn by' path imports and names a callable."""
    errors = []
    for row in rows:
        for path in dict.fromkeys(row.computed_by + row.drawn_by):
            try:
                obj = resolve(path)
            except (ImportError, AttributeError) as exc:
                errors.append(f"line {row.line} ({row.id}): {path} does not resolve: {exc}")
                continue
            if not callable(obj):
                errors.append(f"line {row.line} ({row.id}): {path} is not callable")
    return errors


def _defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def check_tests(rows: list[Row], root: Path = ROOT) -> list[str]:
    """Every ``tests/file.py::name`` exists: the file, and ``def name`` at its top level."""
    errors, cache = [], {}
    for row in rows:
        for ref in row.tests:
            m = _TEST_REF.match(ref)
            if not m:
                continue
            file = root / m.group(1)
            if not file.is_file():
                errors.append(f"line {row.line} ({row.id}): {m.group(1)} does not exist")
                continue
            if file not in cache:
                cache[file] = _defined_tests(file)
            if m.group(2) not in cache[file]:
                errors.append(f"line {row.line} ({row.id}): {m.group(1)} defines no "
                              f"'def {m.group(2)}'")
    return errors


def check_unchecked(rows: list[Row], text: str) -> list[str]:
    """The ids with no test are exactly those listed under the unchecked heading."""
    none = {r.id for r in rows if not r.tests}
    listed = unchecked_list(text)
    errors = [f"{i}: no test in the index; list it under '{UNCHECKED_HEADING}'"
              for i in sorted(none - listed)]
    errors += [f"{i}: listed under '{UNCHECKED_HEADING}' but the index names a test (or has "
               "no such row)" for i in sorted(listed - none)]
    return errors


# ---------------------------------------------------------------------------------------------
# Names in the code
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeName:
    """A name passed to one of the report's writing methods."""

    id: str  # literal, or a pattern with <placeholder>s
    kind: str
    where: str  # file:line


def _name_argument(call: ast.Call):
    if len(call.args) > 1:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg == "name"), None)


def _pattern(node: ast.JoinedStr) -> str:
    out = []
    for v in node.values:
        if isinstance(v, ast.Constant):
            out.append(str(v.value))
        else:
            expr = ast.unparse(v.value)
            out.append(f"<{re.sub(r'[^A-Za-z0-9_]+', '_', expr).strip('_') or 'x'}>")
    return "".join(out)


def names_in_source(source: str, where: str) -> tuple[list[CodeName], list[str]]:
    """Names given to ``.table(``, ``.table_html(``, ``.save_table(``, ``.chart(`` and
    ``.figure_html(`` calls in Python source: literals, and f-strings as patterns.

    Returns
    -------
    names : list of CodeName
    errors : list of str
        Calls whose name is neither a string nor an f-string (the index cannot list them).
    """
    names, errors = [], []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in METHODS):
            continue
        arg = _name_argument(node)
        at = f"{where}:{node.lineno}"
        kind = METHODS[node.func.attr]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            names.append(CodeName(arg.value, kind, at))
        elif isinstance(arg, ast.JoinedStr):
            names.append(CodeName(_pattern(arg), kind, at))
        elif arg is not None:
            errors.append(f"{at}: .{node.func.attr}() name is not a string or an f-string "
                          f"({ast.unparse(arg)}); the figure index cannot list it")
    return names, errors


def notebook_sources(path: Path) -> list[tuple[str, str]]:
    """(where, source) of each code cell of a notebook, IPython magics left out."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        src = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                        for line in src.splitlines())
        out.append((f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
                    f"[cell {i}]", src))
    return out


def code_names(root: Path = ROOT) -> tuple[list[CodeName], list[str]]:
    """Every table and chart name in ``analysis/**/*.py`` and ``notebooks/*.ipynb``."""
    names, errors = [], []
    sources = [(p.relative_to(root).as_posix(), p.read_text(encoding="utf-8"))
               for p in sorted((root / "analysis").rglob("*.py"))
               if p.relative_to(root) != RENDERING]
    for nb in sorted((root / "notebooks").glob("*.ipynb")):
        sources += notebook_sources(nb)
    for where, src in sources:
        n, e = names_in_source(src, where)
        names += n
        errors += e
    return names, errors


def _normal(name: str) -> str:
    return _PLACEHOLDER.sub("<>", name)


def check_coverage(rows: list[Row], names: list[CodeName]) -> list[str]:
    """Every name in the code has a row (same id and kind; placeholders compared as such), and
    every row has a name in the code."""
    in_index = {(_normal(r.id), r.kind) for r in rows}
    in_code = {(_normal(n.id), n.kind) for n in names}
    errors = [f"{n.where}: {n.kind} '{n.id}' has no row in docs/figure_index.md"
              for n in names if (_normal(n.id), n.kind) not in in_index]
    errors += [f"line {r.line}: {r.kind} '{r.id}' is not written by any call in the code "
               "(stale row)" for r in rows if (_normal(r.id), r.kind) not in in_code]
    return errors


def id_regex(ident: str) -> re.Pattern:
    """A row id as a regular expression matching file stems (placeholders: word characters)."""
    parts = _PLACEHOLDER.split(ident)
    return re.compile("[A-Za-z0-9_]+".join(re.escape(p) for p in parts) + r"\Z")


def unindexed_files(rows: list[Row], files: list[tuple[str, str]]) -> list[str]:
    """Files (kind, stem) that no row's id matches."""
    patterns = {(kind, id_regex(r.id)) for r in rows for kind in [r.kind]}
    return sorted(f"{kind}: {stem}" for kind, stem in set(files)
                  if not any(k == kind and p.match(stem) for k, p in patterns))


def check_all(text: str, root: Path = ROOT) -> list[str]:
    """Every check of the index text against the code and the tests."""
    rows, errors = parse_index(text)
    names, code_errors = code_names(root)
    return (errors + code_errors + check_functions(rows) + check_tests(rows, root)
            + check_unchecked(rows, text) + check_coverage(rows, names))
