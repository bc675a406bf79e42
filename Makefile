# The README's two commands: `make book` builds the book, `make test` runs every test.
# Each creates the virtual environment .venv on first use (and again when the pins change),
# so a fresh machine needs only Python >= 3.11 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.DEFAULT_GOAL := book
.PHONY: book test lint dist notebooks torch bench pins clean

$(READY): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; $(PYTHON) is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (nllce)" >/dev/null
	@touch $@

## book: strict build (warnings are errors, every chapter executed) into _build/html
book: $(READY)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

## test: unit tests, doctests of nllce, every notebook re-run and compared (nbval, strict), the
## wheel alone in a clean environment, and the built site in Chromium (skipped without either)
test: $(READY)
	$(BIN)/python -m pytest

## lint: code style of the package, tests, benchmarks and book helpers (ruff)
lint: $(READY)
	$(BIN)/ruff check nllce tests benchmarks book
	$(BIN)/ruff format --check nllce tests benchmarks book

## dist: the sdist and the wheel of nllce into _build/dist (python -m build), checked by twine
dist: $(READY)
	rm -rf _build/dist
	$(BIN)/python -m build --outdir _build/dist .
	$(BIN)/python -m twine check --strict _build/dist/*

## notebooks: re-execute every chapter in place and store its outputs (then read git diff)
notebooks: $(READY)
	$(BIN)/python book/run_notebooks.py

## torch: add PyTorch to .venv, so that `make test` also compares against it and `make bench` times it
torch: $(READY)
	$(BIN)/python -m pip install --quiet -r requirements-torch.txt

## bench: speed and memory of nllce against naive NumPy, SciPy and PyTorch, as ratios in one run;
##        then on 1 and on all threads, against PyTorch and the exp floor (bench_threads.py);
##        then the character n-gram model against NLTK (bench_ngram.py)
bench: torch
	$(BIN)/python benchmarks/bench_cross_entropy.py
	$(BIN)/python benchmarks/bench_threads.py
	$(BIN)/python benchmarks/bench_ngram.py

## pins: regenerate requirements.txt from requirements.in in a scratch environment
pins:
	rm -rf .pins-venv
	$(PYTHON) -m venv .pins-venv
	.pins-venv/bin/python -m pip install --quiet --upgrade pip
	.pins-venv/bin/python -m pip install --quiet -r requirements.in
	{ sed -n '1,3p' requirements.txt; .pins-venv/bin/python -m pip freeze --exclude pip; } > requirements.tmp
	mv requirements.tmp requirements.txt
	rm -rf .pins-venv

clean:
	rm -rf _build $(VENV)
