"""Every kind of bad file gives a report naming rows and problems, and imports nothing."""

import io

import openpyxl
import pytest

from signatories.imports.engine import import_table
from signatories.models import Organisation, Signature
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

HEADER = "email;first_name;last_name;category;postcode;departement;signed_at\n"
GOOD = "anne@example.org;Anne;Martin;individual;69100;69;12/03/2026\n"


@pytest.fixture
def campaign():
    return CampaignFactory()


def run(write_file, campaign, content, name="paper.csv", **kwargs):
    path = write_file(content, name)
    return import_table(
        path, name.rsplit(".", 1)[1], "signatures", campaign=campaign, source="paper", **kwargs
    )


def assert_nothing_imported(report):
    assert not report.committed
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "bob@example.org;Bob;Durand;individual;69100;69;31/02/2026\n",
            "column “signed_at”: impossible date “31/02/2026”",  # the file's column, not created_at
        ),
        (
            "bob@example.org;Bob;Durand;individual;69100;99;\n",
            "column “departement”: unknown département code “99”",
        ),
        ("bob@example.org;Bob;Durand;individual;00000;;\n", "unknown postcode “00000”"),
        ("bob@example.org;Bob;Durand;mayor;69100;69;\n", "“mayor” is not one of"),
        ("bob@example;Bob;Durand;individual;69100;69;\n", "not a valid email address"),
        ("bob@example.org;Bob;;individual;69100;69;\n", "column “last_name”: required, but empty"),
        ("bob@example.org;=1+1;Durand;individual;69100;69;\n", "holds a formula"),
        (
            "bob@example.org;Bob;" + "D" * 5000 + ";individual;69100;69;\n",
            "column “last_name”: Ensure this value has at most 100 characters (it has 5000)",
        ),
        ("bob@example.org;Bob;Durand;individual;69100;69;;extra\n", "more cells than the header"),
        ("ANNE@example.org;Anne;Martin;individual;69100;69;\n", "duplicate of row 2"),
    ],
)
def test_bad_rows(write_file, campaign, line, expected):
    report = run(write_file, campaign, HEADER + GOOD + line)
    assert report.invalid == 1
    assert report.errors[0]["row"] == 3
    assert expected in " ".join(report.errors[0]["messages"]), report.errors
    assert_nothing_imported(report)


def test_commune_code_outside_departement(write_file, campaign):
    content = "last_name;category;insee_code;departement\nDurand;elected;75056;69\n"
    report = run(write_file, campaign, content)
    assert "is not in département 69" in report.errors[0]["messages"][0]
    assert_nothing_imported(report)


def test_every_bad_row_is_listed(write_file, campaign):
    bad = "x;Bob;Durand;individual;69100;69;\n"
    report = run(write_file, campaign, HEADER + GOOD + bad * 3 + GOOD.replace("anne", "zoe"))
    assert [error["row"] for error in report.errors] == [3, 4, 5]
    assert report.total == 5 and report.invalid == 3
    assert_nothing_imported(report)


def test_missing_headers_are_named(write_file, campaign):
    report = run(write_file, campaign, "email;first_name;surname\nanne@example.org;Anne;Martin\n")
    assert "missing columns “last_name”, “category”" in report.file_problem
    assert_nothing_imported(report)


def test_no_expected_header_at_all(write_file, campaign):
    report = run(write_file, campaign, "a;b;c\n1;2;3\n")
    assert "missing columns" in report.file_problem


def test_duplicate_header(write_file, campaign):
    report = run(write_file, campaign, "last_name;last_name;category\nA;B;individual\n")
    assert "appears twice" in report.file_problem


@pytest.mark.parametrize("content", [b"", b"\n  \n", HEADER.encode()])
def test_empty_files(write_file, campaign, content):
    report = run(write_file, campaign, content)
    assert "empty" in report.file_problem or "no data rows" in report.file_problem
    assert_nothing_imported(report)


def test_windows_1252_and_bom_and_comma(write_file, campaign):
    text = "email,first_name,last_name,category\nzoe@example.org,Zoé,Lefèvre,individual\n"
    report = run(write_file, campaign, text.encode("cp1252"))
    assert report.ok and report.committed, report.as_dict()
    assert Signature.objects.get().first_name == "Zoé"
    Signature.objects.all().delete()
    report = run(write_file, campaign, b"\xef\xbb\xbf" + text.replace(",", ";").encode())
    assert report.ok and Signature.objects.get().last_name == "Lefèvre"


def test_undecodable_and_utf16_files(write_file, campaign):
    report = run(write_file, campaign, "last_name;category\nA;individual\n".encode("utf-16"))
    assert "UTF-16" in report.file_problem
    report = run(write_file, campaign, b"last_name;category\n\x81\x8d\x8f;individual\n")
    assert "encoding is not recognised" in report.file_problem


def test_huge_cell_beyond_csv_limit(write_file, campaign):
    content = HEADER + "a@example.org;Anne;" + "x" * 1_100_000 + ";individual;;;\n"
    report = run(write_file, campaign, content)
    assert "cannot be read near line 2" in report.file_problem
    assert_nothing_imported(report)


def xlsx_bytes(rows, formula=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["B3"] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_import_and_formula_cells(write_file, campaign):
    rows = [
        ["email", "first_name", "last_name", "category"],
        ["a@example.org", "Anne", "Martin", "individual"],
        ["b@example.org", "", "Durand", "individual"],
    ]
    report = run(write_file, campaign, xlsx_bytes(rows), "list.xlsx")
    assert report.ok and report.new == 2
    Signature.objects.all().delete()
    report = run(write_file, campaign, xlsx_bytes(rows, formula='=A2&"x"'), "list.xlsx")
    assert report.errors[0]["row"] == 3 and "formula" in report.errors[0]["messages"][0]
    assert_nothing_imported(report)


def test_truncated_and_corrupt_xlsx(write_file, campaign):
    content = xlsx_bytes([["last_name", "category"], ["Martin", "individual"]])
    report = run(write_file, campaign, content[: len(content) // 2], "cut.xlsx")
    assert "truncated or corrupt" in report.file_problem
    report = run(write_file, campaign, b"PK\x03\x04 not really a zip", "fake.xlsx")
    assert "truncated or corrupt" in report.file_problem
    report = run(write_file, campaign, b"", "empty.xlsx")
    assert "empty" in report.file_problem


def test_invalid_json(write_file, campaign):
    report = run(write_file, campaign, '[{"last_name": "A", "category": "individual"},', "x.json")
    assert "JSON file is invalid at line 1" in report.file_problem
    report = run(write_file, campaign, '{"last_name": "A"}', "x.json")
    assert "list of objects" in report.file_problem
    report = run(write_file, campaign, "[]", "x.json")
    assert "no data rows" in report.file_problem


def test_organisation_checks(write_file):
    content = (
        "name;kind;insee_code;siren;email_domains\n"
        "Lyon;commune;69123;216901231;mairie-lyon.fr lyon.fr\n"
        "Nowhere;commune;ABCDE;;\n"
        "Bad siren;commune;;123456789;\n"
        "Bad domain;association;;;not a domain!\n"
    )
    report = import_table(write_file(content), "csv", "organisations")
    assert [error["row"] for error in report.errors] == [3, 4, 5]
    messages = " ".join(m for error in report.errors for m in error["messages"])
    assert "unknown commune code “ABCDE”" in messages
    assert "not a valid SIREN" in messages
    assert "not a valid email domain" in messages
    assert Organisation.objects.count() == 0


def test_french_report(write_file, campaign):
    from django.utils import translation

    with translation.override("fr"):
        report = run(write_file, campaign, HEADER + GOOD + GOOD)
        missing = run(write_file, campaign, "email;first_name\na@example.org;Anne\n")
    assert report.errors == [{"row": 3, "messages": ["doublon de la ligne 2"]}]
    assert missing.file_problem.startswith(
        "Ce n’est pas un fichier du type « Signatures (formulaires papier, listes de partenaires) » :"
        " colonnes manquantes « last_name », « category ». Colonnes attendues : email; first_name;"
    ), missing.file_problem
