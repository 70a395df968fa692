# The two commands of the README: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# One BLAS thread per process: on a 2-core server shared by a class, threaded BLAS inside small
# per-example matrix products stalled for milliseconds at a time (runs 3–6× slower under load).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: run serve test bench load clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run app.py --server.port $${PORT:-8501} --server.address $${HOST:-localhost}

# For a class: WORKERS Streamlit processes behind nginx on PORT (Redis for the room store when
# WORKERS > 1); Ctrl-C stops them all. Needs Debian's nginx (and redis-server); see README.
serve: $(STAMP)
	$(PY) scripts/serve.py --workers $${WORKERS:-2} --port $${PORT:-8501} --host $${HOST:-localhost}

test: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks

# The class at 30, 100 and 200 sessions against 1 worker and WORKERS=2 behind nginx, one worker
# killed mid-run (benchmarks.load --matrix; LOAD_ARGS="--sessions 30" for the one class), then a fresh server's cold start and hostile canvas values
# (benchmarks.coldstart); fails if either reports errors. LOAD_ARGS="--sessions 30 --room 30": the one class
# without and then with a room of 30 websocket followers (issue 15: the room's cost to the class's slider p95).
load: $(STAMP)
	$(PY) -m benchmarks.load $${LOAD_ARGS:---matrix 30,100,200 --seconds 40}; status=$$?; $(PY) -m benchmarks.coldstart || status=1; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache artifacts
