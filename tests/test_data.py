"""Tests for nllce.data: the word lists of Chapter 7, read from installed packages.

Reference values are read independently from the packages themselves (Faker's it_IT person
provider, the ``names`` package's data files) with plain Python.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import names
import pytest
from faker.providers.person.it_IT import Provider

from nllce import italian_first_names, us_census_first_names


def _census_file(filename: str) -> set[str]:
    text = (Path(names.__file__).parent / filename).read_text(encoding="ascii")
    return {line.split()[0].lower() for line in text.splitlines() if line.strip()}


def test_italian_names_are_faker_male_and_female_lower_cased_unique_sorted():
    expected = sorted(
        {n.lower() for n in (*Provider.first_names_male, *Provider.first_names_female)}
    )
    got = italian_first_names()
    assert got == expected
    # Faker 40.63: 274 male and 188 female entries, 273 and 185 unique, none in both lists
    male = {n.lower() for n in Provider.first_names_male}
    female = {n.lower() for n in Provider.first_names_female}
    assert (len(male), len(female), len(male & female)) == (273, 185, 0)
    assert len(got) == 273 + 185 == 458
    assert len(set(got)) == len(got) and got == sorted(got)


def test_italian_names_keep_their_accents_unless_asked():
    accented = [n for n in italian_first_names() if not n.isascii()]
    assert accented == ["giosuè", "niccolò", "nicolò"]
    stripped = italian_first_names(strip_accents=True)
    assert {"giosue", "niccolo", "nicolo"} <= set(stripped)
    assert all(n.isascii() and n.isalpha() for n in stripped)
    letters = set("".join(italian_first_names())) - {"è", "ò"}
    assert letters == set("abcdefghijklmnopqrstuvwxyz") - {"w", "x"}  # 24 letters
    assert stripped == sorted(set(stripped))


def test_census_names_are_both_files_lower_cased_unique_sorted():
    male, female = _census_file("dist.male.first"), _census_file("dist.female.first")
    assert (len(male), len(female), len(male & female)) == (1219, 4275, 331)
    got = us_census_first_names()
    assert got == sorted(male | female)
    assert len(got) == 1219 + 4275 - 331 == 5163
    assert set("".join(got)) == set("abcdefghijklmnopqrstuvwxyz")


@pytest.mark.parametrize(
    ("loader", "module", "package"),
    [
        (italian_first_names, "faker.providers.person.it_IT", "Faker"),
        (us_census_first_names, "names", "names"),
    ],
)
def test_missing_optional_package_raises_naming_it(monkeypatch, loader, module, package):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    message = f"this loader needs the optional package {package!r}: pip install {package}"
    with pytest.raises(ImportError, match=re.escape(message)):
        loader()
    with pytest.raises(ImportError, match=re.escape('(or pip install "nllce[data]")')):
        loader()
