import pytest
from django.core.management import call_command
from django.utils import timezone

from signatories.imports.engine import import_table
from signatories.models import Signature
from signatories.signals import signature_status_changed
from tests.factories import CampaignFactory, SignatureFactory

pytestmark = pytest.mark.django_db

PAPER = (
    "first_name;last_name;category;title;commune;postcode;consent_public;consent_newsletter;consent_text;consented_at;signed_at\n"
    "Jeanne;Moreau;professional;Bibliothécaire;Lyon;69003;oui;oui;J'accepte de recevoir la lettre d'information.;14/03/2026;14/03/2026\n"
    "Paul;Girard;individual;;Grenoble;38000;non;oui;;;15/03/2026\n"
    "Lucie;Petit;individual;;;;1;0;;;\n"
)


def test_paper_forms_are_confirmed_counted_and_sourced(write_file):
    campaign = CampaignFactory()
    received = []
    signature_status_changed.connect(
        lambda **kw: received.append(kw["signature"].pk), weak=False, dispatch_uid="t-offline"
    )
    try:
        report = import_table(
            write_file(PAPER),
            "csv",
            "signatures",
            campaign=campaign,
            source="paper",
            source_detail="Congrès ABF 2026",
        )
    finally:
        signature_status_changed.disconnect(dispatch_uid="t-offline")
    assert report.ok and report.new == 3, report.as_dict()
    signatures = Signature.objects.filter(campaign=campaign)
    assert signatures.counted().count() == 3
    assert set(signatures.values_list("source", "source_detail", "status")) == {
        ("paper", "Congrès ABF 2026", "confirmed")
    }
    jeanne = signatures.get(last_name="Moreau")
    assert jeanne.signatory is None and jeanne.departement.code == "69"
    assert jeanne.consent_newsletter and jeanne.consent_public
    assert timezone.localtime(jeanne.created_at).date().isoformat() == "2026-03-14"
    # Paul ticked the newsletter box but the file keeps no wording or date: no consent recorded.
    assert not signatures.get(last_name="Girard").consent_newsletter
    assert report.warnings == [
        {
            "row": 3,
            "messages": [
                "newsletter consent ignored: the consent wording and date are not recorded"
            ],
        }
    ]
    assert received == []  # paper forms without an address: no supporter to tell Mailchimp about


def test_new_supporters_are_told_to_the_receivers(write_file):
    """The life cycle's signal for each imported supporter (the Mailchimp outbox), in the import's
    transaction; signatures without recorded consent or an address are no supporters."""
    campaign = CampaignFactory()
    content = (
        "email;first_name;last_name;category;consent_newsletter;consent_text;consented_at\n"
        "anne@example.org;Anne;Martin;individual;oui;J'accepte la lettre.;14/03/2026\n"
        "paul@example.org;Paul;Girard;individual;non;;\n"
        ";Lucie;Petit;individual;oui;J'accepte la lettre.;14/03/2026\n"
    )
    received = []
    signature_status_changed.connect(
        lambda **kw: received.append((kw["signature"].last_name, kw["previous_status"])),
        weak=False,
        dispatch_uid="t-supporters",
    )
    try:
        report = import_table(write_file(content), "csv", "signatures", campaign=campaign)
    finally:
        signature_status_changed.disconnect(dispatch_uid="t-supporters")
    assert report.ok and report.new == 3, report.as_dict()
    assert received == [("Martin", None)]
    assert list(Signature.objects.supporters().values_list("last_name", flat=True)) == ["Martin"]


def test_reimport_does_not_duplicate(write_file):
    campaign = CampaignFactory()
    import_table(write_file(PAPER), "csv", "signatures", campaign=campaign, source="partner")
    report = import_table(
        write_file(PAPER), "csv", "signatures", campaign=campaign, source="partner"
    )
    assert (report.new, report.updated) == (0, 0) and report.skipped == 3
    assert Signature.objects.count() == 3


def test_someone_who_signed_online_keeps_their_signature(write_file):
    online = SignatureFactory(
        confirmed=True, signatory__email="anne@example.org", last_name="Martin"
    )
    content = (
        "email;first_name;last_name;category\nanne@example.org;Anne;MARTIN-PAPIER;individual\n"
    )
    report = import_table(
        write_file(content), "csv", "signatures", campaign=online.campaign, source="paper"
    )
    assert report.skipped == 1 and report.new == 0
    online.refresh_from_db()
    assert online.last_name == "Martin" and online.source == "online"


def test_source_online_is_refused(write_file):
    content = "last_name;category;source\nMartin;individual;online\n"
    report = import_table(write_file(content), "csv", "signatures", campaign=CampaignFactory())
    assert "cannot have the source “online”" in report.errors[0]["messages"][0]


def test_import_command(write_file, capsys):
    campaign = CampaignFactory(slug="lettre")
    call_command(
        "import_file",
        str(write_file(PAPER)),
        "--kind",
        "signatures",
        "--campaign",
        "lettre",
        "--source",
        "paper",
    )
    assert "3 new" in capsys.readouterr().out
    assert Signature.objects.filter(campaign=campaign, source="paper").count() == 3
