"""Loose forms of names, places and column headers, so that "Saint-Étienne" and "SAINT ETIENNE"
compare equal: for headers, choices and duplicate rows in imports, and for register matching."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’`´.,_/]+")
_SAINT = re.compile(r"\bst(e?)\b")


def normalise(value):
    """Lower case, no accents, hyphens and apostrophes as spaces, single spaces."""
    value = unicodedata.normalize("NFKD", str(value or ""))
    value = "".join(char for char in value if not unicodedata.combining(char))
    value = value.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    value = _SEPARATORS.sub(" ", value.casefold()).strip()
    return value


def normalise_place(value):
    """normalise() plus the usual abbreviations of place names (St, Ste)."""
    return _SAINT.sub(lambda m: "sainte" if m.group(1) else "saint", normalise(value))


def normalise_header(value):
    """normalise() without the quotes and byte-order mark a spreadsheet leaves around a header."""
    return normalise(str(value or "").replace("\ufeff", "").strip().strip('"'))
