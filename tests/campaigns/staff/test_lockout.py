"""Lockout after repeated failed sign-ins to the Wagtail admin (django-axes)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser(
        username="editrice", email="editrice@example.org", password="bon-mot-de-passe-2026"
    )


def sign_in(client, password, ip="203.0.113.7"):
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": "editrice", "password": password},
        REMOTE_ADDR=ip,
    )


def is_signed_in(client):
    return "_auth_user_id" in client.session


def test_locked_out_after_the_failure_limit(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        response = sign_in(client, "mauvais")
        assert response.status_code == 200  # the login form again, with its error
        assert not is_signed_in(client)

    response = sign_in(client, "mauvais")
    assert response.status_code == 429
    assert (
        "Too many failed sign-in attempts" in response.content.decode()
        or "Trop" in response.content.decode()
    )

    # Even the right password is refused while locked out.
    response = sign_in(client, "bon-mot-de-passe-2026")
    assert response.status_code == 429
    assert not is_signed_in(client)

    # The lockout is per username and client: the same person from another network can sign in.
    response = sign_in(client, "bon-mot-de-passe-2026", ip="198.51.100.20")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_success_resets_the_count(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, "mauvais")
    sign_in(client, "mauvais")
    assert sign_in(client, "bon-mot-de-passe-2026").status_code == 302
    client.logout()
    sign_in(client, "mauvais")
    sign_in(client, "mauvais")
    assert sign_in(client, "bon-mot-de-passe-2026").status_code == 302


def test_lockout_page_is_translated(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 1
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": "editrice", "password": "mauvais"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 429
    assert "tentatives" in response.content.decode()


def test_login_without_a_request_still_works(client, editor):
    # The test client's login() and management commands call authenticate() without a request.
    assert client.login(username="editrice", password="bon-mot-de-passe-2026")
