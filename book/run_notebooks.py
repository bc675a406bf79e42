"""Re-execute chapters in place, top to bottom in one fresh kernel, and store their outputs.

Usage (from the repository root): ``make notebooks`` for every chapter, or
``.venv/bin/python book/run_notebooks.py book/01_likelihood.ipynb`` for some.

This is the only way outputs should be regenerated: after an intended change, run it and read
``git diff`` before committing, so every changed number is one you meant to change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parent
KERNEL = "python3"


def run(path: Path) -> None:
    """Execute the notebook at ``path`` with the book directory as working directory."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps of an earlier run
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name=KERNEL,
        record_timing=False,  # no timestamps: a re-run with the same outputs is byte-identical
        resources={"metadata": {"path": str(BOOK)}},
    )
    client.execute()
    nb.metadata["kernelspec"] = {
        "name": KERNEL,
        "display_name": "Python 3 (nllce)",
        "language": "python",
    }
    nbformat.write(nb, path)
    print(f"executed {path}")


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        run(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
