# GP workforce planning toolkit. `make help` lists the targets.
# The first target that needs Python creates .venv from the pinned requirements.txt and
# registers the project's Jupyter kernel; nothing else needs installing by hand.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PIP_QUIET := 2>&1 | { grep -v -e 'is ignored: it is neither a file nor a directory' || true; }
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Installed as a dependency (jupyter-events asks for jsonschema[format-nongpl]) but never used
# here: jsonschema imports rfc3987-syntax, an IRI format checker, whenever it is present, and
# rfc3987-syntax 1.1.0 compiles a grammar with lark at import, 1.3-2 s at the start of every
# command, test worker and report (python-jsonschema/jsonschema#1428). Removed after install.
UNUSED := rfc3987-syntax lark
# Parameters are data, never code: each value is taken literally (make never expands it, so
# `$(shell ...)` typed into a value stays text) and reaches the command line through the
# environment as GPW_<NAME>, where it is validated (switches accept only yes/no, 1/0, true/false).
PARAMS := CCG STP AREA NHS_DIR PERIOD CODE INTERNAL FORCE JOBS PDF KIND ONLY
$(foreach p,$(PARAMS),$(eval override GPW_$(p) := $$(value $(p))))
export $(addprefix GPW_,$(PARAMS))
unexport $(PARAMS)

.DEFAULT_GOAL := help

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  Examples: make report CCG=wolverhampton | make report STP=black-country | make reports"

$(STAMP): requirements.txt pyproject.toml
	@echo "Setting up $(VENV) from requirements.txt (first run only, about a minute)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt $(PIP_QUIET)
	@$(PY) -m pip uninstall --quiet --disable-pip-version-check -y $(UNUSED) $(PIP_QUIET)
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e . $(PIP_QUIET)
	@$(PY) -m analysis kernel
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv (pinned packages) and register the gp-workforce kernel

data: $(STAMP) ## (Re)build the synthetic demo inputs in data/raw/demo
	$(PY) -m analysis data

report: $(STAMP) ## One area's report: make report CCG=<slug> | STP=<slug> | AREA=<code or name> [NHS_DIR=dir] [PERIOD=YYYY-MM] [CODE=1] [INTERNAL=1] [FORCE=1] [PDF=yes]
	@$(PY) -m analysis report

reports: $(STAMP) ## Every area's report, in parallel, and outputs/index.html [JOBS=n] [FORCE=1]; areas of real files: NHS_DIR=dir [KIND=icb|sub_icb|pcn|region] [PERIOD=YYYY-MM] [ONLY="QHL QUA"]
	@$(PY) -m analysis reports

bench: $(STAMP) ## Time one report against the floor, the batches (real files: NHS_DIR=dir), Monte Carlo and national scale
	@$(PY) -m analysis bench

lab: $(STAMP) ## JupyterLab with the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

test: $(STAMP) ## Run the test suite (unit, back-tests, end-to-end report, nbval)
	@$(PY) -m analysis data --if-missing >/dev/null
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	GPW_OUTPUT_ROOT="$$scratch" $(PY) -m pytest -q -n 2 --dist loadfile tests --nbval-lax notebooks

lint: $(STAMP) ## ruff, then the layer contracts (import-linter); notebooks stripped of outputs
	$(VENV)/bin/ruff check analysis tests
	$(VENV)/bin/lint-imports pyproject.toml --no-cache
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb

lock: $(STAMP) ## Re-pin requirements.txt and environment.yml from requirements.in
	$(PY) -m pip install --quiet -r requirements.in
	$(PY) -m pip uninstall --quiet -y $(UNUSED)
	$(PY) -m analysis lock

clean: ## Remove generated files (demo data, processed data, outputs); keeps .venv
	rm -rf data/raw/demo outputs/* data/processed/returns data/processed/cache .pytest_cache
	@git checkout -- outputs/README.md data/processed/README.md 2>/dev/null || true

distclean: clean ## Also remove .venv
	rm -rf $(VENV)

.PHONY: help venv data report reports bench lab test lint lock clean distclean
