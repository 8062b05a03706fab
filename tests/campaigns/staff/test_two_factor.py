"""Two-factor authentication (TOTP, django-otp) for the people who use the Wagtail admin."""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaigns.staff.otp import TwoFactorMiddleware

pytestmark = pytest.mark.django_db

HOME = "/admin/"
PAGES = "/admin/pages/"
VERIFY = "/admin/2fa/verify/"
SETUP = "/admin/2fa/setup/"
MANAGE = "/admin/2fa/"


@pytest.fixture(autouse=True)
def required(settings):
    settings.ADMIN_2FA_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttling test turns it back on


@pytest.fixture
def staff(superuser, client):
    client.force_login(superuser)
    return superuser


@pytest.fixture
def enrolled(staff):
    return TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)


def code_for(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device):
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


def verified(client):
    return "otp_device_id" in client.session


# --- Enrolment ---------------------------------------------------------------------------------


def test_required_without_device_redirects_to_setup_with_next(client, staff):
    response = client.get(PAGES)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2Fpages%2F"


def test_setup_shows_a_qr_code_and_the_secret_then_confirms(client, staff):
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg class="otp-qr" role="img"' in html
    assert "<script>" not in html.split("</head>")[1]  # no inline script in the body
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")
    # Reloading keeps the same secret (the person may already have scanned it).
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=staff).count() == 1

    refused = client.post(SETUP, {"code": wrong_code(device)})
    assert refused.status_code == 200
    assert refused.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed and not verified(client)

    response = client.post(SETUP, {"code": code_for(device), "next": PAGES})
    assert response.status_code == 302
    assert response["Location"] == "/admin/2fa/backup-codes/?next=%2Fadmin%2Fpages%2F"
    device.refresh_from_db()
    assert device.confirmed and verified(client)

    codes_page = client.get(response["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert codes[0] in codes_page.content.decode()
    # Shown once only.
    assert client.get("/admin/2fa/backup-codes/")["Location"] == MANAGE
    assert client.get(HOME).status_code == 200
    assert client.get(PAGES).status_code == 200


# --- Verification ------------------------------------------------------------------------------


def test_device_redirects_to_verify(client, enrolled):
    response = client.get(PAGES)
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2Fpages%2F"
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # no new device without a code
    assert client.get(MANAGE)["Location"].startswith(VERIFY)


def test_background_fetches_and_posts_are_not_remembered_as_next(client, enrolled):
    fetch = client.get("/admin/pages/", headers={"Sec-Fetch-Mode": "cors"})
    assert fetch["Location"] == VERIFY
    assert client.post(PAGES, {})["Location"] == VERIFY


def test_the_session_key_changes_when_verified(client, enrolled):
    before = client.session.session_key
    client.post(VERIFY, {"code": code_for(enrolled)})
    assert verified(client) and client.session.session_key != before


def test_wrong_code_gives_a_message_and_stays_unverified(client, enrolled):
    response = client.post(VERIFY, {"code": wrong_code(enrolled), "next": PAGES})
    assert response.status_code == 200
    assert "not valid" in response.content.decode() or "pas valide" in response.content.decode()
    assert not verified(client)
    assert client.get(PAGES).status_code == 302


def test_correct_code_verifies_and_reaches_next(client, enrolled):
    page = client.get(f"{VERIFY}?next={PAGES}")
    assert page.status_code == 200
    response = client.post(VERIFY, {"code": code_for(enrolled), "next": PAGES})
    assert response.status_code == 302 and response["Location"] == PAGES
    assert verified(client)
    assert client.get(PAGES).status_code == 200


def test_code_with_spaces_is_accepted(client, enrolled):
    code = code_for(enrolled)
    response = client.post(VERIFY, {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302 and verified(client)


@pytest.mark.parametrize(
    "target", ["https://evil.example/admin/", "//evil.example/", "javascript:alert(1)"]
)
def test_unsafe_next_is_ignored(client, enrolled, target):
    response = client.post(VERIFY, {"code": code_for(enrolled), "next": target})
    assert response["Location"] == reverse("wagtailadmin_home")


def test_a_backup_code_works_once(client, enrolled):
    device = StaticDevice.objects.create(user=enrolled.user, name="backup")
    device.token_set.create(token="abcd2345")
    assert client.post(VERIFY, {"code": "ABCD-2345"}).status_code == 302
    assert verified(client)
    assert not StaticToken.objects.exists()


def test_throttling_after_a_wrong_code(client, enrolled, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    client.post(VERIFY, {"code": wrong_code(enrolled)})
    response = client.post(VERIFY, {"code": code_for(enrolled)})  # even the right code waits
    assert response.status_code == 200
    assert "Wait" in response.content.decode() or "Attendez" in response.content.decode()
    assert not verified(client)


def test_exempt_paths_stay_reachable(client, enrolled):
    assert client.get(reverse("wagtailadmin_javascript_catalog")).status_code == 200
    assert client.get(reverse("wagtailadmin_sprite")).status_code == 200  # icons on 2FA pages
    assert client.get(reverse("wagtailadmin_password_reset")).status_code in (200, 302)
    response = client.post(reverse("wagtailadmin_logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_public_site_sees_an_unverified_admin_as_anonymous(enrolled):
    request = RequestFactory().get("/fr/")
    request.session = SessionStore()
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "signed-in"  # sign-in is by session only
    request.user = enrolled.user
    request.user.is_verified = lambda: False
    seen = {}

    def view(req):
        seen["user"] = req.user
        return None

    TwoFactorMiddleware(view)(request)
    assert isinstance(seen["user"], AnonymousUser)


def test_a_request_without_session_never_loads_the_user():
    """Signers and visitors have no session cookie: their lazy user is left unevaluated."""
    request = RequestFactory().post("/fr/signer/x/")
    loaded = []
    request.user = SimpleLazyObject(lambda: loaded.append(True) or AnonymousUser())
    TwoFactorMiddleware(lambda req: None)(request)
    assert loaded == []


# --- Who is concerned --------------------------------------------------------------------------


def test_users_without_admin_access_are_unaffected(client, django_user_model):
    user = django_user_model.objects.create_user(username="public", password="x-123456789")
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    response = client.get(HOME)
    assert not response.get("Location", "").startswith("/admin/2fa/")


def test_setting_off_no_redirect_without_device(client, staff, settings):
    settings.ADMIN_2FA_REQUIRED = False
    assert client.get(HOME).status_code == 200
    assert client.get(PAGES).status_code == 200


def test_setting_off_still_asks_the_enrolled(client, enrolled, settings):
    settings.ADMIN_2FA_REQUIRED = False
    assert client.get(HOME)["Location"].startswith(VERIFY)


# --- Managing one's own device ----------------------------------------------------------------


@pytest.fixture
def signed_in(client, enrolled):
    client.post(VERIFY, {"code": code_for(enrolled)})
    assert verified(client)
    enrolled.refresh_from_db()
    return enrolled


def test_manage_page_needs_a_code_to_change_anything(client, signed_in):
    page = client.get(MANAGE)
    assert page.status_code == 200
    response = client.post(MANAGE, {"action": "replace", "code": wrong_code(signed_in)})
    assert response.status_code == 400
    assert TOTPDevice.objects.get().pk == signed_in.pk


def test_replace_keeps_the_old_device_until_the_new_one_is_confirmed(client, signed_in):
    # The code just used cannot be replayed; the next time step's can.
    signed_in.drift = 1
    response = client.post(MANAGE, {"action": "replace", "code": code_for(signed_in)})
    assert response["Location"].startswith(SETUP)
    client.get(SETUP)
    new = TOTPDevice.objects.get(confirmed=False)
    assert TOTPDevice.objects.filter(pk=signed_in.pk, confirmed=True).exists()
    response = client.post(SETUP, {"code": code_for(new), "next": MANAGE})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [(new.pk, True)]


def test_new_backup_codes_replace_the_old(client, signed_in):
    old = StaticDevice.objects.create(user=signed_in.user, name="backup")
    old.token_set.create(token="oldcode2")
    response = client.post(MANAGE, {"action": "backup_codes", "code": "oldcode2"})
    assert response["Location"].startswith("/admin/2fa/backup-codes/")
    assert StaticToken.objects.count() == 10
    assert not StaticToken.objects.filter(token="oldcode2").exists()


def test_turning_off_is_refused_when_required(client, signed_in):
    signed_in.drift = 1
    response = client.post(MANAGE, {"action": "disable", "code": code_for(signed_in)})
    assert response.status_code == 403
    assert TOTPDevice.objects.exists()


def test_account_page_links_to_the_settings(client, signed_in):
    assert MANAGE in client.get(reverse("wagtailadmin_account")).content.decode()


# --- Lost phone ---------------------------------------------------------------------------------


def test_reset_command(client, enrolled):
    StaticDevice.objects.create(user=enrolled.user, name="backup").token_set.create(token="x")
    out = StringIO()
    call_command("reset_2fa", enrolled.user.username, stdout=out)
    assert "reset" in out.getvalue()
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    assert client.get(HOME)["Location"].startswith(SETUP)


def test_reset_command_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("reset_2fa", "nobody")
