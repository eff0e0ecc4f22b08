"""The package's architecture, checked: layer contracts (import-linter) and module sizes.

The contracts are in ``pyproject.toml`` (``[tool.importlinter]``); ``make lint`` runs the same
check. ``docs/architecture.md`` describes the layers and lists the modules allowed over the size
limit, each with its reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "analysis"
ARCHITECTURE_DOC = ROOT / "docs" / "architecture.md"
MAX_LINES = 600
OVER_LIMIT_HEADING = "## Modules over 600 lines"
# Outside the layers on purpose: the demo generators (kept apart by their own contract), the
# control panel (config.py, checked to import util only), the `make data` entry point (cli.py)
# and the package's own __init__/__main__.
OUTSIDE_LAYERS = {"analysis.demo", "analysis.config", "analysis.settings", "analysis.cli",
                  "analysis.__main__"}


def _contracts() -> dict[str, dict]:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in cfg["tool"]["importlinter"]["contracts"]}


def _lint_imports_command() -> list[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())"]


def test_import_contracts_are_kept():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    run = subprocess.run([*_lint_imports_command(), str(ROOT / "pyproject.toml"), "--no-cache"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"import-linter contracts broken:\n{run.stdout}\n{run.stderr}"
    assert "0 broken" in run.stdout
    assert "Warning" not in run.stderr, run.stderr  # e.g. a deprecated option


def _top_level_modules() -> set[str]:
    out = set()
    for p in PACKAGE.iterdir():
        if p.is_dir() and (p / "__init__.py").exists():
            out.add(f"analysis.{p.name}")
        elif p.suffix == ".py" and p.name != "__init__.py":
            out.add(f"analysis.{p.stem}")
    return out


def test_every_module_is_under_a_contract():
    contracts = _contracts()
    layers = set(contracts["layers"]["layers"])
    demo_sources = set(contracts["demo-apart"]["source_modules"])
    unplaced = sorted(m for m in _top_level_modules()
                      if m not in layers and m not in OUTSIDE_LAYERS)
    assert unplaced == [], (f"{unplaced}: put each in a layer (a subpackage listed in the "
                            "layers contract in pyproject.toml), or say in docs/architecture.md "
                            "why it stands outside and add it to OUTSIDE_LAYERS here")
    uncovered = sorted(m for m in _top_level_modules() - {"analysis.demo", "analysis.cli",
                                                          "analysis.__main__"}
                       if m not in demo_sources)
    assert uncovered == [], f"{uncovered}: add to the demo-apart contract's source_modules"


def _allowed_over_limit() -> dict[str, str]:
    text = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    assert OVER_LIMIT_HEADING in text, f"docs/architecture.md needs '{OVER_LIMIT_HEADING}'"
    section = text.split(OVER_LIMIT_HEADING, 1)[1].split("\n## ", 1)[0]
    allowed = {}
    for line in section.splitlines():
        m = re.match(r"^\s*[-*]\s+`(analysis/[^`]+\.py)`[^:]*:\s*(\S.*)$", line)
        if m:
            allowed[m.group(1)] = m.group(2)
    return allowed


def _sizes() -> dict[str, int]:
    return {p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
            for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_over_the_limit_without_a_reason():
    allowed = _allowed_over_limit()
    over = {path: n for path, n in _sizes().items() if n > MAX_LINES}
    unexplained = sorted(f"{path} ({n} lines)" for path, n in over.items() if path not in allowed)
    assert unexplained == [], (f"over {MAX_LINES} lines: {', '.join(unexplained)}; split by "
                               f"concern, or give the reason under '{OVER_LIMIT_HEADING}' in "
                               "docs/architecture.md")


def test_the_over_limit_list_is_current():
    sizes = _sizes()
    stale = sorted(path for path in _allowed_over_limit()
                   if sizes.get(path, 0) <= MAX_LINES)
    assert stale == [], (f"{', '.join(stale)}: no longer over {MAX_LINES} lines (or gone); "
                         f"remove from '{OVER_LIMIT_HEADING}' in docs/architecture.md")


@pytest.mark.parametrize("contract", ["layers", "demo-apart", "config-on-util"])
def test_contract_is_configured(contract):
    assert contract in _contracts()
