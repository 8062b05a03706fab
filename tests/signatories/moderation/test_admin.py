"""The staff screens through the test client: they render, act through the services, refuse
users without permission, and answer bad input with a message rather than a 500."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from signatories.models import Organisation, Signature
from signatories.moderation.models import BulkInvalidation, ModerationEvent
from tests.factories import OrganisationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db
Status = Signature.Status


@pytest.fixture(params=["superuser", "moderator"])
def staff_client(request, client):
    user = request.getfixturevalue(request.param)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def data(campaign, official):
    waiting = official(first_name="Élise", last_name="<script>alert(1)</script>")
    flagged = SignatureFactory(
        campaign=campaign,
        flagged=True,
        ip_hash="ab" * 32,
        signatory=SignatoryFactory(email="bot1@spam.test"),
    )
    SignatureFactory(
        campaign=campaign,
        flagged=True,
        ip_hash="ab" * 32,
        signatory=SignatoryFactory(email="bot2@spam.test"),
    )
    verified = SignatureFactory(campaign=campaign, official=True, verified=True)
    individual = SignatureFactory(
        campaign=campaign, confirmed=True, organisation_name="Médiathèque"
    )
    return {"waiting": waiting, "flagged": flagged, "verified": verified, "individual": individual}


def screens(data, campaign):
    today = timezone.localdate()
    return [
        reverse("signatures:index"),
        reverse("signatures:index") + f"?campaign={campaign.pk}&category=elected&status=confirmed",
        reverse("signatures:index")
        + f"?departement={data['individual'].departement_id}&source=online"
        + f"&created_at_after={today - timedelta(days=3)}&created_at_before={today}",
        reverse("signatures:index") + "?q=Médiathèque",
        reverse("signatures:index") + "?q=spam.test",
        reverse("signatures:index") + "?created_at_after=not-a-date&status=nonsense",
        reverse("signatures:inspect", args=[data["waiting"].pk]),
        reverse("signatures:inspect", args=[data["flagged"].pk]),
        reverse("moderation:queue"),
        reverse("moderation:queue") + f"?campaign={campaign.pk}&category=elected&q=Élise&p=99",
        reverse("moderation:flagged"),
        reverse("moderation:invalidations"),
        reverse("moderation:invalidate") + "?email_domain=spam.test",
        reverse("moderation:events"),
        reverse("moderation:events") + "?action=verify",
        reverse("organisations:index"),
        reverse("organisations:add"),
        reverse("wagtailadmin_home"),
    ]


def test_every_screen_renders_for_staff(staff_client, data, campaign):
    for url in screens(data, campaign):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        # What a signer typed is escaped everywhere.
        assert b"<script>alert(1)</script>" not in response.content, url


def test_listing_filters_and_search(staff_client, data, campaign):
    response = staff_client.get(reverse("signatures:index") + "?status=flagged")
    assert list(response.context["object_list"]) == list(
        Signature.objects.filter(status=Status.FLAGGED)
    )
    response = staff_client.get(reverse("signatures:index") + "?q=bot1@spam")
    assert [s.pk for s in response.context["object_list"]] == [data["flagged"].pk]


def test_detail_shows_consents_verification_and_trail(staff_client, data):
    signature = data["waiting"]
    staff_client.post(
        reverse("moderation:act_one", args=[signature.pk]),
        {"action": "reject", "reason": "Inconnu"},
    )
    response = staff_client.get(reverse("signatures:inspect", args=[signature.pk]))
    content = response.content.decode()
    assert signature.consent_text in content
    assert signature.consent_version in content
    assert "Inconnu" in content  # the rejection reason and the audit trail
    assert response.context["events"][0].action == "reject"


def test_detail_shows_register_candidates(staff_client, data):
    from signatories.register.models import RegisterCandidate, RegisterEntry

    fields = {f.name for f in RegisterEntry._meta.get_fields()}
    entry = RegisterEntry.objects.create(
        **{
            key: value
            for key, value in {
                "mandate": "maires",
                "natural_key": "maires-69266-x",
                "last_name": "Durand",
                "first_name": "Élise",
                "commune_name": "Villeurbanne",
                "commune_code": "69266",
                "function": "Maire",
            }.items()
            if key in fields
        }
    )
    RegisterCandidate.objects.create(
        signature=data["waiting"], entry=entry, score=72, reasons="nom proche"
    )
    response = staff_client.get(reverse("signatures:inspect", args=[data["waiting"].pk]))
    assert response.status_code == 200
    assert "nom proche" in response.content.decode()
    # The queue shows how many candidates each signature has.
    response = staff_client.get(reverse("moderation:queue"))
    counts = {s.pk: s.candidate_count for s in response.context["signatures"]}
    assert counts[data["waiting"].pk] == 1


def test_no_editing_of_signatures(staff_client, data):
    from django.urls import NoReverseMatch

    pk = data["individual"].pk
    for name, args in (("edit", [pk]), ("delete", [pk]), ("add", [])):
        with pytest.raises(NoReverseMatch):
            reverse(f"signatures:{name}", args=args)
    assert staff_client.get(f"/admin/signatures/edit/{pk}/", follow=True).status_code == 404
    assert staff_client.get("/admin/signatures/new/", follow=True).status_code == 404


def test_bulk_verify_from_the_queue(staff_client, campaign, official):
    first, second = official(), official()
    response = staff_client.post(
        reverse("moderation:queue"), {"action": "verify", "ids": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    assert Signature.objects.filter(status=Status.VERIFIED).count() == 2
    assert ModerationEvent.objects.filter(action="verify", actor=staff_client.user).count() == 2
    follow = staff_client.get(response["Location"])
    assert "2" in " ".join(str(m) for m in follow.context["messages"])


def test_bulk_reject_needs_a_reason_and_keeps_the_selection(staff_client, official):
    first, second = official(), official()
    response = staff_client.post(
        reverse("moderation:queue"),
        {"action": "reject", "ids": [first.pk, second.pk], "reason": ""},
    )
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert response.context["selected"] == {str(first.pk), str(second.pk)}
    assert Signature.objects.filter(status=Status.REJECTED).count() == 0

    response = staff_client.post(
        reverse("moderation:queue"),
        {"action": "reject", "ids": [first.pk, second.pk], "reason": "Pas d'élu de ce nom"},
    )
    assert response.status_code == 302
    assert Signature.objects.filter(status=Status.REJECTED).count() == 2


def test_forged_and_missing_ids_give_messages(staff_client, official):
    response = staff_client.post(
        reverse("moderation:queue"), {"action": "verify", "ids": ["999999"]}
    )
    assert response.status_code == 302
    messages = [str(m) for m in staff_client.get(response["Location"]).context["messages"]]
    assert any("999999" in m for m in messages)

    response = staff_client.post(reverse("moderation:queue"), {"action": "verify", "ids": ["abc"]})
    assert response.status_code == 400
    response = staff_client.post(reverse("moderation:queue"), {"action": "verify"})
    assert response.status_code == 400
    response = staff_client.post(
        reverse("moderation:queue"), {"action": "drop-table", "ids": ["1"]}
    )
    assert response.status_code == 400
    response = staff_client.post(reverse("moderation:act_one", args=[999999]), {"action": "verify"})
    assert response.status_code in (302, 404)
    if response.status_code == 302:  # LocaleMiddleware retries a 404 under /fr/
        assert "/fr/admin/" in response["Location"]


def test_flagged_queue_clear_and_invalidate(staff_client, data):
    flagged = data["flagged"]
    response = staff_client.get(reverse("moderation:flagged"))
    assert response.context["trending"]["hour"]["ip_hashes"][0]["total"] == 2
    staff_client.post(
        reverse("moderation:flagged"),
        {"action": "invalidate", "ids": [flagged.pk], "reason": "Robot"},
    )
    flagged.refresh_from_db()
    assert flagged.status == Status.INVALIDATED
    other = Signature.objects.get(status=Status.FLAGGED)
    staff_client.post(reverse("moderation:flagged"), {"action": "unflag", "ids": [other.pk]})
    other.refresh_from_db()
    assert other.status == Status.PENDING


def test_single_action_from_the_detail_page(staff_client, data):
    signature = data["waiting"]
    url = reverse("moderation:act_one", args=[signature.pk])
    response = staff_client.post(url, {"action": "reject", "reason": ""})
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.status == Status.CONFIRMED
    response = staff_client.post(url, {"action": "verify", "next": "https://evil.example/"})
    assert response["Location"] == reverse("signatures:inspect", args=[signature.pk])
    signature.refresh_from_db()
    assert signature.status == Status.VERIFIED


def test_bulk_invalidation_preview_confirm_and_undo(staff_client, data, campaign):
    url = reverse("moderation:invalidate")
    form = {"campaign": campaign.pk, "email_domain": "spam.test", "reason": "Vague de robots"}

    response = staff_client.post(url, {**form, "step": "preview"})
    assert response.status_code == 200
    assert response.context["preview"]["total"] == 2
    assert not BulkInvalidation.objects.exists()

    # A confirmation for criteria that were not previewed only previews again.
    response = staff_client.post(
        url,
        {
            **form,
            "email_domain": "other.test",
            "step": "confirm",
            "fingerprint": response.context["fingerprint"],
        },
    )
    assert response.status_code == 200 and not BulkInvalidation.objects.exists()

    response = staff_client.post(url, {**form, "step": "preview"})
    response = staff_client.post(
        url, {**form, "step": "confirm", "fingerprint": response.context["fingerprint"]}
    )
    assert response.status_code == 302
    bulk = BulkInvalidation.objects.get()
    assert bulk.affected == 2 and bulk.actor == staff_client.user
    assert Signature.objects.filter(status=Status.INVALIDATED).count() == 2

    assert staff_client.get(reverse("moderation:undo", args=[bulk.pk])).status_code == 200
    response = staff_client.post(reverse("moderation:undo", args=[bulk.pk]))
    assert response.status_code == 302
    assert Signature.objects.filter(status=Status.FLAGGED).count() == 2
    bulk.refresh_from_db()
    assert bulk.undone_by == staff_client.user
    # Undoing twice is a message, not an error page.
    response = staff_client.post(reverse("moderation:undo", args=[bulk.pk]), follow=True)
    assert response.status_code == 200
    assert (
        staff_client.get(reverse("moderation:undo", args=[123456]), follow=True).status_code == 404
    )


@pytest.mark.parametrize(
    "fields,error_field",
    [
        ({"signed_from": "2026-11-20 12:00", "signed_until": "2026-11-20 11:00"}, "signed_until"),
        ({"signed_from": "2026-11-20 12:00"}, "signed_until"),
        ({"email_domain": "not a domain"}, "email_domain"),
        ({"ip_hash": "zz-not-hex"}, "ip_hash"),
        ({"signed_from": "yesterday-ish", "signed_until": "2026-11-20 11:00"}, "signed_from"),
        ({}, "__all__"),
        ({"email_domain": "spam.test", "reason": ""}, "reason"),
    ],
)
def test_bulk_invalidation_bad_input(staff_client, data, fields, error_field):
    post = {"reason": "x", **fields, "step": "preview"}
    response = staff_client.post(reverse("moderation:invalidate"), post)
    assert response.status_code == 400
    assert error_field in response.context["form"].errors
    # Nothing typed is lost.
    for key, value in fields.items():
        assert response.context["form"].data[key] == value
    assert not BulkInvalidation.objects.exists()


def test_dashboard_panel(staff_client, data, campaign):
    response = staff_client.get(reverse("wagtailadmin_home"))
    content = response.content.decode()
    assert "signatures-summary" in content
    assert campaign.title in content
    assert reverse("moderation:queue") in content and reverse("moderation:flagged") in content
    assert "<svg" in content and "moderation-chart__bar" in content


def test_organisation_domains_are_maintained_in_the_admin(staff_client):
    response = staff_client.post(
        reverse("organisations:add"),
        {
            "name": "Commune de Villeurbanne",
            "kind": "commune",
            "insee_code": "69266",
            "siren": "",
            "departement": "",
            "email_domains": "@Mairie-Villeurbanne.fr\n\nmairie-villeurbanne.fr\nville.fr",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    organisation = Organisation.objects.get()
    assert organisation.official_domains() == {"mairie-villeurbanne.fr", "ville.fr"}

    response = staff_client.post(
        reverse("organisations:edit", args=[organisation.pk]),
        {
            "name": "X",
            "kind": "commune",
            "insee_code": "69266",
            "email_domains": "pas un domaine",
            "siren": "123",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email_domains", "siren"}


# --- Permissions ----------------------------------------------------------------------------


def moderation_urls(data):
    bulk = BulkInvalidation.objects.create(email_domain="x.test", reason="x")
    return [
        reverse("moderation:queue"),
        reverse("moderation:flagged"),
        reverse("moderation:invalidations"),
        reverse("moderation:invalidate"),
        reverse("moderation:undo", args=[bulk.pk]),
        reverse("moderation:events"),
    ]


def refused(response):
    """Wagtail turns a PermissionDenied in its admin into a redirect to the dashboard with a
    message; a direct 403 is fine too."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def test_viewer_sees_signatures_but_cannot_moderate(client, viewer, data):
    client.force_login(viewer)
    assert client.get(reverse("signatures:index")).status_code == 200
    response = client.get(reverse("signatures:inspect", args=[data["waiting"].pk]))
    assert response.status_code == 200
    assert response.context["actions"] == []
    for url in moderation_urls(data):
        assert refused(client.get(url)), url
    response = client.post(
        reverse("moderation:queue"), {"action": "verify", "ids": [data["waiting"].pk]}
    )
    assert refused(response)
    response = client.post(
        reverse("moderation:act_one", args=[data["waiting"].pk]), {"action": "verify"}
    )
    assert refused(response)
    data["waiting"].refresh_from_db()
    assert data["waiting"].status == Status.CONFIRMED
    assert not ModerationEvent.objects.exists()
    assert refused(client.get(reverse("organisations:add")))
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_moderator_without_bulk_permission(client, make_user, data):
    user = make_user(
        "junior",
        "wagtailadmin.access_admin",
        "signatories.view_signature",
        "moderation.moderate_signature",
    )
    client.force_login(user)
    assert client.get(reverse("moderation:queue")).status_code == 200
    assert refused(client.get(reverse("moderation:invalidate")))
    response = client.post(
        reverse("moderation:invalidate"),
        {"email_domain": "spam.test", "reason": "x", "step": "confirm"},
    )
    assert refused(response)
    assert not BulkInvalidation.objects.exists()


def test_non_staff_are_sent_to_login(client, make_user, data):
    urls = [reverse("signatures:index"), reverse("signatures:inspect", args=[data["waiting"].pk])]
    urls += moderation_urls(data)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    client.force_login(make_user("nobody"))
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
    assert not ModerationEvent.objects.exists()


def test_menu_shows_the_signatures_submenu(staff_client, data):
    response = staff_client.get(reverse("wagtailadmin_home"))
    content = response.content.decode()
    assert reverse("moderation:queue") in content
    assert reverse("organisations:index") in content
    assert reverse("moderation:events") in content


def test_organisation_factory_is_listed(staff_client):
    OrganisationFactory(name="Métropole de Lyon", kind="epci", insee_code="", siren="200046977")
    response = staff_client.get(reverse("organisations:index") + "?q=Lyon")
    assert "Métropole de Lyon" in response.content.decode()
