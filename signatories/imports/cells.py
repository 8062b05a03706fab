"""What one cell may hold, the same rule for every import and export: formulas, and dates.

The date parser is ours: import-export's DateWidget tries one list of strptime formats, and the
register's and signature files mix dd/mm/yyyy, ISO dates and ISO times with an offset.
"""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

# Text a spreadsheet runs as a formula when it opens the file: exports prefix it with "'".
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FRENCH_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


class Formula(str):
    """A spreadsheet formula cell found by a reader (an XLSX cell of type "f")."""


def is_formula(value):
    """The import rule: a formula cell, or text that begins with "=", is refused.

    Text that begins with "+", "-" or "@" is taken as text (a phone number, "-2+3", "@Martin"):
    exports neutralise it, and our own exports come back through unneutralise().
    """
    return isinstance(value, Formula) or (isinstance(value, str) and value.startswith("="))


def neutralise(value):
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(value):
    """Undo neutralise() when reading back one of our own exports."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def parse_datetime(text):
    """dd/mm/yyyy [HH:MM[:SS]] (older files, French spreadsheets) or ISO (newer files, XLSX date
    cells); naive values are in the site's time zone. None when empty, ValueError when impossible."""
    value = _parse(text)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def parse_date(text):
    """The date of parse_datetime(text), in the site's time zone."""
    value = _parse(text)
    if value is None:
        return None
    return value.date() if timezone.is_naive(value) else timezone.localtime(value).date()


def _parse(text):
    text = str(text or "").strip()
    if not text:
        return None
    match = FRENCH_DATE_RE.match(text) if "/" in text else None
    try:
        if match:
            day, month, year, hour, minute, second = (int(part or 0) for part in match.groups())
            return datetime.datetime(year, month, day, hour, minute, second)
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(impossible_date(text)) from None


def impossible_date(text):
    return _("impossible date “%(value)s” (expected dd/mm/yyyy or yyyy-mm-dd)") % {"value": text}
