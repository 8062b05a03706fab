"""Each resource round-trips: export, wipe, import the export, and get the same data back."""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from campaigns.delivery.models import Target
from signatories.imports.engine import import_table
from signatories.imports.exports import export
from signatories.models import Organisation, Signatory, Signature
from signatories.register.models import RegisterEntry
from tests.factories import (
    CampaignFactory,
    DepartementFactory,
    OrganisationFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

SIGNATURE_FIELDS = [
    "first_name",
    "last_name",
    "category",
    "title",
    "organisation_name",
    "insee_code",
    "siren",
    "postcode",
    "commune",
    "departement",
    "consent_public",
    "consent_newsletter",
    "consent_text",
    "consent_version",
    "consented_at",
    "created_at",
    "source",
    "source_detail",
    "status",
]


def snapshot(queryset, fields, key):
    return sorted((model_to_dict(obj, fields=fields) for obj in queryset), key=key)


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_signatures_round_trip(file_format, write_file):
    campaign = CampaignFactory()
    moment = timezone.now().replace(microsecond=0) - datetime.timedelta(days=3)
    SignatureFactory(
        campaign=campaign,
        confirmed=True,
        source=Signature.Source.PAPER,
        source_detail="Salon du livre",
        first_name="=cmd|' /C calc'!A0",
        last_name="Œillet-D’Arc",
        title="+Maire",
        category="elected",
        insee_code="2A004",
        departement=DepartementFactory(code="2A"),
        consent_newsletter=True,
        consent_text="J’accepte la lettre d’information.",
        consented_at=moment,
        created_at=moment,
    )
    SignatureFactory(
        campaign=campaign,
        signatory=None,
        confirmed=True,
        source=Signature.Source.PARTNER,
        first_name="Anne",
        last_name="@Martin",
        postcode="69100",
        consent_public=False,
        created_at=moment,
        consented_at=moment,
        email_domain="",
    )
    before = snapshot(Signature.objects.all(), SIGNATURE_FIELDS, key=lambda d: d["last_name"])
    emails = set(Signatory.objects.values_list("email", flat=True))
    content, _name, _type = export("signatures", file_format, filters={"campaign": campaign})

    Signature.objects.all().delete()
    Signatory.objects.all().delete()
    report = import_table(
        write_file(content, f"export.{file_format}"), file_format, "signatures", campaign=campaign
    )
    assert report.ok and report.committed, report.as_dict()
    assert report.new == 2
    after = snapshot(Signature.objects.all(), SIGNATURE_FIELDS, key=lambda d: d["last_name"])
    assert after == before
    assert set(Signatory.objects.values_list("email", flat=True)) == emails

    # Importing the same export again changes nothing.
    again = import_table(
        write_file(content, f"export.{file_format}"), file_format, "signatures", campaign=campaign
    )
    assert (again.new, again.updated, again.skipped) == (0, 0, 2)


def test_formula_cells_are_neutralised_in_exports():
    campaign = CampaignFactory()
    SignatureFactory(
        campaign=campaign, confirmed=True, first_name='=HYPERLINK("http://x")', last_name="-2+3"
    )
    content, _name, _type = export("signatures", "csv", filters={"campaign": campaign})
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-2+3" in text
    assert ";=HYPERLINK" not in text


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_organisations_round_trip(file_format, write_file):
    OrganisationFactory(
        name="Lyon", insee_code="69123", siren="216901231", email_domains="mairie-lyon.fr\nlyon.fr"
    )
    OrganisationFactory(
        name="Département du Rhône", kind="departement", insee_code="69", email_domains="rhone.fr"
    )
    fields = ["name", "kind", "insee_code", "siren", "departement", "email_domains"]
    before = snapshot(Organisation.objects.all(), fields, key=lambda d: d["name"])
    content, _name, _type = export("organisations", file_format)
    Organisation.objects.all().delete()
    report = import_table(write_file(content, f"o.{file_format}"), file_format, "organisations")
    assert report.ok and report.new == 2, report.as_dict()
    after = snapshot(Organisation.objects.all(), fields, key=lambda d: d["name"])
    for row in before + after:
        row["email_domains"] = sorted(row["email_domains"].split())
    assert after == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_targets_round_trip(file_format, write_file):
    Target.objects.create(
        name="Service du livre et de la lecture",
        institution="Ministère de la Culture",
        kind="ministry",
        email="sll@culture.gouv.fr",
        postal_address="182 rue Saint-Honoré\n75001 Paris",
    )
    Target.objects.create(name="Association des maires de France", kind="association", active=False)
    fields = [
        "name",
        "title",
        "institution",
        "kind",
        "email",
        "postal_address",
        "territory",
        "active",
    ]
    before = snapshot(Target.objects.all(), fields, key=lambda d: d["name"])
    content, _name, _type = export("targets", file_format)
    Target.objects.all().delete()
    report = import_table(write_file(content, f"t.{file_format}"), file_format, "targets")
    assert report.ok and report.new == 2, report.as_dict()
    assert snapshot(Target.objects.all(), fields, key=lambda d: d["name"]) == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_signatories_round_trip(file_format, write_file):
    Signatory.objects.create(
        email="Jeanne.Dupont@Example.org", canonical_email="jeanne.dupont@example.org"
    )
    Signatory.objects.create(email="x@mairie.fr", canonical_email="x@mairie.fr", language="en")
    before = sorted(Signatory.objects.values_list("email", "canonical_email", "language"))
    content, _name, _type = export("signatories", file_format)
    Signatory.objects.all().delete()
    report = import_table(write_file(content, f"s.{file_format}"), file_format, "signatories")
    assert report.ok and report.new == 2, report.as_dict()
    assert sorted(Signatory.objects.values_list("email", "canonical_email", "language")) == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_register_entries_round_trip(file_format, write_file, tmp_path):
    from ..register.rne_files import MAIRES, import_register, register_csv

    path = tmp_path / "maires.csv"
    path.write_bytes(register_csv("maires", MAIRES))
    import_register(path, "maires")
    RegisterEntry.objects.filter(commune_code="01001").update(
        active=False, left_office_on=datetime.date(2026, 1, 2)
    )
    fields = [
        f.name
        for f in RegisterEntry._meta.fields
        if f.name not in ("id", "first_seen_at", "updated_at")
    ]
    before = snapshot(RegisterEntry.objects.all(), fields, key=lambda d: d["natural_key"])
    content, _name, _type = export("register", file_format)
    RegisterEntry.objects.all().delete()
    report = import_table(write_file(content, f"r.{file_format}"), file_format, "register")
    assert report.ok and report.new == 4, report.as_dict()
    assert snapshot(RegisterEntry.objects.all(), fields, key=lambda d: d["natural_key"]) == before
