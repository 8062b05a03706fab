"""Names and organisations are stored without the characters that would make them display as
something else (bidirectional controls, zero-width characters), and on one line."""

import pytest

from signatories.forms import SignatureForm
from signatories.text import strip_invisible

pytestmark = pytest.mark.django_db

# Each category with the fields it stores (tuples: each xdist process collects them in the same
# order) and what else it needs to be valid.
CATEGORIES = {
    "individual": (("first_name", "last_name"), {}),
    "authority": (
        ("authority_name", "representative_title"),
        {"authority_kind": "commune", "authority_code": "69123"},
    ),
    "elected": (("territory",), {"office": "Maire"}),
    "professional": (("job_title", "establishment"), {}),
    "organisation": (("organisation", "organisation_role"), {}),
}
FIELDS = [(category, name) for category, (names, _) in CATEGORIES.items() for name in names]


def clean(sign_data, category="individual", **fields):
    extra = CATEGORIES[category][1]
    values = dict.fromkeys(CATEGORIES[category][0], "Valeur")
    form = SignatureForm(sign_data(category=category, **{**values, **extra, **fields}))
    assert form.is_valid(), form.errors
    return form.cleaned_data


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\u202eevil\u202c", "evil"),  # right-to-left override: would show "live"
        ("Ca\u200bmi\u200dlle\ufeff", "Camille"),  # zero-width space, joiner, BOM
        ("\u2066Jean\u2069 \u061cDupont\u200e\u200f", "Jean Dupont"),  # isolates, marks
        ("\u202a\u202b\u202dA\u2060\u2061\u2062\u2063\u2064B", "AB"),
        ("Médiathèque Émile-Zola", "Médiathèque Émile-Zola"),
    ],
)
@pytest.mark.parametrize(("category", "name"), FIELDS)
def test_invisible_characters_are_removed(sign_data, category, name, typed, stored):
    assert clean(sign_data, category, **{name: typed})[name] == stored


def test_what_is_stored_is_the_cleaned_value(sign_data):
    data = clean(
        sign_data,
        "professional",
        job_title="Biblio\u200bthécaire",
        establishment="\u202eMédiathèque\u202c",
    )
    assert data["title"] == "Bibliothécaire"
    assert data["organisation_name"] == "Médiathèque"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Jean\tDupont", "Jean Dupont"),
        ("Jean\r\nDupont\n", "Jean Dupont"),
        ("  Jean \t  Dupont ", "Jean Dupont"),
        ("\u200b Jean", "Jean"),  # the space the invisible character hid goes too
    ],
)
@pytest.mark.parametrize(("category", "name"), FIELDS)
def test_a_name_is_one_line(sign_data, category, name, typed, stored):
    assert clean(sign_data, category, **{name: typed})[name] == stored


@pytest.mark.parametrize(
    "name",
    [
        "👩🏽\u200d🏫 Zoë",  # an emoji sequence holds together with a joiner
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647",  # Persian spells with a non-joiner
        "Ǆemal Ŋgüyễn-Łukasz 王小明 محمد",
    ],
)
def test_joiners_that_spell_something_stay(sign_data, name):
    assert clean(sign_data, first_name=name)["first_name"] == name


def test_a_name_of_invisible_characters_only_is_missing(sign_data):
    form = SignatureForm(sign_data(first_name="\u200b\u202e\u200d", last_name="\t\n"))
    assert not form.is_valid()
    assert {"first_name", "last_name"} <= set(form.errors)


def test_the_length_limit_counts_what_is_stored(sign_data):
    assert clean(sign_data, first_name="A" * 100 + "\u200b" * 50)["first_name"] == "A" * 100
    form = SignatureForm(sign_data(first_name="A" * 101))
    assert "first_name" in form.errors


def test_other_fields_are_left_alone(sign_data):
    data = clean(sign_data, "professional", job_title="x", establishment="y")
    assert data["email"] == "camille.durand@example.org"
    assert data["postcode"] == "69001"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("plain", "plain"),
        ("\u200d", ""),
        ("Ca\u200dmille", "Camille"),  # a joiner inside a Latin name only hides
        ("é\u200dé", "éé"),
        ("\u0643\u200d\u200d\u0643", "\u0643\u0643"),  # two joiners in a row spell nothing
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),
        ("a\tb\nc", "a\tb\nc"),  # line breaks are the form field's business
    ],
)
def test_strip_invisible(value, expected):
    assert strip_invisible(value) == expected
