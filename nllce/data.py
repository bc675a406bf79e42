"""Real word lists that ship inside installed packages, for the language models of Chapter 7.

Nothing is downloaded: the names come from data files of two optional packages, imported only when
a loader is called. Install them with ``pip install "nllce[data]"`` (or ``pip install Faker
names``); ``nllce`` itself needs only NumPy.
"""

from __future__ import annotations

import importlib
import unicodedata
from pathlib import Path
from types import ModuleType

__all__ = ["italian_first_names", "us_census_first_names"]


def _require(module: str, package: str) -> ModuleType:
    """Import ``module`` or raise an ImportError that says which package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"this loader needs the optional package {package!r}: "
            f'pip install {package}  (or pip install "nllce[data]")'
        ) from error


def _strip_accents(word: str) -> str:
    """Drop combining marks after canonical decomposition: "niccolò" -> "niccolo"."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def italian_first_names(*, strip_accents: bool = False) -> list[str]:
    """Italian first names from Faker's ``it_IT`` person provider: lower-case, unique, sorted.

    The provider's ``first_names_male`` and ``first_names_female`` together, lower-cased
    (Unicode NFC form) with duplicates removed. With Faker 40.63 the lists hold 274 and 188
    entries, 273 and 185 different names, none in both: 458 names over 24 ASCII
    letters (no ``w`` and ``x``) plus ``è`` and ``ò``, which occur in three names: "giosuè",
    "niccolò" and "nicolò". They are kept as written, since the accent is part of the name;
    ``strip_accents=True`` removes it instead ("niccolo"), which leaves only ASCII letters.

    Parameters
    ----------
    strip_accents : bool, default False
        Replace accented letters by their base letter (canonical decomposition, combining marks
        dropped); duplicates that this creates are removed.

    Returns
    -------
    list of str
        The names, sorted.

    Raises
    ------
    ImportError
        If Faker is not installed (``pip install Faker``, or the ``data`` extra of nllce).

    Examples
    --------
    >>> names = italian_first_names()
    >>> names[:3], len(names)
    (['achille', 'adamo', 'adelasia'], 458)
    >>> sorted({c for name in names for c in name if not c.isascii()})
    ['è', 'ò']
    >>> all(name.isascii() for name in italian_first_names(strip_accents=True))
    True
    """
    provider = _require("faker.providers.person.it_IT", "Faker").Provider
    raw = [*provider.first_names_male, *provider.first_names_female]
    names = {unicodedata.normalize("NFC", name).strip().lower() for name in raw}
    if strip_accents:
        names = {_strip_accents(name) for name in names}
    return sorted(names)


def us_census_first_names() -> list[str]:
    """US census first names from the ``names`` package: lower-case, unique, male and female.

    The first column of the package's data files ``dist.male.first`` (1,219 names) and
    ``dist.female.first`` (4,275 names), from the 1990 US census, lower-cased; 331 names occur
    in both files, which leaves 5,163 unique names, sorted, over the 26 letters ``a`` to ``z``.

    Returns
    -------
    list of str
        The names, sorted.

    Raises
    ------
    ImportError
        If ``names`` is not installed (``pip install names``, or the ``data`` extra of nllce).

    Examples
    --------
    >>> census = us_census_first_names()
    >>> len(census), census[:3]
    (5163, ['aaron', 'abbey', 'abbie'])
    >>> "".join(sorted({c for name in census for c in name}))
    'abcdefghijklmnopqrstuvwxyz'
    """
    package = _require("names", "names")
    folder = Path(package.__file__).parent
    found: set[str] = set()
    for filename in ("dist.male.first", "dist.female.first"):
        text = (folder / filename).read_text(encoding="ascii")
        found.update(line.split()[0].lower() for line in text.splitlines() if line.strip())
    return sorted(found)
