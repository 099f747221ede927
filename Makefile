# cp-conference-audit: `make help` lists the targets.
# Every target runs inside the project's own virtual environment, which the
# first target to need it creates from requirements.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
KERNEL := cp-conference-audit

DEMO_RAW := data/raw/SYNTHETIC_demo_audit_workbook.xlsx
RAW ?= $(DEMO_RAW)
PROCESSED := data/processed
BUILD := build
# Optional overrides of the terms-of-reference window (dd/mm/yyyy or yyyy-mm-dd).
WINDOW_START ?=
WINDOW_END ?=
# Thresholds of spec section 7.
REPORT_SHARE_WORKING_DAYS ?= 2
ICPC_WORKING_DAYS ?= 15
CORE_GROUP_WORKING_DAYS ?= 10
HEALTH_COUNTS_AS_ONE ?= true
# PUBLISH=1 also writes the published (disclosure-controlled) version.
PUBLISH ?= 0

HELPERS := $(wildcard src/helpers/*.py) $(wildcard src/helpers/*.css)
# A missing RAW must reach the pipeline (which says what is wrong in one line),
# not make's own "No rule to make target".
RAW_DEP := $(if $(filter $(DEMO_RAW),$(RAW)),$(DEMO_RAW),$(if $(wildcard $(RAW)),$(RAW),FORCE))

CLEAN_PARAMS := $(BUILD)/params/clean.json
FINDINGS_PARAMS := $(BUILD)/params/findings.json
REPORT_PARAMS := $(BUILD)/params/report.json
CLEAN_STAMP := $(PROCESSED)/cases.csv
FINDINGS_STAMP := $(PROCESSED)/findings.csv
REPORT_STAMP := $(BUILD)/report.stamp

.PHONY: help setup report test lab demo screenshots benchmark lock clean-outputs FORCE

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN{FS=":.*## "}{printf "  make %-13s %s\n", $$1, $$2}'

setup: $(VENV_STAMP) ## Create the virtual environment, Jupyter kernel and git filters

$(VENV_STAMP): requirements.lock pyproject.toml
	@echo "setup: creating the project environment in $(VENV) (first run takes a few minutes)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet --progress-bar off -r requirements.lock
	@$(PY) -m pip install --quiet --no-deps -e .
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (cp-conference-audit)" >/dev/null
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(VENV)/bin/nbstripout --install --attributes .gitattributes; fi
	@touch $@
	@echo "setup: done"

# Parameter files change only when a value changes, so make re-runs exactly
# the stages whose parameters moved.
$(CLEAN_PARAMS): FORCE
	@mkdir -p $(@D)
	@printf '{"raw": "%s", "window_start": "%s", "window_end": "%s"}\n' '$(RAW)' '$(WINDOW_START)' '$(WINDOW_END)' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@

$(FINDINGS_PARAMS): FORCE
	@mkdir -p $(@D)
	@printf '{"report_share_working_days": %s, "icpc_working_days": %s, "core_group_working_days": %s, "health_counts_as_one": "%s"}\n' '$(REPORT_SHARE_WORKING_DAYS)' '$(ICPC_WORKING_DAYS)' '$(CORE_GROUP_WORKING_DAYS)' '$(HEALTH_COUNTS_AS_ONE)' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@

$(REPORT_PARAMS): FORCE
	@mkdir -p $(@D)
	@printf '{"publish": "%s"}\n' '$(PUBLISH)' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@

demo: $(DEMO_RAW) ## Write the synthetic demo workbook to data/raw

$(DEMO_RAW): src/helpers/demo.py | $(VENV_STAMP)
	@$(PY) -m helpers.demo $@

$(CLEAN_STAMP): $(RAW_DEP) notebooks/01_clean.ipynb $(HELPERS) $(CLEAN_PARAMS) | $(VENV_STAMP)
	@$(PY) -m helpers.pipeline clean --raw '$(RAW)' --window-start '$(WINDOW_START)' --window-end '$(WINDOW_END)'

$(FINDINGS_STAMP): $(CLEAN_STAMP) notebooks/02_findings.ipynb notebooks/03_secondary_findings.ipynb $(HELPERS) $(FINDINGS_PARAMS) | $(VENV_STAMP)
	@$(PY) -m helpers.pipeline findings --params $(FINDINGS_PARAMS)

$(REPORT_STAMP): $(FINDINGS_STAMP) notebooks/04_report.ipynb $(HELPERS) $(REPORT_PARAMS) | $(VENV_STAMP)
	@$(PY) -m helpers.pipeline report --publish '$(PUBLISH)'

report: $(REPORT_STAMP) ## Clean the workbook (RAW=path, default the synthetic demo), compute findings, publish reports/*.html
	@cat $(REPORT_STAMP)

test: $(VENV_STAMP) ## Run the whole test suite
	@$(PY) -m pytest

lab: $(VENV_STAMP) ## Open JupyterLab on the project kernel
	@$(VENV)/bin/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root)

screenshots: $(REPORT_STAMP) ## Screenshots of the report (summary and one key line) in docs/screenshots
	@$(PY) -m helpers.screenshots --out docs/screenshots

benchmark: $(VENV_STAMP) ## Time `make report` cold and warm
	@$(PY) benchmarks/bench_report.py

lock: ## Re-resolve requirements.in into requirements.lock
	@rm -rf $(BUILD)/lockenv && $(PYTHON) -m venv $(BUILD)/lockenv
	@$(BUILD)/lockenv/bin/pip install --quiet -r requirements.in
	@$(BUILD)/lockenv/bin/pip freeze --exclude-editable > requirements.lock
	@echo "lock: requirements.lock rewritten; update environment.yml to the same versions"

clean-outputs: ## Remove processed data, reports and build files (never data/raw)
	@rm -rf $(BUILD) reports/*.html $(PROCESSED)/*.csv $(PROCESSED)/*.json

FORCE:
