"""The submissions queue in the Wagtail admin: a French, read-only listing with its summary,
filters that never fail, a detail that never shows the IP hash, and retry for moderators only."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse

from signatories.models import Submission
from signatories.moderation.intake_viewsets import SubmissionInspectView, describe_lag

pytestmark = pytest.mark.django_db
Status = Submission.Status

IP_HASH = "f00dcafe" * 8


@pytest.fixture(params=["superuser", "moderator"])
def staff_client(request, client):
    user = request.getfixturevalue(request.param)
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def rows(campaign):
    common = {"campaign": campaign, "ip_hash": IP_HASH}
    failed = Submission.objects.create(
        kind="sign",
        status=Status.FAILED,
        failure="ValueError: boom",
        attempts=1,
        fields={
            "category": "elected",
            "first_name": "Camille",
            "last_name": "<script>alert(1)</script>",
            "consent_public": True,
            "consent_text": "J’accepte.\nVraiment.",
        },
        email="camille@example.org",
        canonical_email="camille@example.org",
        email_domain="example.org",
        **common,
    )
    processed = Submission.objects.create(
        kind="resend",
        status=Status.PROCESSED,
        outcome=Submission.Outcome.RESENT,
        attempts=1,
        email_domain="example.org",
        **common,
    )
    waiting = Submission.objects.create(
        kind="data",
        campaign=None,
        ip_hash=IP_HASH,
        email="dana@example.org",
        canonical_email="dana@example.org",
    )
    return {"failed": failed, "processed": processed, "waiting": waiting}


def index_url(query=""):
    return reverse("submissions:index") + query


def shown(response):
    return [row.pk for row in response.context["object_list"]]


def texts(response):
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def test_listing_in_french_with_labels_failure_and_summary(staff_client, rows):
    response = staff_client.get(index_url())
    assert response.status_code == 200
    content = response.content.decode()
    # Newest first.
    assert shown(response) == [rows["waiting"].pk, rows["processed"].pk, rows["failed"].pk]
    for label in (
        "Envois des formulaires",
        "Reçu le",
        "Échoué",  # the status label ("Failed" is shared with other apps' catalogs)
        "Traité",
        "En attente",
        "Copie des données",
        "Renvoi du lien",
        "Lien de confirmation renvoyé",
        "toutes les campagnes ouvertes",
        "Raison de l’échec",
        "ValueError: boom",
    ):
        assert label in content, label
    # Raw codes are never shown as values.
    for code in (">failed<", ">processed<", ">waiting<", ">resend<", ">resent<", ">data<"):
        assert code not in content, code
    # The summary: one waiting, one failed, the age of the oldest waiting.
    assert "1 en attente" in content
    assert "1 en échec" in content
    assert "L’envoi en attente le plus ancien a été reçu il y a" in content
    assert IP_HASH not in content
    assert b"<script>alert(1)</script>" not in response.content


def test_filters_by_status_and_kind(staff_client, rows):
    assert shown(staff_client.get(index_url("?status=failed"))) == [rows["failed"].pk]
    assert shown(staff_client.get(index_url("?status=waiting"))) == [rows["waiting"].pk]
    assert shown(staff_client.get(index_url("?kind=resend"))) == [rows["processed"].pk]
    assert shown(staff_client.get(index_url("?kind=sign&status=processed"))) == []
    campaign = rows["failed"].campaign_id
    assert set(shown(staff_client.get(index_url(f"?campaign={campaign}")))) == {
        rows["failed"].pk,
        rows["processed"].pk,
    }
    # The AJAX results view answers the same filters.
    response = staff_client.get(reverse("submissions:index_results") + "?status=failed")
    assert response.status_code == 200
    assert shown(response) == [rows["failed"].pk]


@pytest.mark.parametrize(
    "query",
    [
        "?status=%ff",
        "?status=nonsense",
        "?kind=%ff%fe&campaign=abc",
        "?campaign=999999",
        "?ordering=nonsense",
        "?p=999",
        "?status=failed&p=-1",
    ],
)
def test_bad_filter_values_are_no_500(staff_client, rows, query):
    # 200 with the filter ignored, or the 400 of config.hostile_input for a query not in UTF-8.
    expected = 400 if "%ff" in query else 200
    assert staff_client.get(index_url(query)).status_code == expected, query
    results = reverse("submissions:index_results") + query
    assert staff_client.get(results).status_code == expected, query


def test_detail_shows_what_was_sent_never_the_ip_hash(staff_client, rows):
    response = staff_client.get(reverse("submissions:inspect", args=[rows["failed"].pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Camille" in content
    assert "camille@example.org" in content  # moderators see the email
    assert "Élu(e)" in content  # the category's label, not its code
    assert ">elected<" not in content
    assert "ValueError: boom" in content
    assert "J’accepte.<br>Vraiment.<br>" in content
    assert "&lt;script&gt;" in content
    assert b"<script>alert(1)</script>" not in response.content
    assert IP_HASH not in content
    assert reverse("submissions:retry", args=[rows["failed"].pk]) in content
    assert "Remettre en file d’attente" in content
    for row in ("processed", "waiting"):
        response = staff_client.get(reverse("submissions:inspect", args=[rows[row].pk]))
        assert response.status_code == 200
        assert IP_HASH not in response.content.decode()
        # Only failed rows can be retried.
        assert reverse("submissions:retry", args=[rows[row].pk]) not in response.content.decode()
    # An unknown row: a 404 (LocaleMiddleware first tries the /fr/ prefix, then gives up).
    response = staff_client.get(reverse("submissions:inspect", args=[999999]), follow=True)
    assert response.status_code == 404


def test_email_hidden_from_staff_without_moderation(rows, viewer):
    request = RequestFactory().get("/")
    request.user = viewer
    view = SubmissionInspectView(model=Submission)
    view.setup(request, pk=rows["failed"].pk)
    assert "email" not in view.fields and "canonical_email" not in view.fields
    assert "ip_hash" not in view.fields


def test_no_add_edit_or_delete(staff_client, rows):
    from django.urls import NoReverseMatch

    pk = rows["failed"].pk
    for name, args in (("add", []), ("edit", [pk]), ("delete", [pk])):
        with pytest.raises(NoReverseMatch):
            reverse(f"submissions:{name}", args=args)
    for url in (f"/admin/signatures/submissions/edit/{pk}/", "/admin/signatures/submissions/new/"):
        assert staff_client.get(url, follow=True).status_code == 404, url


def test_retry_one_failed_row(staff_client, rows):
    failed = rows["failed"]
    response = staff_client.post(reverse("submissions:retry", args=[failed.pk]))
    assert response.status_code == 302
    assert response.url == reverse("submissions:inspect", args=[failed.pk])
    failed.refresh_from_db()
    assert failed.status == Status.WAITING
    assert failed.failure == ""
    assert texts(response) == ["1 envoi en échec remis en file d’attente."]


@pytest.mark.parametrize("row", ["processed", "waiting"])
def test_retry_leaves_rows_that_did_not_fail(staff_client, rows, row):
    submission = rows[row]
    before = submission.status
    response = staff_client.post(reverse("submissions:retry", args=[submission.pk]))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == before
    (message,) = texts(response)
    assert "n’a pas échoué" in message
    rows["failed"].refresh_from_db()
    assert rows["failed"].status == Status.FAILED


def test_retry_all_failed(staff_client, rows, campaign):
    other = Submission.objects.create(
        kind="resend", campaign=campaign, status=Status.FAILED, failure="KeyError: 'x'"
    )
    response = staff_client.get(index_url())
    assert reverse("submissions:retry_failed") in response.content.decode()
    assert "Remettre en file d’attente les 2 envois en échec" in response.content.decode()
    response = staff_client.post(reverse("submissions:retry_failed"))
    assert response.status_code == 302
    assert response.url == index_url()
    assert texts(response) == ["2 envois en échec remis en file d’attente."]
    assert set(Submission.objects.filter(status=Status.WAITING).values_list("pk", flat=True)) == {
        rows["failed"].pk,
        rows["waiting"].pk,
        other.pk,
    }
    rows["processed"].refresh_from_db()
    assert rows["processed"].status == Status.PROCESSED
    assert rows["processed"].outcome == Submission.Outcome.RESENT
    # Nothing left to retry: a message, no error, and no button.
    response = staff_client.post(reverse("submissions:retry_failed"))
    assert texts(response)[-1] == "Aucun envoi en échec à relancer."
    assert reverse("submissions:retry_failed") not in staff_client.get(index_url()).content.decode()


def test_retry_is_post_only_csrf_protected_and_404_for_unknown_rows(moderator, rows):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    failed = rows["failed"]
    assert client.get(reverse("submissions:retry", args=[failed.pk])).status_code == 405
    assert client.get(reverse("submissions:retry_failed")).status_code == 405
    assert client.post(reverse("submissions:retry", args=[failed.pk])).status_code == 403
    assert client.post(reverse("submissions:retry_failed")).status_code == 403
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    client = Client()
    client.force_login(moderator)
    for url in (
        reverse("submissions:retry", args=[999999]),
        "/admin/signatures/submissions/retry/abc/",
    ):
        assert client.post(url, follow=True).status_code == 404, url


def test_retried_rows_are_processed_by_the_worker(staff_client, rows, run_tasks):
    staff_client.post(reverse("submissions:retry_failed"))
    run_tasks()
    rows["failed"].refresh_from_db()
    assert (rows["failed"].status, rows["failed"].outcome) == (Status.PROCESSED, "new")
    assert rows["failed"].attempts == 2


def test_staff_without_moderation_permission_are_refused(viewer_client, rows):
    failed = rows["failed"]
    for url in (
        index_url(),
        index_url("?status=failed"),
        reverse("submissions:index_results"),
        reverse("submissions:inspect", args=[failed.pk]),
    ):
        response = viewer_client.get(url)
        assert response.status_code in (302, 403), url
        assert IP_HASH not in response.content.decode()
    for url in (
        reverse("submissions:retry", args=[failed.pk]),
        reverse("submissions:retry_failed"),
    ):
        assert viewer_client.post(url).status_code in (302, 403), url
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    # Neither the menu entry nor the dashboard panel.
    home = viewer_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("submissions:index") not in home
    assert "Envois des formulaires" not in home


def test_anonymous_users_are_sent_to_login(client, rows):
    response = client.get(index_url())
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response.url
    response = client.post(reverse("submissions:retry_failed"))
    assert response.status_code == 302
    rows["failed"].refresh_from_db()
    assert rows["failed"].status == Status.FAILED


def test_menu_entry_and_dashboard_panel_for_moderators(staff_client, rows):
    home = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("submissions:index") in home  # the "Signatures" submenu and the panel
    assert "Envois des formulaires" in home
    assert "1 en échec" in home


def test_describe_lag_in_french():
    from django.utils import translation

    with translation.override("fr"):
        assert describe_lag(0) == "0 seconde"
        assert describe_lag(42.7) == "42 secondes"
        assert describe_lag(3 * 3600 + 5 * 60).replace("\xa0", " ") == "3 heures, 5 minutes"
