import gc
import re
import time
import weakref

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from signatories import abuse, confirmation, lifecycle
from signatories.forms import SignatureForm
from signatories.models import Signatory, Signature
from tests.factories import CampaignFactory, SignatureFactory
from tests.signatories.submitting import process, submit

S = Signature.Status
pytestmark = pytest.mark.django_db


def sign_url(campaign):
    return reverse("signatories:sign", args=[campaign.slug])


def post(client, campaign, data, **extra):
    """Post the signing form, then let the worker process what it recorded."""
    response = client.post(sign_url(campaign), data, **extra)
    process()
    return response


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


def test_new_signature_gets_neutral_answer_and_a_confirmation_email(
    client, campaign, sign_data, run_tasks
):
    response = post(client, campaign, sign_data())
    assert response.status_code == 303
    assert response["Location"] == reverse("signatories:check_inbox", args=[campaign.slug])
    signature = Signature.objects.get()
    assert signature.status == S.PENDING
    assert signature.signatory.canonical_email == "camille.durand@example.org"
    assert signature.departement.code == "69"
    assert signature.consent_public and not signature.consent_newsletter
    assert (
        signature.consent_version
        and "sign" in signature.consent_text.lower()
        or "signe" in signature.consent_text
    )
    assert signature.ip_hash and signature.ip_hash != "127.0.0.1"
    assert signature.email_domain == "example.org"
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille.durand@example.org"]
    assert "Confirm" in message.subject or "Confirmez" in message.subject
    html = message.alternatives[0][0]
    confirm_link = next(link for link in links_in(message) if "/confirmer/" in link)
    assert confirm_link in html
    assert any("/retirer/" in link for link in links_in(message))
    page = client.get(response["Location"])
    assert page.status_code == 200


def client_without_session():
    from django.test import Client

    return Client(enforce_csrf_checks=True)


def test_confirm_link_confirms_once(client, campaign, sign_data, run_tasks):
    post(client, campaign, sign_data())
    run_tasks()
    confirm_link = next(link for link in links_in(mail.outbox[0]) if "/confirmer/" in link)
    path = confirm_link.replace("http://testserver", "")
    page = client.get(path)  # what a link scanner does: nothing changes
    assert page.status_code == 200 and b'method="post"' in page.content
    assert Signature.objects.get().status == S.PENDING
    response = client_without_session().post(path)  # the button, without a prior visit
    assert response.status_code == 200
    signature = Signature.objects.get()
    assert signature.status == S.CONFIRMED and signature.confirmed_at
    again = client.post(path)
    assert again.status_code == 200
    assert Signature.objects.get().status == S.CONFIRMED


def test_known_address_gets_same_answer_and_a_limited_reminder(
    client, campaign, sign_data, run_tasks, settings
):
    settings.SIGNATURES_REMINDER_INTERVAL = 0
    first = post(client, campaign, sign_data())
    run_tasks()
    signature = Signature.objects.get()
    confirmation.confirm(signature)
    mail.outbox.clear()
    answers = []
    for _attempt in range(6):
        response = post(
            client, campaign, sign_data(email="Camille.Durand@Example.org", first_name="Autre")
        )
        answers.append((response.status_code, response["Location"]))
    assert set(answers) == {(first.status_code, first["Location"])}
    run_tasks()
    assert Signature.objects.count() == 1 and Signatory.objects.count() == 1
    signature.refresh_from_db()
    assert signature.first_name == "Camille"  # never overwritten by unconfirmed input
    assert len(mail.outbox) == settings.SIGNATURES_MAX_REMINDERS
    assert all("already" in m.subject.lower() or "déjà" in m.subject.lower() for m in mail.outbox)


def test_reminders_are_spaced(client, campaign, sign_data, run_tasks, settings):
    settings.SIGNATURES_REMINDER_INTERVAL = 3600
    post(client, campaign, sign_data())
    post(client, campaign, sign_data())  # within the interval: no second email
    run_tasks()
    assert len(mail.outbox) == 1


def test_pending_known_address_gets_the_confirmation_link_again(campaign, settings):
    settings.SIGNATURES_REMINDER_INTERVAL = 0
    data = {"email": "x@example.org", "category": "individual", "first_name": "X", "last_name": "Y"}
    first = submit(campaign, data)
    second = submit(campaign, data)
    assert first.created and not second.created and second.emailed
    assert second.signature.pk == first.signature.pk


def test_same_person_can_sign_another_campaign(campaign):
    other = CampaignFactory()
    data = {"email": "x@example.org", "category": "individual", "first_name": "X", "last_name": "Y"}
    submit(campaign, data)
    submit(other, {**data, "email": "X@EXAMPLE.ORG"})
    assert Signatory.objects.count() == 1
    assert Signature.objects.count() == 2


SIGNED_FIELDS = [
    f.attname
    for f in Signature._meta.concrete_fields
    if f.attname
    not in {"id", "campaign_id", "token", "created_at", "updated_at", "last_emailed_at"}
]


def test_answer_and_consent_wording_follow_each_signers_language(client, campaign, sign_data):
    """The check-inbox address and the consent wordings are remembered per language: a French
    signer first does not give the next, English, signer French ones."""
    french = client.post(f"/fr/signer/{campaign.slug}/", sign_data(email="fr@example.org"))
    english = client.post(f"/en/signer/{campaign.slug}/", sign_data(email="en@example.org"))
    assert french["Location"].startswith("/fr/") and english["Location"].startswith("/en/")
    assert english["Location"] == french["Location"].replace("/fr/", "/en/", 1)
    process()
    wordings = dict(Signature.objects.values_list("signatory__canonical_email", "consent_text"))
    assert "signe" in wordings["fr@example.org"]
    assert wordings["en@example.org"].startswith("I sign")


def test_new_and_known_signers_get_the_same_row(campaign):
    """A new person and a known person new to a campaign get the same row (defaults, consents,
    flags), each with its own token."""
    other = CampaignFactory()
    data = {
        "email": "x@example.org",
        "category": "professional",
        "first_name": "X",
        "last_name": "Y",
        "title": "Bibliothécaire",
        "organisation_name": "Médiathèque",
        "postcode": "69001",
        "departement_code": "69",
        "consent_public": True,
        "consent_text": "Je signe.",
    }
    verdict = abuse.Verdict(flags=[abuse.TOO_FAST])
    now = timezone.now()
    first = submit(campaign, data, ip="192.0.2.1", language="en", verdict=verdict, now=now)
    second = submit(other, data, ip="192.0.2.1", language="en", verdict=verdict, now=now)
    assert first.created and second.created
    new, known = Signature.objects.get(campaign=campaign), Signature.objects.get(campaign=other)
    assert {name: getattr(new, name) for name in SIGNED_FIELDS} == {
        name: getattr(known, name) for name in SIGNED_FIELDS
    }
    assert new.status == S.FLAGGED and new.flag_reason == abuse.TOO_FAST
    assert new.departement.code == "69" and new.emails_sent == 1
    assert len(new.token) == 43 and new.token != known.token
    assert first.signature.pk == new.pk and first.signature.signatory_id == new.signatory_id
    assert new.signatory.language == "en" and new.signatory.created_at


def test_a_sent_form_is_validated_over_its_categorys_fields_only(sign_data):
    """The other categories' fields were hidden from the signer: nothing typed there can block
    the signature, and none of it is kept."""
    form = SignatureForm(
        sign_data(authority_name="x" * 1000, office="Empereur", job_title="Bibliothécaire")
    )
    assert form.is_valid(), form.errors
    assert "authority_name" not in form.fields and "office" not in form.cleaned_data
    assert form.cleaned_data["title"] == ""  # not the professional's job title
    professional = SignatureForm(sign_data(category="professional", job_title="Bibliothécaire"))
    assert not professional.is_valid()
    assert list(professional.errors) == ["establishment"]
    # Any other value is validated over the whole form, and refused there, never a crash.
    assert "category" in SignatureForm(sign_data(category=["individual"])).errors
    assert "category" in SignatureForm(sign_data(category="<script>")).errors


def test_a_redisplayed_form_keeps_what_was_typed_in_every_category(client, campaign, sign_data):
    data = sign_data(email="nope", job_title="Bibliothécaire", authority_name="Ville de Lyon")
    response = post(client, campaign, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == set(SignatureForm.base_fields)
    assert list(form.errors) == ["email"]
    html = response.content.decode()
    assert 'value="Bibliothécaire"' in html and 'value="Ville de Lyon"' in html
    assert 'name="representative_title"' in html and 'name="office"' in html


def test_a_released_form_is_freed_without_the_garbage_collector(sign_data):
    """A form and its bound fields refer to each other: released, they go as soon as the view
    is done with them, not in a cyclic collection (nearly all of a signature's garbage)."""
    gc.disable()
    try:
        form = SignatureForm(sign_data())
        assert form.is_valid()
        freed = weakref.ref(form)
        form.release()
        del form
        assert freed() is None
    finally:
        gc.enable()


def test_signing_forms_have_their_own_fields_and_widgets():
    first, second = SignatureForm(), SignatureForm()
    first.fields["email"].widget.attrs["class"] = "changed"
    first.fields["email"].error_messages["required"] = "changed"
    first.fields["first_name"].required = False
    assert "class" not in second.fields["email"].widget.attrs
    assert second.fields["email"].error_messages["required"] != "changed"
    assert second.fields["first_name"].required
    assert "class" not in SignatureForm.base_fields["email"].widget.attrs
    assert first.fields["email"].widget is not second.fields["email"].widget
    assert [value for value, _label in second.fields["category"].choices] == list(
        Signature.Category.values
    )


def test_withdrawn_signature_can_sign_again_with_fresh_links(campaign):
    data = {"email": "x@example.org", "category": "individual", "first_name": "X", "last_name": "Y"}
    signature = submit(campaign, data).signature
    confirmation.confirm(signature)
    old_token = Signature.objects.get().token
    lifecycle.withdraw(signature)
    result = submit(campaign, {**data, "first_name": "Nouveau"})
    signature.refresh_from_db()
    assert result.emailed and signature.status == S.PENDING
    assert signature.first_name == "Nouveau" and signature.token != old_token


def test_get_shows_the_form_without_csrf_cookie(client, campaign):
    response = client.get(sign_url(campaign))
    assert response.status_code == 200
    assert "csrftoken" not in response.cookies
    assert 'name="form_token"' in response.content.decode()
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_post_needs_no_csrf_token(campaign, sign_data):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(sign_url(campaign), sign_data())
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "pas-une-adresse"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"consent_sign": None}, "consent_sign"),
        ({"category": "martian"}, "category"),
        ({"postcode": "ABCDE"}, "postcode"),
        (
            {"category": "professional", "job_title": "", "establishment": "Médiathèque"},
            "job_title",
        ),
        (
            {
                "category": "professional",
                "postcode": "",
                "job_title": "Bibliothécaire",
                "establishment": "M",
            },
            "postcode",
        ),
        ({"category": "elected", "office": "", "territory": "Lyon"}, "office"),
        ({"category": "elected", "office": "Empereur", "territory": "Lyon"}, "office"),
        ({"category": "organisation", "organisation": ""}, "organisation"),
        (
            {
                "category": "authority",
                "authority_kind": "commune",
                "authority_name": "Lyon",
                "authority_code": "99999",
                "representative_title": "Maire",
            },
            "authority_code",
        ),
        (
            {
                "category": "authority",
                "authority_kind": "epci",
                "authority_name": "Métropole",
                "authority_code": "123456789",
                "representative_title": "Président",
            },
            "authority_code",
        ),
    ],
)
def test_invalid_input_is_redisplayed_with_errors_and_kept(
    client, campaign, sign_data, overrides, field
):
    data = sign_data(**overrides)
    response = post(client, campaign, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    for name in ("first_name", "last_name"):
        if data.get(name):
            assert f'value="{data[name]}"' in html
    assert Signature.objects.count() == 0


def test_errors_are_in_french_by_default_and_english_under_en(client, campaign, sign_data):
    response = post(client, campaign, sign_data(email="nope"))
    assert "Saisissez une adresse électronique valide" in response.content.decode()
    with_en = client.post("/en/signer/lettre-ouverte/", sign_data(email="nope"))
    assert "Enter a valid email address" in with_en.content.decode()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {
                "category": "authority",
                "authority_kind": "commune",
                "authority_name": "Ville de Lyon",
                "authority_code": "69123",
                "representative_title": "Maire",
                "postcode": "",
            },
            {
                "insee_code": "69123",
                "organisation_name": "Ville de Lyon",
                "title": "Maire",
                "departement": "69",
            },
        ),
        (
            {
                "category": "authority",
                "authority_kind": "departement",
                "authority_name": "Corse-du-Sud",
                "authority_code": "2a",
                "representative_title": "Président",
                "postcode": "",
            },
            {"insee_code": "2A", "departement": "2A"},
        ),
        (
            {
                "category": "authority",
                "authority_kind": "epci",
                "authority_name": "Métropole de Lyon",
                "authority_code": "200046977",
                "representative_title": "Président",
                "postcode": "69003",
            },
            {"siren": "200046977", "departement": "69"},
        ),
        (
            {
                "category": "elected",
                "office": "Maire",
                "territory": "Villeurbanne",
                "postcode": "69100",
            },
            {"title": "Maire", "commune": "Villeurbanne", "departement": "69"},
        ),
        (
            {
                "category": "professional",
                "job_title": "Directrice de médiathèque",
                "establishment": "Médiathèque Jean-Macé",
                "postcode": "20000",
            },
            {
                "title": "Directrice de médiathèque",
                "organisation_name": "Médiathèque Jean-Macé",
                "departement": "2A",
            },
        ),
        (
            {
                "category": "organisation",
                "organisation": "ABF",
                "organisation_role": "Présidente",
                "postcode": "",
            },
            {"organisation_name": "ABF", "title": "Présidente", "departement": None},
        ),
    ],
)
def test_categories_store_their_own_fields(client, campaign, sign_data, overrides, expected):
    response = post(client, campaign, sign_data(**overrides))
    assert response.status_code == 303, response.context["form"].errors
    signature = Signature.objects.get()
    for name, value in expected.items():
        if name == "departement":
            assert (signature.departement.code if signature.departement else None) == value
        else:
            assert getattr(signature, name) == value


def test_closed_campaign_takes_no_signature(client, sign_data):
    closed = CampaignFactory(closed=True, slug="fermee")
    data = sign_data(form_token=abuse.make_form_token(closed, now=time.time() - 10))
    response = client.post(sign_url(closed), data)
    assert response.status_code == 200
    assert Signature.objects.count() == 0


def test_closing_a_campaign_stops_signatures_at_once(client, campaign, sign_data):
    """The signing view keeps campaigns for a few seconds; saving one clears that memo."""
    assert client.get(sign_url(campaign)).status_code == 200
    campaign.status = campaign.Status.CLOSED
    campaign.save()
    response = client.post(sign_url(campaign), sign_data())
    assert response.status_code == 200
    assert Signature.objects.count() == 0


def test_unknown_campaign_is_not_found(client):
    assert client.get("/fr/signer/nulle-part/").status_code == 404
    assert client.post("/fr/signer/nulle-part/", {}).status_code == 404


def test_repeated_posts_of_the_same_form_give_one_signature(client, campaign, sign_data):
    data = sign_data()
    data.pop("altcha")
    for _ in range(3):
        assert post(client, campaign, data).status_code == 303
    assert Signature.objects.count() == 1


def test_signature_factory_details_not_overwritten(campaign):
    existing = SignatureFactory(campaign=campaign, confirmed=True, first_name="Alice")
    submit(
        campaign,
        {
            "email": existing.signatory.email.upper(),
            "category": "elected",
            "first_name": "Mallory",
            "last_name": "X",
        },
    )
    existing.refresh_from_db()
    assert existing.first_name == "Alice" and existing.category == "individual"
