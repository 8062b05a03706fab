"""Register files in the exact published format, with invented people."""

import datetime
import io

from signatories.register.formats import FORMATS, write_register_csv

MAIRES_HEADER = (
    '"Code du département";"Libellé du département";"Code de la collectivité à statut particulier";'
    '"Libellé de la collectivité à statut particulier";"Code de la commune";"Libellé de la commune";'
    '"Nom de l\'élu";"Prénom de l\'élu";"Code sexe";"Date de naissance";'
    '"Code de la catégorie socio-professionnelle";"Libellé de la catégorie socio-professionnelle";'
    '"Date de début du mandat";"Date de début de la fonction"'
)


def maire(code, commune, last, first, birth=datetime.date(1961, 4, 2), **extra):
    dep = code[:3] if code.startswith("97") else code[:2]
    row = {
        "departement_code": dep,
        "departement_name": f"Département {dep}",
        "commune_code": code,
        "commune_name": commune,
        "last_name": last,
        "first_name": first,
        "sex": "F",
        "birth_date": birth,
        "profession_code": "23",
        "profession": "Professeurs des écoles",
        "mandate_start": datetime.date(2020, 5, 23),
        "function_start": datetime.date(2020, 5, 23),
    }
    row.update(extra)
    return row


MAIRES = [
    maire("69266", "Villeurbanne", "BERNARD-LÉVÊQUE", "Cédric"),
    maire("01001", "L'Abergement-Clémenciat", "DUPONT", "Marie", datetime.date(1970, 12, 31)),
    maire("2A004", "Ajaccio", "CASANOVA", "Ange-Marie"),
    maire("97101", "Les Abymes", "LUREL", "Josette"),
]


def register_csv(mandate, rows, *, iso_dates=True, encoding="utf-8"):
    handle = io.StringIO()
    write_register_csv(handle, mandate, rows, iso_dates=iso_dates)
    return handle.getvalue().encode(encoding)


def published_headers(mandate):
    return FORMATS[mandate].published_headers()


def import_register(path, mandate, **options):
    """Import a published register file through the engine, as the admin and import_file do."""
    from signatories.imports.engine import import_table

    return import_table(path, "csv", "register", mandate=mandate, **options)
