# Spine clinic FAQ assistant. `make run` sets everything up and starts it; `make test` tests it.
# Every step is a file target, so only what changed is rebuilt.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Ports and secrets come from the environment through bot/settings.py (defaults there).
# Privacy: Rasa's telemetry and error reporting would send data to Rasa's servers; the server
# switches it off itself (bot/rasa/serve.py), this covers the rasa commands run here.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
# Each `make train` retrains fully (make decides when), so Rasa's training cache only wastes disk.
export RASA_MAX_CACHE_SIZE := 0
# Rasa 3.6 pins SQLAlchemy 1.4 and its own code warns about 2.0; ours is 2.0-style already.
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
RASA := $(BIN)/rasa
VENV_STAMP := $(VENV)/.installed
SPACY_MODEL := build/spacy/en_spine
SPACY_STAMP := $(SPACY_MODEL)/meta.json
MODEL := models/spine-faq.tar.gz
WIDGET := web/dist/spine-chat.js
GATE_DATA := build/gate/cases.yml
TRAINING_DATA := data/nlu data/dialogue
PIP_QUIET := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }

# Rasa 3.6 needs Python >=3.8,<3.11: $PYTHON if set, else python3.10/3.9/3.8 on PATH, else pyenv's.
define find_python
for candidate in "$${PYTHON:-}" python3.10 python3.9 python3.8 \
    $$(ls -d "$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv")"/versions/3.{10,9,8}.* 2>/dev/null | sort -rV | sed 's|$$|/bin/python|'); do \
  if [ -n "$$candidate" ] && command -v "$$candidate" >/dev/null 2>&1 && \
     "$$candidate" -c 'import sys; sys.exit(not (3, 8) <= sys.version_info[:2] < (3, 11))' 2>/dev/null; then \
    command -v "$$candidate"; exit 0; fi; \
done; exit 1
endef

.PHONY: help gate-data run cluster load podman images test test-unit test-fast test-stories test-deps cluster-deps validate train evaluate compare-classifiers bench spacy widget lock lint clean purge erase backup restore check-ins-due staff-user

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(VENV_STAMP): requirements/lock.txt requirements/nodeps.txt pyproject.toml
	@python="$$($(find_python))" || { \
	  echo "No Python >=3.8,<3.11 found (Rasa 3.6 needs one). Install one, e.g. 'pyenv install 3.10', or set PYTHON=/path/to/python3.10." >&2; exit 1; }; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); fi
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/lock.txt $(PIP_QUIET)
	$(BIN)/pip install --quiet --require-hashes --no-deps --no-build-isolation -r requirements/nodeps.txt $(PIP_QUIET)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation --editable . $(PIP_QUIET)
	touch $@

$(SPACY_STAMP): $(VENV_STAMP) data/vocabulary.yml data/warning_signs.yml data/timelines.yml bot/timelines/data.py bot/spinal_levels.py bot/durations.py bot/names.py $(wildcard bot/language/*.py)
	$(PY) -m bot.language.build $(SPACY_MODEL)

# The model's own code: the custom components and policies config.yml names (bot/rasa/<module>).
MODEL_CODE := $(shell grep -o 'bot\.rasa\.[a-z_]*' config.yml | sort -u | sed 's|\.|/|g; s|$$|.py|')

# The classifier also reads the passages the FAQ answers cite, the clinic profile's among them.
$(MODEL): $(SPACY_STAMP) config.yml domain.yml $(shell find $(TRAINING_DATA) -type f 2>/dev/null) $(MODEL_CODE) \
    data/sources/passages.yml data/clinic.yml
	@mkdir -p build; start=$$(date +%s); \
	$(RASA) train --force --data $(TRAINING_DATA) --out models --fixed-model-name spine-faq; \
	echo $$(( $$(date +%s) - start )) > build/training-seconds.txt
	touch $@

# One build makes both pages' bundles: the widget and the staff console (web/console, Chart.js).
$(WIDGET): web/package.json web/package-lock.json web/build.mjs $(wildcard web/src/*) $(wildcard web/console/*)
	cd web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

widget: $(WIDGET) ## build the chat widget and the staff console's page (npm registry, no CDN)

# Debian packages, installed as root if missing (their own downloads, e.g. Playwright's browsers,
# cannot work here): `make cluster` needs PostgreSQL, Redis and nginx; the tests also chromium and
# its chromedriver, openssl (the front door's and the secured PostgreSQL's test certificates) and
# systemd (systemd-analyze checks the units of deploy/systemd). Each entry is <command or file that
# shows it is installed>=<package>.
CLUSTER_PACKAGES := /usr/lib/postgresql/*/bin/initdb=postgresql /usr/bin/redis-server=redis-server /usr/sbin/nginx=nginx
TEST_PACKAGES := chromium=chromium chromedriver=chromium-driver openssl=openssl systemd-analyze=systemd $(CLUSTER_PACKAGES)
define debian_packages
missing=""; for entry in $(1); do \
  ls $${entry%%=*} >/dev/null 2>&1 || command -v "$${entry%%=*}" >/dev/null || missing="$$missing $${entry#*=}"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" != 0 ]; then echo "Needs Debian packages:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
endef

test-deps:
	@$(call debian_packages,$(TEST_PACKAGES))

cluster-deps:
	@$(call debian_packages,$(CLUSTER_PACKAGES))

# Containers (deploy/images, deploy/kubernetes): Debian's podman, run as root with runc and cgroupfs
# (crun fails on these machines; deploy/images/containers.conf), and debootstrap for the base image.
PODMAN_PACKAGES := podman=podman /usr/sbin/debootstrap=debootstrap /usr/sbin/runc=runc
CONTAINERS_CONF := /etc/containers/containers.conf
IMAGE_TAG ?= latest
WHEELS_STAMP := build/images/context/wheels/.complete

podman: ## install podman, runc and debootstrap (Debian packages, as root) and configure podman for this machine
	@$(call debian_packages,$(PODMAN_PACKAGES))
	@if [ ! -e $(CONTAINERS_CONF) ]; then install -D -m 644 deploy/images/containers.conf $(CONTAINERS_CONF); \
	elif ! cmp -s deploy/images/containers.conf $(CONTAINERS_CONF); then \
	  for setting in 'runtime = "runc"' 'cgroup_manager = "cgroupfs"' 'default_ulimits = \[\]'; do \
	    grep -q "^ *$$setting" $(CONTAINERS_CONF) || { echo "$(CONTAINERS_CONF) needs $$setting (see deploy/images/containers.conf)" >&2; exit 1; }; done; fi

# The wheels of the lock, for installing it offline in the images (sources where PyPI has no wheel:
# the image builds them, so the lock's hashes still hold).
$(WHEELS_STAMP): requirements/lock.txt requirements/nodeps.txt | $(VENV_STAMP)
	$(BIN)/pip download --quiet --no-deps --require-hashes -r requirements/lock.txt -r requirements/nodeps.txt -d $(@D) $(PIP_QUIET)
	touch $@

images: podman $(WHEELS_STAMP) $(MODEL) $(WIDGET) $(GATE_DATA) ## container images (localhost/spine/{rasa,actions,console,postgres,redis}:IMAGE_TAG) from Debian's packages and the lock
	deploy/images/build.sh $(PY) $(IMAGE_TAG)

# Locust, for `make load`, `make bench` and the fault tests, in its own environment (requirements/load.in).
LOCUST_STAMP := build/locust/.installed
$(LOCUST_STAMP): requirements/load.txt $(VENV_STAMP)
	@python="$$($(find_python))"; [ -x build/locust/bin/python ] || "$$python" -m venv build/locust
	build/locust/bin/pip install --quiet --require-hashes --no-deps -r requirements/load.txt $(PIP_QUIET)
	touch $@

spacy: $(SPACY_STAMP) ## build the offline spaCy pipeline

# The release gate's cases, copied from the evaluation sets and CLINC150 so that the console needs
# neither tests/ nor ../shared at run time.
$(GATE_DATA): $(VENV_STAMP) data/release_gate.yml $(shell find tests/data -name '*.yml') bot/dev/gate_data.py bot/evaluation/cases.py
	$(PY) -m bot.dev.gate_data

gate-data: $(GATE_DATA) ## the release gate's cases (build/gate/cases.yml)

train: $(MODEL) ## train the model if the data or config changed

# Not --fail-on-warnings: Rasa warns about every response only actions use (utter_disclaimer...).
validate: $(SPACY_STAMP) ## check the training data and domain (rasa data validate)
	$(RASA) data validate --data $(TRAINING_DATA)

run: $(MODEL) $(WIDGET) $(GATE_DATA) ## set up everything and start the assistant (Ctrl-C stops it)
	$(PY) -m bot.runtime.launcher

cluster: $(MODEL) $(WIDGET) $(GATE_DATA) cluster-deps ## REPLICAS Rasa servers (default 2) behind nginx on CLUSTER_PORT, PostgreSQL, Redis (Ctrl-C stops)
	$(PY) -m bot.runtime.cluster

USERS ?= 50
DURATION ?= 60
load: $(VENV_STAMP) $(LOCUST_STAMP) ## locust patients against a running assistant (make load URL=http://localhost:5080 [USERS=50] [DURATION=60])
	@[ -n "$(URL)" ] || { echo "Say which assistant: make load URL=http://localhost:5080 (make cluster) or :5005 (make run)" >&2; exit 2; }
	$(PY) -m bot.dev.load.run --url "$(URL)" --users "$(USERS)" --seconds "$(DURATION)"

test-unit: $(MODEL) $(WIDGET) $(GATE_DATA) $(LOCUST_STAMP) test-deps images ## pytest: components, grounding, actions, channels, live server, browser, pods
	@mkdir -p build/results
	$(PY) -m pytest --junitxml=build/results/pytest.xml || { $(PY) -m bot.dev.failed_tests build/results/pytest.xml; exit 1; }

test-fast: lint $(SPACY_STAMP) $(GATE_DATA) $(WIDGET) ## lint, types, and pytest without servers, databases or browsers (everyday work, ~1 min; make test runs everything)
	$(PY) -m pytest -m "not servers" -q

test-stories: $(MODEL) ## conversation tests (tests/stories) with rasa test, failing on any prediction error
	$(RASA) test core --model $(MODEL) --stories tests/stories \
	  --fail-on-prediction-errors --out build/results/stories

lint: $(VENV_STAMP) ## ruff (lint and format check) and mypy on bot/ and actions/ (rules in pyproject.toml)
	$(BIN)/ruff check bot actions tests
	$(BIN)/ruff format --check bot actions tests
	$(BIN)/mypy

test: lint validate test-unit test-stories ## everything CI runs

# Conversations are kept in TRACKER_DATABASE_URL (var/conversations.db by default); see docs/privacy.md
# (retention). Both print counts only.
purge: $(VENV_STAMP) ## remove conversations idle for more than DAYS days (make purge DAYS=30)
	@[ -n "$(DAYS)" ] || { echo "Say how many days to keep: make purge DAYS=30" >&2; exit 2; }
	$(PY) -m bot.rasa.retention purge "$(DAYS)"

erase: $(VENV_STAMP) ## remove one patient's conversation (make erase SENDER=twilio:+15551234567)
	@[ -n "$(SENDER)" ] || { echo "Say whose conversation: make erase SENDER=<conversation id>" >&2; exit 2; }
	$(PY) -m bot.rasa.retention erase "$(SENDER)"

# Backups hold patient data: keep them no longer than RETENTION_DAYS allows (docs/operations.md#backup-and-restore).
backup: $(VENV_STAMP) ## copy the conversation database to FILE (make backup FILE=<path> [FORCE=1 replaces FILE])
	@[ -n "$(FILE)" ] || { echo "Say where to write the backup: make backup FILE=<path>" >&2; exit 2; }
	$(PY) -m bot.backup backup "$(FILE)" $(if $(filter 1,$(FORCE)),--force)

restore: $(VENV_STAMP) ## replace the conversation database with FILE's, migrate it, erase again what was erased since (make restore FILE=<path> [FORCE=1])
	@[ -n "$(FILE)" ] || { echo "Say which backup to restore: make restore FILE=<path> (a file make backup wrote)" >&2; exit 2; }
	$(PY) -m bot.backup restore "$(FILE)" $(if $(filter 1,$(FORCE)),--force)

check-ins-due: $(VENV_STAMP) ## have a running Rasa server send the check-ins due (make check-ins-due [NOW=2026-01-13T01:00:00Z])
	$(PY) -m bot.check_ins.due $(if $(NOW),"$(NOW)")

# The staff console's accounts (bot/console/accounts.py): the password from a prompt, or from
# STAFF_PASSWORD when not run from a terminal. USER must be given here: the shell's $USER is not it.
staff-user: $(VENV_STAMP) ## create or reset a console account (make staff-user USER=<name> [ROLE=reviewer|admin])
	@[ "$(origin USER)" = "command line" ] || { echo "Say whose account: make staff-user USER=<name> [ROLE=reviewer|admin]" >&2; exit 2; }
	$(PY) -m bot.console.accounts "$(USER)" "$(ROLE)"

EVALUATION := tests/data/evaluation.yml

evaluate: $(MODEL) $(WIDGET) $(GATE_DATA) ## measure every set of tests/data/evaluation.yml, and one added example's reach, against the targets (reports/evaluation.json, reports/evaluation.md); replies to check-ins (reports/check_in_replies.json)
	$(PY) -m bot.dev.evaluate $(EVALUATION)
	$(PY) -m bot.dev.check_in_replies

CLASSIFIERS ?=
compare-classifiers: $(MODEL) $(WIDGET) ## the classifier designs side by side on the blind development set (reports/classifiers.json, .md); CLASSIFIERS=nearest measures only those named
	$(PY) -m bot.dev.compare_classifiers $(EVALUATION) $(foreach c,$(CLASSIFIERS),--only $(c))

bench: $(MODEL) $(WIDGET) $(LOCUST_STAMP) cluster-deps ## the speeds, one server and the cluster side by side (reports/bench.json, .md)
	$(PY) -m bot.dev.bench $(EVALUATION)

lock: $(VENV_STAMP) ## re-resolve requirements/lock.txt from requirements/main.in (needs PyPI)
	$(PY) -m venv build/uv && build/uv/bin/pip install --quiet uv==0.13.8 $(PIP_QUIET)
	build/uv/bin/uv pip compile requirements/main.in --python $(PY) --generate-hashes \
	  --python-platform x86_64-manylinux_2_28 \
	  $$(grep -v '^#' requirements/exclude-newer.txt | sed 's/^/--exclude-newer /;s/^--exclude-newer \(.*=.*\)/--exclude-newer-package \1/') \
	  -o requirements/lock.txt
	build/uv/bin/uv pip compile requirements/load.in --python $(PY) --generate-hashes \
	  --python-platform x86_64-manylinux_2_28 --exclude-newer 2025-06-15 -o requirements/load.txt

clean: ## remove everything built (keeps the virtual environment)
	rm -rf build models/*.tar.gz .rasa web/dist web/node_modules
