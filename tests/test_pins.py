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
