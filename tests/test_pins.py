"""requirements.txt (pip) and environment.yml (conda) carry the same pins."""

from analysis.config import ROOT
from analysis.util.pins import read_environment, read_requirements


def test_requirements_and_environment_pin_the_same_versions():
    pip_pins = read_requirements(ROOT / "requirements.txt")
    conda_pins = read_environment(ROOT / "environment.yml")
    assert len(pip_pins) > 20
    assert pip_pins == conda_pins


def test_every_top_level_dependency_is_pinned():
    pins = read_requirements(ROOT / "requirements.txt")
    wanted = [ln.strip().lower() for ln in (ROOT / "requirements.in").read_text().splitlines()
              if ln.strip() and not ln.startswith("#")]
    assert [w for w in wanted if w not in pins] == []


def test_drift_is_detected(tmp_path):
    env = (ROOT / "environment.yml").read_text()
    changed = env.replace("pandas==", "pandas==0.0.0.dev0+", 1)
    (tmp_path / "environment.yml").write_text(changed)
    assert read_environment(tmp_path / "environment.yml") != read_requirements(
        ROOT / "requirements.txt")


def test_the_slow_unused_iri_checker_is_not_installed():
    """`make venv` removes rfc3987-syntax (and lark, which only it needs): jsonschema, imported
    by nbformat in every command, would otherwise compile its grammar at import (1.3-2 s)."""
    import subprocess
    import sys

    code = "import sys, nbformat; print('rfc3987_syntax' in sys.modules, 'lark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
    pins = read_requirements(ROOT / "requirements.txt")
    assert "rfc3987-syntax" not in pins and "lark" not in pins
