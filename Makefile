# Developer shortcuts; CI runs .ci/run, which uses the same test command as `make test`.
PY ?= python

.PHONY: install lint test bench bench-scale demo schema
install:
	$(PY) -m pip install -e ".[dev]"
lint:
	$(PY) -m ruff check scoring tests bench scripts
	$(PY) -m mypy
test:
	$(PY) -m pytest
bench:
	$(PY) bench/bench_evaluate.py
	$(PY) bench/bench_read.py
bench-scale:
	$(PY) bench/bench_scale.py
demo:
	qd274 score inputs/yen_the_2023/
schema:
	$(PY) -c "from scoring.criteria import write_schema; print(write_schema())"
