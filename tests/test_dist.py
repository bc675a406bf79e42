"""nllce as a reader installs it: the wheel, alone, in a clean virtual environment.

The sdist and the wheel are built from this tree (``python -m build``, as ``make dist`` does),
their metadata must pass ``twine check --strict``, and the wheel must hold every file of the
package. Then a virtual environment with nothing in it but the wheel and NumPy (the version
pinned in requirements.txt) runs every docstring example of the installed package and the
README's examples, from a folder where this repository's source cannot be imported by mistake.
This takes some seconds: it builds, creates a virtual environment and installs NumPy.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run inside the clean environment: which distributions are there, where nllce comes from, and
# the doctests of every module of the installed package and of the README.
IN_CLEAN_ENV = r"""
import doctest, importlib, importlib.metadata, json, pkgutil, sys
import nllce

flags = doctest.NORMALIZE_WHITESPACE
results = {}
modules = ["nllce"] + [f"nllce.{m.name}" for m in pkgutil.iter_modules(nllce.__path__)]
for name in modules:
    if name == "nllce.data":  # its examples need the optional data packages (nllce[data])
        continue
    r = doctest.testmod(importlib.import_module(name), optionflags=flags, verbose=False)
    results[name] = [r.attempted, r.failed]
missing_data = {}
for loader in ("italian_first_names", "us_census_first_names"):
    try:
        getattr(nllce, loader)()
    except ImportError as exc:
        missing_data[loader] = str(exc)
r = doctest.testfile(sys.argv[1], module_relative=False, optionflags=flags, verbose=False)
results["README.md"] = [r.attempted, r.failed]
print(json.dumps({
    "file": nllce.__file__,
    "version": nllce.__version__,
    "metadata_version": importlib.metadata.version("nllce"),
    "distributions": sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions()),
    "doctests": results,
    "missing_data": missing_data,
}))
"""


def _run(*cmd, cwd=None):
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (
        f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def _pinned(package: str) -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.lower().startswith(f"{package}=="):
            return line.strip()
    raise AssertionError(f"{package} is not pinned in requirements.txt")


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    pytest.importorskip("build", reason="the package build (pinned in requirements.txt)")
    pytest.importorskip("twine", reason="the package twine (pinned in requirements.txt)")
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    return out


@pytest.fixture(scope="module")
def clean_env(dist, tmp_path_factory):
    """A virtual environment without pip, into which pip puts only the wheel and NumPy."""
    here = tmp_path_factory.mktemp("clean")
    venv = here / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    (wheel,) = dist.glob("*.whl")
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
        "--disable-pip-version-check", "--no-input", wheel, _pinned("numpy"),
    )  # fmt: skip
    shown = _run(python, "-I", "-c", IN_CLEAN_ENV, ROOT / "README.md", cwd=here)
    return venv, json.loads(shown)


def test_the_sdist_and_the_wheel_are_built_and_pass_twine_check(dist):
    names = sorted(p.name for p in dist.iterdir())
    assert len(names) == 2, names
    assert any(n.endswith(".tar.gz") for n in names) and any(n.endswith(".whl") for n in names)
    out = _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert out.count("PASSED") == 2, out


def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(dist):
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = {n for n in zf.namelist() if ".dist-info/" not in n}
    source = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "nllce").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert shipped == source, (
        f"missing from the wheel: {sorted(source - shipped)}; "
        f"in the wheel but not in nllce/: {sorted(shipped - source)}"
    )


def test_the_installed_wheel_is_alone_with_numpy(clean_env):
    venv, shown = clean_env
    assert shown["distributions"] == ["nllce", "numpy"]
    assert Path(shown["file"]).is_relative_to(venv), f"nllce imported from {shown['file']}"
    assert shown["version"] == shown["metadata_version"]


def test_every_doctest_of_the_installed_package_and_the_readme_passes(clean_env):
    _, shown = clean_env
    doctests = shown["doctests"]
    failed = {name: f for name, (_, f) in doctests.items() if f}
    assert not failed, f"doctests failed in the clean environment: {failed}"
    public = [n for n in doctests if n.startswith("nllce.") and not n.startswith("nllce._")]
    empty = [n for n in [*public, "README.md"] if doctests[n][0] == 0]
    assert not empty, f"no example ran in {empty}"


def test_without_the_data_extra_each_loader_says_which_package_to_install(clean_env):
    # The clean environment has NumPy alone: the loaders of nllce.data must fail with an
    # ImportError that names the missing package and the extra, not with a bare
    # ModuleNotFoundError from deep inside the loader.
    _, shown = clean_env
    messages = shown["missing_data"]
    assert set(messages) == {"italian_first_names", "us_census_first_names"}
    assert "Faker" in messages["italian_first_names"]
    assert "names" in messages["us_census_first_names"]
    assert all("nllce[data]" in m for m in messages.values()), messages
