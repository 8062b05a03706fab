"""django-import-export widgets for our cells: text, yes or no, dates, choices, département codes."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import widgets

from signatories.geo import normalise_departement_code
from signatories.models import Departement

from .cells import parse_date, parse_datetime
from .normalise import normalise


class TextWidget(widgets.Widget):
    """Text without the spaces around it; an empty cell is "" (our text fields are never null)."""

    def clean(self, value, row=None, **kwargs):
        return str(value if value is not None else "").strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class BooleanWidget(widgets.BooleanWidget):
    """Yes or no in French or English; anything else is an error (import-export reads it as no)."""

    TRUE_VALUES = ["1", "true", "yes", "oui", "y", "o", "x", "vrai"]
    FALSE_VALUES = ["0", "false", "no", "non", "n", "faux", ""]

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().casefold()
        if text in self.TRUE_VALUES:
            return True
        if text in self.FALSE_VALUES:
            return False
        raise ValueError(_("“%(value)s” is not yes or no (1/0, oui/non)") % {"value": value})


class DateTimeWidget(widgets.Widget):
    """dd/mm/yyyy [HH:MM] or ISO in, ISO with the offset out (so that a round trip is exact)."""

    def clean(self, value, row=None, **kwargs):
        return parse_datetime(value)

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).isoformat() if value else ""


class DateWidget(widgets.Widget):
    """dd/mm/yyyy or ISO in, ISO out."""

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """A choice given by its value, or by its label in French or English, in any case or accents."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        self._lookup = None
        super().__init__(**kwargs)

    def lookup(self):
        if self._lookup is None:
            self._lookup = {}
            for value, label in reversed(self.choices.choices):
                for language in ("en", "fr"):
                    with translation.override(language):
                        self._lookup[normalise(str(label))] = value
            self._lookup.update({normalise(value): value for value in self.choices.values})
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        text = normalise(value)
        if not text:
            return None
        try:
            return self.lookup()[text]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s")
                % {"value": value, "choices": ", ".join(self.choices.values)}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DepartementWidget(widgets.ForeignKeyWidget):
    """A département by its code ("1" is "01"); the 101 of them are read once per import (our own
    dict: import-export's CachedForeignKeyWidget builds a namedtuple class at every lookup)."""

    def __init__(self, **kwargs):
        super().__init__(Departement, field="code", **kwargs)
        self._by_code = None

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        if self._by_code is None:
            self._by_code = {
                departement.code: departement for departement in Departement.objects.all()
            }
        try:
            return self._by_code[normalise_departement_code(text) or text]
        except KeyError:
            raise ValueError(_("unknown département code “%(code)s”") % {"code": text}) from None

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""
