# cp-conference-audit: `make help` lists the targets.
# Every target runs inside the project's own virtual environment, which the
# first target to need it creates from requirements.lock, and calls the same
# `python -m helpers COMMAND` that works without make (src/helpers/__main__.py).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# Another environment beside .venv, e.g. for a second Python: make test PYTHON=python3.13 VENV=.venv-3.13
VENV ?= .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed

# What a user may set (make report RAW=... ICPC_WORKING_DAYS=20 ...). The Makefile holds no defaults:
# an empty value means "not given", and helpers.measures.Parameters holds the only defaults.
# Each is exported unexpanded ($(value ...)), so a path with an apostrophe, parentheses, spaces,
# `$` or non-ASCII text reaches the pipeline exactly as typed, never through the shell.
USER_VARIABLES := RAW EARLIER WINDOW_START WINDOW_END PUBLISH ALLOW_LATER \
	REPORT_SHARE_WORKING_DAYS ICPC_WORKING_DAYS CORE_GROUP_WORKING_DAYS HEALTH_COUNTS_AS_ONE EXPECTED_STANDARD \
	AUDIT CONFIRM OUT AUDIT_DEFINITION
$(foreach name,$(USER_VARIABLES),$(eval export CPA_$(name) = $$(value $(name))))
# The names given on make's command line, which the pipeline checks: make would silently ignore a misspelt one.
export CPA_GIVEN := $(foreach name,$(.VARIABLES),$(if $(filter command line,$(origin $(name))),$(name)))

.PHONY: help setup report check template test lab demo screenshots benchmark lock clean-outputs

help: ## List the targets and the values make report accepts
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN{FS=":.*## "}{printf "  make %-13s %s\n", $$1, $$2}'
	@echo ""
	@echo "make report accepts, each optional (make check takes RAW and the window):"
	@echo "  RAW=path.xlsx                the audit workbook (default: the synthetic demo)"
	@echo "  EARLIER=\"a.xlsx; b.xlsx\"     earlier audits to compare with, separated by ; (any path works);"
	@echo "                               ALLOW_LATER=1 when one ends after RAW's window"
	@echo "  WINDOW_START=dd/mm/yyyy      override the Audit sheet's window (WINDOW_END likewise)"
	@echo "  REPORT_SHARE_WORKING_DAYS=N  whole numbers of working days (defaults in docs/measures.md);"
	@echo "  ICPC_WORKING_DAYS=N          likewise CORE_GROUP_WORKING_DAYS=N"
	@echo "  HEALTH_COUNTS_AS_ONE=true    or false: health agencies count as one group for quoracy"
	@echo "  EXPECTED_STANDARD=80         the percentage a measure is judged against when no target is set"
	@echo "  AUDIT_DEFINITION=audits/neglect.yaml  another audit's definition (default: audits/cp-conferences.yaml);"
	@echo "                               its own parameters are given the same way (STRATEGY_WORKING_DAYS=5)"

setup: $(VENV_STAMP) ## Create the virtual environment, Jupyter kernel and git filters

$(VENV_STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) src/helpers/supported_python.py
	@echo "setup: creating the project environment in $(VENV) (first run takes a few minutes)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet --progress-bar off -r requirements.lock
	@$(PY) -m pip install --quiet --no-deps -e .
	@$(PY) -m helpers setup
	@touch $@

report: $(VENV_STAMP) ## Report one audit: RAW=workbook (default: the synthetic demo), EARLIER="a.xlsx; b.xlsx"
	@$(PY) -m helpers report

check: $(VENV_STAMP) ## For the audit team: RAW=workbook is checked and a feedback file lists every problem by row
	@$(PY) -m helpers check

template: $(VENV_STAMP) ## Write a blank audit workbook with drop-downs (OUT=path to choose where)
	@$(PY) -m helpers template

demo: $(VENV_STAMP) ## Write the synthetic demo workbooks (current and earlier audit) to data/raw
	@$(PY) -m helpers demo

test: $(VENV_STAMP) ## Run the whole test suite (PYTEST_ARGS='-m "not slow"' for the quick part)
	@$(PY) -m helpers test $(PYTEST_ARGS)

lab: $(VENV_STAMP) ## Open JupyterLab on the project kernel
	@$(PY) -m helpers lab

screenshots: demo ## Screenshots of the demo report (first screen, one key line, recommendations; with its earlier audit) in docs/screenshots
	@$(PY) -m helpers report --raw data/raw/SYNTHETIC_demo_audit_workbook.xlsx \
		--earlier data/raw/SYNTHETIC_demo_earlier_audit_workbook.xlsx >/dev/null
	@$(PY) tools/screenshots.py --out docs/screenshots --reaudit
	@$(PY) -m helpers report >/dev/null
	@$(PY) tools/screenshots.py --out docs/screenshots

benchmark: $(VENV_STAMP) ## Time make report against the papermill floor, in a temporary copy (your outputs are untouched)
	@$(PY) benchmarks/bench_report.py

lock: ## Re-resolve requirements.in into requirements.lock
	@$(PYTHON) src/helpers/supported_python.py
	@rm -rf build/lockenv && $(PYTHON) -m venv build/lockenv
	@build/lockenv/bin/pip install --quiet -r requirements.in
	@build/lockenv/bin/pip freeze --exclude-editable > requirements.lock
	@echo "lock: requirements.lock rewritten; update environment.yml to the same versions"

clean-outputs: $(VENV_STAMP) ## Remove one audit's outputs (AUDIT=<id>), or list them and remove all with CONFIRM=1; never data/raw
	@$(PY) -m helpers clean-outputs
