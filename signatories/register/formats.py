"""The published columns of the register's files, one file per mandate (Répertoire national des élus)."""

from dataclasses import dataclass, field

from .models import Mandate

PERSON_COLUMNS = {
    "last_name": "Nom de l'élu",
    "first_name": "Prénom de l'élu",
    "sex": "Code sexe",
    "birth_date": "Date de naissance",
    "profession_code": "Code de la catégorie socio-professionnelle",
    "profession": "Libellé de la catégorie socio-professionnelle",
    "mandate_start": "Date de début du mandat",
}
OPTIONAL_PERSON_COLUMNS = {
    "function": "Libellé de la fonction",
    "function_start": "Date de début de la fonction",
}
DEPARTEMENT = {
    "departement_code": "Code du département",
    "departement_name": "Libellé du département",
}
COMMUNE = {"commune_code": "Code de la commune", "commune_name": "Libellé de la commune"}
SPECIAL_COLLECTIVITY = {
    "territory_code": "Code de la collectivité à statut particulier",
    "territory_name": "Libellé de la collectivité à statut particulier",
}


@dataclass(frozen=True)
class MandateFormat:
    mandate: str
    columns: dict  # field -> published header, all required
    optional: dict = field(default_factory=dict)
    default_function: str = ""
    territory_fields: tuple = ()  # which fields make the territory part of the natural key
    territory_order: tuple = ()  # territory fields in the published column order
    has_function_label: bool = True  # the maires file has no "Libellé de la fonction"

    def all_columns(self):
        return {**self.columns, **PERSON_COLUMNS, **OPTIONAL_PERSON_COLUMNS, **self.optional}

    def required_headers(self):
        return list({**self.columns, **PERSON_COLUMNS}.values())

    def published_fields(self):
        """Field names in the published column order."""
        territory = list(self.territory_order or {**self.columns, **self.optional})
        function = ["function", "function_start"] if self.has_function_label else ["function_start"]
        return [*territory, *PERSON_COLUMNS, *function]

    def published_headers(self):
        """The header row in the published order (used by tests and the benchmark's generator)."""
        columns = self.all_columns()
        return [columns[name] for name in self.published_fields()]


FORMATS = {
    Mandate.MAIRES: MandateFormat(
        Mandate.MAIRES,
        {**DEPARTEMENT, **COMMUNE},
        optional=SPECIAL_COLLECTIVITY,
        default_function="Maire",
        territory_fields=("commune_code",),
        territory_order=(*DEPARTEMENT, *SPECIAL_COLLECTIVITY, *COMMUNE),
        has_function_label=False,
    ),
    Mandate.CONSEILLERS_MUNICIPAUX: MandateFormat(
        Mandate.CONSEILLERS_MUNICIPAUX,
        {**DEPARTEMENT, **COMMUNE},
        optional=SPECIAL_COLLECTIVITY,
        default_function="Conseiller municipal",
        territory_fields=("commune_code",),
        territory_order=(*DEPARTEMENT, *SPECIAL_COLLECTIVITY, *COMMUNE),
    ),
    Mandate.CONSEILLERS_COMMUNAUTAIRES: MandateFormat(
        Mandate.CONSEILLERS_COMMUNAUTAIRES,
        {
            **DEPARTEMENT,
            "territory_code": "N° SIREN",
            "territory_name": "Libellé de l'EPCI",
            **COMMUNE,
        },
        default_function="Conseiller communautaire",
        territory_fields=("territory_code", "commune_code"),
    ),
    Mandate.CONSEILLERS_DEPARTEMENTAUX: MandateFormat(
        Mandate.CONSEILLERS_DEPARTEMENTAUX,
        {**DEPARTEMENT, "territory_code": "Code du canton", "territory_name": "Libellé du canton"},
        default_function="Conseiller départemental",
        territory_fields=("departement_code", "territory_code"),
    ),
    Mandate.CONSEILLERS_REGIONAUX: MandateFormat(
        Mandate.CONSEILLERS_REGIONAUX,
        {"territory_code": "Code de la région", "territory_name": "Libellé de la région"},
        optional={
            "departement_code": "Code de la section départementale",
            "departement_name": "Libellé de la section départementale",
        },
        default_function="Conseiller régional",
        territory_fields=("territory_code",),
    ),
    Mandate.DEPUTES: MandateFormat(
        Mandate.DEPUTES,
        {
            **DEPARTEMENT,
            "territory_code": "Code de la circonscription législative",
            "territory_name": "Libellé de la circonscription législative",
        },
        default_function="Député",
        territory_fields=("departement_code", "territory_code"),
    ),
    Mandate.SENATEURS: MandateFormat(
        Mandate.SENATEURS,
        dict(DEPARTEMENT),
        default_function="Sénateur",
        territory_fields=("departement_code",),
    ),
}


def write_register_csv(handle, mandate, rows, *, iso_dates=True):
    """Write rows ({field: value}) as the published file of `mandate`: semicolons, every cell
    quoted, dates as yyyy-mm-dd (newer files) or dd/mm/yyyy (older ones)."""
    import csv
    import datetime

    fmt = FORMATS[mandate]
    names = fmt.published_fields()
    writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(fmt.published_headers())
    for row in rows:
        values = []
        for name in names:
            value = row.get(name, "")
            if isinstance(value, datetime.date):
                value = value.isoformat() if iso_dates else value.strftime("%d/%m/%Y")
            values.append(value if value is not None else "")
        writer.writerow(values)
