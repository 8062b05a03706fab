import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from signatories.imports.engine import import_table
from signatories.models import Signature
from signatories.register.models import Mandate, RegisterEntry
from tests.factories import CampaignFactory

from .rne_files import MAIRES, MAIRES_HEADER, import_register, maire, register_csv

pytestmark = pytest.mark.django_db


def write(tmp_path, content, name="elus-maires.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_generated_file_has_the_published_header(tmp_path):
    content = register_csv(Mandate.MAIRES, MAIRES)
    assert content.decode().splitlines()[0] == MAIRES_HEADER


def test_import_maires_creates_entries_with_normalised_names(tmp_path):
    report = import_register(write(tmp_path, register_csv("maires", MAIRES)), "maires")
    assert report.ok and report.committed
    assert (report.total, report.new, report.updated, report.left_office) == (4, 4, 0, 0)
    entry = RegisterEntry.objects.get(commune_code="69266")
    assert entry.normalised_last_name == "bernard leveque"
    assert entry.function == "Maire"
    assert entry.birth_date == datetime.date(1961, 4, 2)
    assert entry.departement_code == "69"
    assert RegisterEntry.objects.get(commune_code="97101").departement_code == "971"


def test_reimport_is_idempotent_and_marks_leavers(tmp_path):
    import_register(write(tmp_path, register_csv("maires", MAIRES)), "maires")
    again = import_register(
        write(tmp_path, register_csv("maires", MAIRES, iso_dates=False)), "maires"
    )
    assert (again.new, again.updated, again.skipped, again.left_office) == (0, 0, 4, 0)
    assert RegisterEntry.objects.count() == 4

    # Next quarter: Ajaccio elected someone else, Villeurbanne's mayor changed profession.
    next_quarter = [
        MAIRES[0] | {"profession": "Cadres de la fonction publique"},
        MAIRES[1],
        maire("2A004", "Ajaccio", "SANTONI", "Paul"),
        MAIRES[3],
    ]
    report = import_register(
        write(tmp_path, register_csv("maires", next_quarter)),
        "maires",
        today=datetime.date(2027, 1, 5),
    )
    assert (report.new, report.updated, report.skipped, report.left_office) == (1, 1, 2, 1)
    assert RegisterEntry.objects.count() == 5
    leaver = RegisterEntry.objects.get(normalised_last_name="casanova")
    assert not leaver.active and leaver.left_office_on == datetime.date(2027, 1, 5)
    assert RegisterEntry.objects.active().count() == 4

    # The mayor comes back the quarter after: same entry, in office again.
    report = import_register(write(tmp_path, register_csv("maires", MAIRES)), "maires")
    leaver.refresh_from_db()
    assert leaver.active and leaver.left_office_on is None
    assert RegisterEntry.objects.count() == 5


def test_leavers_are_per_mandate(tmp_path):
    import_register(write(tmp_path, register_csv("maires", MAIRES)), "maires")
    councillors = [
        maire("69266", "Villeurbanne", "MARTIN", "Luc") | {"function": "Adjoint au maire"}
    ]
    report = import_register(write(tmp_path, register_csv("cm", councillors), "cm.csv"), "cm")
    assert report.ok and report.left_office == 0
    assert RegisterEntry.objects.filter(mandate="maires", active=True).count() == 4
    assert RegisterEntry.objects.get(mandate="cm").function == "Adjoint au maire"


def test_other_mandate_departementaux(tmp_path):
    rows = [
        {
            "departement_code": "38",
            "departement_name": "Isère",
            "territory_code": "12",
            "territory_name": "Grenoble-3",
            "last_name": "ROUX",
            "first_name": "Élodie",
            "sex": "F",
            "birth_date": datetime.date(1980, 1, 1),
            "function": "Vice-présidente du conseil départemental",
        }
    ]
    report = import_register(write(tmp_path, register_csv("cd", rows), "cd.csv"), "cd")
    assert report.ok, report.errors
    entry = RegisterEntry.objects.get()
    assert (entry.territory_code, entry.departement_code) == ("12", "38")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        # Each message names the column as the published file does.
        ({"birth_date": "31/02/1970"}, "column “Date de naissance”: impossible date “31/02/1970”"),
        ({"birth_date": "1970-13-01"}, "column “Date de naissance”: impossible date"),
        (
            {"birth_date": "2090-01-01"},
            "column “Date de naissance”: the birth date is in the future",
        ),
        (
            {"departement_code": "99"},
            "column “Code du département”: unknown département code “99”",
        ),
        ({"commune_code": "ABCDE"}, "column “Code de la commune”: unknown commune code “ABCDE”"),
        ({"commune_code": "75056"}, "is not in département 69"),
        ({"last_name": ""}, "column “Nom de l'élu”: required, but empty"),
        (
            {"last_name": "X" * 400},
            "column “Nom de l'élu”: Ensure this value has at most 100 characters (it has 400)",
        ),
        # The signature import's formula rule: a cell that begins with "=" is refused.
        (
            {"last_name": '=HYPERLINK("http://example.org","DUPONT")'},
            "column “Nom de l'élu”: holds a formula, which is not accepted",
        ),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_imported(tmp_path, row, message):
    rows = [MAIRES[1], MAIRES[0] | row]
    report = import_register(write(tmp_path, register_csv("maires", rows)), "maires")
    assert not report.committed and report.invalid == 1
    assert report.errors[0]["row"] == 3
    assert message in " ".join(report.errors[0]["messages"])
    assert RegisterEntry.objects.count() == 0


def test_duplicate_rows_are_reported(tmp_path):
    report = import_register(
        write(tmp_path, register_csv("maires", [*MAIRES, MAIRES[0]])), "maires"
    )
    assert report.errors == [{"row": 6, "messages": ["duplicate of row 2"]}]
    assert RegisterEntry.objects.count() == 0


def test_missing_columns_name_them(tmp_path):
    content = register_csv("maires", MAIRES).decode().replace('"Date de naissance"', '"Naissance"')
    report = import_register(write(tmp_path, content.encode()), "maires")
    assert "missing columns “Date de naissance”" in report.file_problem


def test_wrong_mandate_file(tmp_path):
    report = import_register(write(tmp_path, register_csv("maires", MAIRES)), "cd")
    assert "“Departmental councillors” file as published" in report.file_problem
    assert "Code du canton" in report.file_problem
    assert "Its columns are those of “Register of elected officials: the “Mayors” file" in (
        report.file_problem
    )
    assert RegisterEntry.objects.count() == 0


@pytest.mark.parametrize("content", [b"", b"\n\n", MAIRES_HEADER.encode() + b"\n"])
def test_empty_files(tmp_path, content):
    report = import_register(write(tmp_path, content), "maires")
    assert report.file_problem and not report.committed


def test_windows_1252_and_bom(tmp_path):
    report = import_register(
        write(tmp_path, register_csv("maires", MAIRES[:2], encoding="cp1252")), "maires"
    )
    assert report.ok, report.file_problem
    assert RegisterEntry.objects.filter(last_name="BERNARD-LÉVÊQUE").exists()
    bom = b"\xef\xbb\xbf" + register_csv("maires", MAIRES)
    report = import_register(write(tmp_path, bom), "maires")
    assert report.ok and report.new == 2


def test_dry_run_commits_nothing(tmp_path):
    report = import_register(
        write(tmp_path, register_csv("maires", MAIRES)), "maires", dry_run=True
    )
    assert report.ok and report.new == 4 and not report.committed
    assert RegisterEntry.objects.count() == 0


def test_management_command(tmp_path, capsys):
    path = write(tmp_path, register_csv("maires", MAIRES))
    call_command("import_register", str(path), "--mandate", "maires")
    assert "4 new" in capsys.readouterr().out
    bad = write(
        tmp_path, register_csv("maires", [MAIRES[0] | {"birth_date": "30/02/1960"}]), "bad.csv"
    )
    with pytest.raises(CommandError, match="1 invalid row"):
        call_command("import_register", str(bad), "--mandate", "maires")


def test_import_file_command_reads_register_files(tmp_path, capsys):
    path = write(tmp_path, register_csv("maires", MAIRES))
    call_command("import_file", str(path), "--kind", "register", "--mandate", "maires")
    assert "4 new" in capsys.readouterr().out and RegisterEntry.objects.count() == 4


def test_register_file_given_to_the_signature_import(tmp_path):
    """A clear French message naming the format the file has, and nothing imported."""
    path = write(tmp_path, register_csv("maires", MAIRES))
    with translation.override("fr"):
        report = import_table(path, "csv", "signatures", campaign=CampaignFactory())
    assert not report.committed and report.total == 0
    assert report.file_problem.startswith(
        "Ce n’est pas un fichier du type « Signatures (formulaires papier, listes de partenaires) » :"
        " colonnes manquantes « last_name », « category »."
    ), report.file_problem
    assert (
        "Ses colonnes sont celles de « Répertoire des élus : le fichier « Maires » tel que publié » :"
        " choisissez ce type d’import et envoyez le fichier de nouveau."
    ) in report.file_problem
    assert Signature.objects.count() == 0


def test_signature_file_given_to_the_register_import(tmp_path):
    content = "email;first_name;last_name;category;postcode\nanne@example.org;Anne;Martin;individual;69100\n"
    path = write(tmp_path, content.encode())
    with translation.override("fr"):
        report = import_register(path, "maires")
    assert report.file_problem.startswith(
        "Ce n’est pas un fichier du type « Répertoire des élus : le fichier « Maires » tel que publié » :"
        " colonnes manquantes « Code du département »"
    ), report.file_problem
    assert "Ses colonnes sont celles de « Signatures (formulaires papier" in report.file_problem
    assert RegisterEntry.objects.count() == 0


def test_export_of_the_register_given_as_a_published_file(tmp_path):
    from signatories.imports.exports import export

    import_register(write(tmp_path, register_csv("maires", MAIRES)), "maires")
    content, _name, _type = export("register", "csv")
    report = import_register(write(tmp_path, content, "export.csv"), "maires")
    assert "export of this site’s register" in report.file_problem and not report.committed


def test_nothing_is_half_imported(tmp_path, monkeypatch):
    """A bad row in the last chunk, or a failure of the database in a later chunk: no entry."""
    monkeypatch.setattr("signatories.imports.engine.CHUNK_SIZE", 2)
    rows = [maire(f"01{n:03d}", f"Commune {n}", f"NOM{n}", "Anne") for n in range(1, 8)]
    bad = [*rows, maire("01099", "Commune 99", "NOM99", "Anne", birth="1970-02-30")]
    report = import_register(write(tmp_path, register_csv("maires", bad)), "maires")
    assert report.total == 8 and report.invalid == 1 and report.errors[0]["row"] == 9
    assert not report.committed and RegisterEntry.objects.count() == 0

    from django.db import IntegrityError
    from django.db.models import QuerySet

    calls, original = [], QuerySet.bulk_create

    def failing_bulk_create(self, objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 3:
            raise IntegrityError("the database refused the third chunk")
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", failing_bulk_create)
    report = import_register(write(tmp_path, register_csv("maires", rows)), "maires")
    assert calls == [2, 2, 2] and "the database refused the third chunk" in report.file_problem
    assert not report.committed and RegisterEntry.objects.count() == 0
