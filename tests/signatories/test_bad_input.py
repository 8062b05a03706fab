import pytest
from django.core import mail
from django.urls import reverse

from signatories import confirmation, counts
from signatories.models import Signature, Submission
from tests.signatories.submitting import process

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_every_field_is_escaped_on_pages_and_in_emails(
    client, campaign, sign_data, run_tasks
):
    data = sign_data(
        category="professional",
        first_name=XSS[:100],
        last_name="O'Brien & <b>Co</b>",
        job_title=XSS[:150],
        establishment=XSS,
    )
    response = client.post(reverse("signatories:sign", args=[campaign.slug]), data)
    assert response.status_code == 303
    run_tasks()
    html_mail = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html_mail and "&lt;script&gt;" in html_mail
    signature = Signature.objects.get()
    confirmation.confirm(signature)
    counts.refresh_campaign(campaign)
    page = client.get(reverse("signatories:public_list", args=[campaign.slug])).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>Co</b>" not in page


def test_xss_redisplayed_in_form_is_escaped(client, campaign, sign_data):
    response = client.post(
        reverse("signatories:sign", args=[campaign.slug]),
        sign_data(first_name=XSS[:100], email="bad"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Ǆemal Ŋgüyễn-Łukasz 王小明 محمد", "Ǆemal Ŋgüyễn-Łukasz 王小明 محمد"),
        ("👩🏽‍🏫 Zoë", "👩🏽‍🏫 Zoë"),  # the emoji's zero-width joiners are part of it
        ("A" * 100, "A" * 100),
        # Accepted, without the right-to-left override that would display it as "live".
        ("\u202eevil", "evil"),
    ],
)
def test_unusual_unicode_names_are_accepted(client, campaign, sign_data, name, stored):
    response = client.post(
        reverse("signatories:sign", args=[campaign.slug]), sign_data(first_name=name)
    )
    assert response.status_code == 303
    process()
    assert Signature.objects.get().first_name == stored


def test_too_long_fields_get_a_message_not_a_500(client, campaign, sign_data):
    response = client.post(
        reverse("signatories:sign", args=[campaign.slug]),
        sign_data(first_name="A" * 5000, email="a" * 300 + "@example.org", postcode="1" * 50),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"first_name", "email", "postcode"} <= set(errors)
    assert not Submission.objects.exists()  # nothing recorded for the worker


def test_null_bytes_and_malformed_posts(client, campaign, sign_data):
    url = reverse("signatories:sign", args=[campaign.slug])
    # A NUL is refused at the door (config.hostile_input), before any view or query sees it.
    assert client.post(url, sign_data(first_name="a\x00b")).status_code == 400
    assert client.post(url, {}).status_code == 200
    assert client.post(url, "garbage", content_type="application/json").status_code == 200
    assert client.post("/fr/signer/inconnue/", sign_data()).status_code == 404
    assert client.put(url).status_code == 405
    assert not Submission.objects.exists()
    process()
    assert not Signature.objects.exists()


@pytest.mark.parametrize(("name", "answer"), [("resend", 303), ("data_request", 200)])
def test_null_bytes_and_malformed_addresses_in_the_request_forms(client, campaign, name, answer):
    url = reverse(f"signatories:{name}")
    assert client.post(url, {"email": "a\x00b@example.org"}).status_code == 400
    assert client.post(url, {"email": "not an address"}).status_code == 200
    # Taken like any address, cut to 254 characters; the worker finds nobody behind it.
    assert client.post(url, {"email": "@" * 5000}).status_code == answer
    assert client.post(url, {}).status_code == 200
    assert client.post(url, "garbage", content_type="application/json").status_code == 200
    assert process() == []  # no email for anybody
    assert not Signature.objects.exists()


@pytest.mark.parametrize("token", ["", "a" * 2000, "..", "%00", "WzEsImFiYyJd:1:bad"])
def test_bad_tokens_never_500(client, token):
    for name in ("confirm", "withdraw", "data_copy"):
        url = reverse(f"signatories:{name}", args=["placeholder"]).replace("placeholder", token)
        assert client.get(url).status_code in (400, 404)
    # The confirm and withdraw links act on POST (their page's button): refused the same way.
    for name in ("confirm", "withdraw"):
        url = reverse(f"signatories:{name}", args=["placeholder"]).replace("placeholder", token)
        assert client.post(url, {"action": "erase"}).status_code in (400, 404)
