# Two commands are all a user needs: `make run` and `make test` (each installs first if needed).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Kedro-Viz pulls kedro-telemetry, which would try the network: keep it quiet everywhere.
export KEDRO_DISABLE_TELEMETRY := 1
export DO_NOT_TRACK := 1

.PHONY: install run test lint viz mlflow-ui bench bench-full-run clean-data

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/kedro run --pipelines=full  # = --pipeline=full (the pre-1.x spelling)

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

viz: install
	$(BIN)/kedro viz run

# The MLflow runs of this project side by side (kedro-mlflow calls `mlflow` by name).
mlflow-ui: install
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/kedro mlflow ui

bench: install
	$(BIN)/python bench/ingest_fer2013.py
	$(BIN)/python bench/synthetic_faces.py
	$(BIN)/python bench/cyclegan_step.py
	$(BIN)/python bench/cnn_step.py
	$(BIN)/python bench/generator_families_step.py
	$(BIN)/python bench/busy_neighbour.py
	$(BIN)/python bench/batched_training.py
	$(BIN)/python bench/batched_generators.py

# The whole `make run` timed on a fresh copy, with each pipeline's share (~10 min).
bench-full-run: install
	$(BIN)/python bench/full_run.py

# Remove every generated dataset and model version (keeps the layer folders).
clean-data:
	find data -mindepth 2 ! -name .gitkeep ! -name README.md -delete
