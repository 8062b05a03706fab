"""The server-side page cache: anonymous visitors get live pages without a render, with fresh
form tokens; editors' changes and count refreshes show at once; nothing personal is kept."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signatories import abuse
from signatories.counts import refresh_campaign
from signatories.models import Signature
from tests.factories.signatories import SignatureFactory

pytestmark = pytest.mark.django_db

LETTER = "/fr/lettre-ouverte/"


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def letter(demo):
    from content.models import OpenLetterPage

    return OpenLetterPage.objects.live().get(locale__language_code="fr")


def test_second_visit_is_served_without_queries(client, demo, any_cache):
    first, first_queries = get(client, LETTER)
    second, second_queries = get(client, LETTER)
    assert first.status_code == second.status_code == 200
    assert first_queries > 0 and second_queries == 0
    assert second["Cache-Control"] == first["Cache-Control"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert int(second["Content-Length"]) == len(second.content)
    assert not second.cookies


def test_the_cached_page_holds_nothing_per_visitor(client, demo, any_cache):
    """The form token comes with the ALTCHA challenge (fetched uncached), not in the page: the
    cached copy is the first render byte for byte, and any standard cache can serve it."""
    page = letter(demo)
    first, _ = get(client, LETTER)
    cached, queries = get(client, LETTER)
    assert queries == 0
    assert cached.content == first.content
    assert re.search(rb'name="form_token"(?! value)', first.content)  # the field, empty
    challenge = client.get(f"/api/altcha/challenge/?campaign={page.campaign.pk}")
    assert "no-cache" in challenge["Cache-Control"] or "max-age=0" in challenge["Cache-Control"]
    abuse.check_form_token(challenge["X-Form-Token"], page.campaign)  # does not raise


def test_publishing_a_change_shows_at_once(client, demo, any_cache):
    get(client, LETTER)
    page = letter(demo)
    page.intro = "Un chapeau tout neuf pour la lettre."
    page.save_revision().publish()
    response, queries = get(client, LETTER)
    assert queries > 0
    assert "Un chapeau tout neuf pour la lettre." in response.content.decode()


def counter_value(response):
    found = re.search(
        r'class="signature-counter__bar" max="\d+" value="(\d+)"', response.content.decode()
    )
    return int(found.group(1))


def test_counter_follows_the_count_refresh(client, demo):
    page = letter(demo)
    page.campaign.goal = 1_000_000
    page.campaign.save()
    refresh_campaign(page.campaign)
    before, _ = get(client, LETTER)
    SignatureFactory.create_batch(3, campaign=page.campaign, status=Signature.Status.CONFIRMED)
    assert get(client, LETTER)[1] == 0  # signing alone never invalidates pages
    refresh_campaign(page.campaign)
    after, queries = get(client, LETTER)
    assert queries > 0
    assert counter_value(after) == counter_value(before) + 3
    refresh_campaign(page.campaign)  # nothing changed: the page stays
    assert get(client, LETTER)[1] == 0


def test_visitors_with_cookies_and_editors_get_a_fresh_render(client, demo, django_user_model):
    get(client, LETTER)
    client.cookies["sessionid"] = "whatever"
    assert get(client, LETTER)[1] > 0
    client.cookies.clear()
    client.force_login(django_user_model.objects.get(username="admin"))
    response, queries = get(client, LETTER)
    assert queries > 0 and "private" in response["Cache-Control"]


def test_query_strings_errors_and_restricted_pages_are_not_kept(client, demo):
    from wagtail.models import PageViewRestriction

    assert get(client, "/fr/search/?q=lettre")[0].status_code == 200
    assert get(client, "/fr/search/?q=lettre")[1] > 0
    get(client, "/fr/nulle-part/")
    assert get(client, "/fr/nulle-part/")[1] > 0

    page = letter(demo)
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="x")
    response, _ = get(client, LETTER)
    assert response.status_code == 200 and "password" in response.content.decode().lower()
    assert get(client, LETTER)[1] > 0


def test_page_cache_can_be_switched_off(client, demo, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, LETTER)
    assert get(client, LETTER)[1] > 0


def test_a_deploy_with_new_static_files_renders_pages_again(client, demo, monkeypatch):
    from django.contrib.staticfiles.storage import staticfiles_storage

    get(client, LETTER)
    assert get(client, LETTER)[1] == 0
    monkeypatch.setattr(staticfiles_storage, "manifest_hash", "new-build", raising=False)
    assert get(client, LETTER)[1] > 0
