"""French territorial codes: which département a postcode or an INSEE commune code belongs to."""

import csv
import re
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

POSTCODE_RE = re.compile(r"^\d{5}$")
INSEE_COMMUNE_RE = re.compile(r"^(\d{2}|2[AB])\d{3}$", re.IGNORECASE)
SIREN_RE = re.compile(r"^\d{9}$")


def read_reference(name):
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@cache
def departement_codes():
    return frozenset(row["code"] for row in read_reference("departements.csv"))


def normalise_departement_code(code):
    """'1' -> '01', '2a' -> '2A'; None when it is no département code."""
    code = (code or "").strip().upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    return code if code in departement_codes() else None


def departement_for_postcode(postcode):
    postcode = (postcode or "").strip()
    if not POSTCODE_RE.match(postcode):
        return None
    if postcode.startswith("97"):
        code = postcode[:3]
    elif postcode.startswith("20"):
        # Corsica: 200xx and 201xx are Corse-du-Sud, 202xx and 206xx Haute-Corse.
        code = "2A" if postcode[2] in "01" else "2B"
    else:
        code = postcode[:2]
    return code if code in departement_codes() else None


def departement_for_insee(insee_code):
    insee_code = (insee_code or "").strip().upper()
    if not INSEE_COMMUNE_RE.match(insee_code):
        return None
    code = insee_code[:3] if insee_code.startswith("97") else insee_code[:2]
    return code if code in departement_codes() else None


def is_valid_siren(siren):
    """Nine digits with a valid Luhn checksum (as INSEE assigns them)."""
    siren = (siren or "").strip()
    if not SIREN_RE.match(siren):
        return False
    total = 0
    for index, char in enumerate(reversed(siren)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
