"""``python -m analysis <command>``: the command line (:mod:`analysis.cli`)."""

from analysis.cli import app

app(prog_name="python -m analysis")
