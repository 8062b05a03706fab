"""The PDF dossier holds the letter and exactly the public signatories, escaped."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from campaigns.delivery.models import Delivery, DeliverySend
from campaigns.delivery.services import dossier_context, render_dossier_pdf, send_delivery
from signatories.models import Signature
from tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    DepartementFactory,
    SignatureFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

# The worker closes "old" connections, which on PostgreSQL ends a test's own transaction: the
# tests that run it commit for real.
WORKER = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def letter():
    pages = pytest.importorskip("content.models")
    from wagtail.models import Page
    from wagtail.rich_text import RichText

    campaign = CampaignFactory(title="Pour le numérique en bibliothèque")
    root = Page.get_first_root_node()
    page = pages.OpenLetterPage(
        title="Lettre ouverte aux pouvoirs publics",
        slug="lettre",
        campaign=campaign,
        addressees="Madame la ministre de la Culture",
        body=[
            (
                "paragraph",
                RichText(
                    "<p>Les bibliothèques publiques demandent un modèle économique adapté.</p>"
                ),
            )
        ],
    )
    root.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def signatures(letter):
    campaign = letter.campaign
    rhone, isere = DepartementFactory(code="69"), DepartementFactory(code="38")
    return {
        "listed": SignatureFactory(
            campaign=campaign,
            confirmed=True,
            category="professional",
            first_name="Jeanne",
            last_name="Moreau",
            title="Bibliothécaire",
            departement=rhone,
        ),
        "paper": SignatureFactory(
            campaign=campaign,
            signatory=None,
            confirmed=True,
            source="paper",
            first_name="Paul",
            last_name="Girard",
            departement=isere,
        ),
        "mayor": SignatureFactory(
            campaign=campaign,
            verified=True,
            official=True,
            first_name="Cédric",
            last_name="Bernard",
            departement=rhone,
        ),
        "hostile": SignatureFactory(
            campaign=campaign,
            confirmed=True,
            first_name="<b>Evil</b>",
            last_name="<script>alert(1)</script>",
            organisation_name="Tom & Jerry",
            departement=rhone,
        ),
        "private": SignatureFactory(
            campaign=campaign,
            confirmed=True,
            consent_public=False,
            first_name="Discrète",
            last_name="Personne",
            departement=rhone,
        ),
        "pending": SignatureFactory(
            campaign=campaign, first_name="Pas", last_name="Confirmé", departement=rhone
        ),
        "unverified_mayor": SignatureFactory(
            campaign=campaign,
            confirmed=True,
            official=True,
            first_name="Non",
            last_name="Vérifié",
            departement=rhone,
        ),
        "other_campaign": SignatureFactory(
            confirmed=True, first_name="Autre", last_name="Campagne"
        ),
    }


def test_dossier_contains_the_letter_and_the_right_signatories(letter, signatures):
    content, count = render_dossier_pdf(letter.campaign)
    text = pdf_text(content)
    assert "Lettre ouverte aux pouvoirs publics" in text
    assert "modèle économique adapté" in text
    assert "Madame la ministre de la Culture" in text
    for name in ("MOREAU Jeanne", "GIRARD Paul", "BERNARD Cédric", "Bibliothécaire"):
        assert name in text
    for name in ("PERSONNE", "CONFIRMÉ", "VÉRIFIÉ", "CAMPAGNE"):
        assert name not in text
    # What a signer typed shows as text, never as markup.
    compact = text.replace(" ", "")
    assert "<SCRIPT>ALERT(1)</SCRIPT><b>Evil</b>" in compact and "Tom&Jerry" in compact
    assert count == 4
    # Counts per category and département include every counted signature, listed or not.
    context = dossier_context(letter.campaign)
    assert context["total"] == 6
    assert {row["departement__code"]: row["n"] for row in context["by_departement"]} == {
        "38": 1,
        "69": 5,
    }


def test_grouped_by_category_and_departement(letter, signatures):
    labels = dict(Signature.Category.choices)
    groups = dossier_context(letter.campaign)["groups"]
    names = {
        category: {
            departement: [s.last_name for s in rows] for departement, rows in departements.items()
        }
        for category, departements in groups.items()
    }
    assert list(names) == [labels["elected"], labels["individual"], labels["professional"]]
    assert names[labels["elected"]] == {"69 – Rhône": ["Bernard"]}
    assert names[labels["individual"]] == {
        "38 – Isère": ["Girard"],
        "69 – Rhône": ["<script>alert(1)</script>"],
    }


@WORKER
def test_generate_and_send_through_the_worker(
    client, admin_user, letter, signatures, run_tasks, django_capture_on_commit_callbacks
):
    delivery = DeliveryFactory(campaign=letter.campaign)
    with_email, without_email = TargetFactory(), TargetFactory(email="")
    delivery.targets.set([with_email, without_email])
    client.force_login(admin_user)
    url = reverse("delivery_admin_dispatch", args=[delivery.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"action": "send"})  # no dossier yet
    assert response.status_code == 302 and not DeliverySend.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "generate"})
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.READY and delivery.signature_count == 4
    assert "GIRARD Paul" in pdf_text(delivery.dossier.read())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send"})
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.sent_by == admin_user
    sends = {send.target_id: send for send in delivery.sends.all()}
    assert sends[with_email.pk].status == DeliverySend.Status.SENT and sends[with_email.pk].sent_at
    assert sends[without_email.pk].status == DeliverySend.Status.SKIPPED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [with_email.email] and message.subject == delivery.title
    assert message.attachments[0][2] == "application/pdf"
    # Sending again does not email the same target twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_delivery(delivery, admin_user) == 0
    run_tasks()
    assert len(mail.outbox) == 1
    page = client.get(url).content.decode()
    assert with_email.email in page


def test_dossier_without_letter_page():
    campaign = CampaignFactory()
    SignatureFactory(campaign=campaign, confirmed=True, first_name="Anne", last_name="Martin")
    content, count = render_dossier_pdf(campaign)
    assert "MARTIN Anne" in pdf_text(content) and count == 1


def test_public_list_matches_the_queryset(letter, signatures):
    public = Signature.objects.filter(campaign=letter.campaign).public()
    groups = dossier_context(letter.campaign)["groups"]
    listed = {s.pk for deps in groups.values() for rows in deps.values() for s in rows}
    assert listed == set(public.values_list("pk", flat=True))
