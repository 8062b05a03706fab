"""Bad bytes get a 400 page, never a 500, on every URL (config.hostile_input)."""

import itertools
import json
import time

import altcha
import pytest
from django.urls import URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, UUIDConverter
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.utils.regex_helper import normalize

from campaigns.mailchimp.models import AudienceConnection
from signatories import abuse
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

CONVERTER_VALUES = {
    SlugConverter: "lettre-ouverte",
    IntConverter: "1",
    UUIDConverter: "0b6a3c1e-4f8d-4a5e-9a7b-2c1d3e4f5a6b",
    PathConverter: "abc",
}
# Tried in turn for a converter not listed above (str: "abc") and for a regular expression's group.
CANDIDATES = ["abc", "1", "lettre-ouverte", "lettre-ouverte/", ""]
NUL = "%00"  # percent-encoded: the server hands the view a real NUL


def _fill(pattern):
    """(piece, piece with a NUL in each parameter, whether it has parameters) for one pattern,
    or None when no plausible value matches it."""
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix, pattern.language_prefix, False
    converters = getattr(pattern, "converters", {})
    for template, params in normalize(pattern.regex.pattern):
        choices = [
            [CONVERTER_VALUES[type(converters[name])]]
            if type(converters.get(name)) in CONVERTER_VALUES
            else CANDIDATES
            for name in params
        ]
        for values in itertools.product(*choices):
            piece = template % dict(zip(params, values, strict=True))
            matched = pattern.match(piece)
            if matched and matched[0] == "":
                with_nul = template % dict.fromkeys(params, f"ab{NUL}c")
                return piece, with_nul, bool(params)
    return None


def _walk(resolver, prefix, nul_prefix, has_params):
    for entry in resolver.url_patterns:
        filled = _fill(entry.pattern)
        if filled is None:
            yield prefix + str(entry.pattern), None, None
            continue
        piece, with_nul, params = filled
        url, nul_url = prefix + piece, nul_prefix + with_nul
        if isinstance(entry, URLResolver):
            yield from _walk(entry, url, nul_url, has_params or params)
        else:
            yield url, (nul_url if has_params or params else None), entry


def every_url():
    """{url: url with a NUL in a path parameter (None without parameters)} for every endpoint
    of the URL configuration, the language-prefixed ones under /fr/ and /en/; and the patterns
    no URL could be built for."""
    urls, unbuilt = {}, []
    for language in ("fr", "en"):
        with translation.override(language):
            for url, nul_url, entry in _walk(get_resolver(), "/", "/", False):
                if entry is None:
                    unbuilt.append(url)
                else:
                    urls.setdefault(url, nul_url)
    # The home pages: the page pattern's plausible value is a page's path, not the empty one.
    urls.update({"/": None, "/fr/": None, "/en/": None})
    return urls, unbuilt


def refused(response):
    """Whether the middleware answered with its 400 page."""
    names = {template.name for template in response.templates}
    return response.status_code == 400 and "400.html" in names


@pytest.fixture
def site_data(db):
    """A campaign, so that slug URLs resolve, and a Mailchimp connection whose webhook secret is
    the value a str parameter gets."""
    campaign = CampaignFactory(slug="lettre-ouverte", title="Lettre ouverte des bibliothèques")
    AudienceConnection.objects.create(campaign=campaign, list_id="aud1", webhook_secret="abc")
    return campaign


@pytest.fixture
def client(client):
    client.raise_request_exception = False  # a 500 is a response to look at, not an exception
    return client


@pytest.fixture
def admin_client(admin_client):
    admin_client.raise_request_exception = False
    return admin_client


def test_the_walk_covers_the_whole_url_configuration():
    urls, unbuilt = every_url()
    assert not unbuilt, f"no URL could be built for: {unbuilt}"
    for expected in (
        "/fr/signer/lettre-ouverte/",
        "/en/signer/lettre-ouverte/",
        "/fr/search/",
        "/fr/lettre-ouverte/",  # a page's path, served by Wagtail
        "/admin/",
        "/admin/pages/1/",
        "/webhooks/mailchimp/abc/",
        "/api/campaigns/lettre-ouverte/counts.json",
        "/robots.txt",
    ):
        assert expected in urls
    assert urls["/fr/signer/lettre-ouverte/"] == "/fr/signer/ab%00c/"
    assert urls["/robots.txt"] is None
    assert len(urls) > 300  # the Wagtail admin is most of them


# Each way of sending bad bytes to a URL (and to the same URL with a NUL in a path parameter).
HOSTILE_REQUESTS = {
    "GET ?q=%00": lambda client, url, nul_url: client.get(f"{url}?q={NUL}"),
    "POST form with a NUL": lambda client, url, nul_url: client.post(url, {"q": "a\x00b"}),
    "POST JSON with a NUL": lambda client, url, nul_url: client.post(
        url, json.dumps({"q": "a\u0000b"}), content_type="application/json"
    ),
    "header with \\x01": lambda client, url, nul_url: client.get(url, HTTP_X_TEST="a\x01b"),
    "NUL in a path segment": lambda client, url, nul_url: nul_url and client.get(nul_url),
}


@pytest.mark.parametrize("sent", HOSTILE_REQUESTS)
def test_bad_bytes_get_a_400_on_every_url(client, admin_client, site_data, sent):
    """Anonymous on the site, signed in as a superuser on the admin: so that, were the middleware
    gone, each view would really see the bytes."""
    urls, _unbuilt = every_url()
    failures = []
    for url, nul_url in urls.items():
        client_ = admin_client if url.startswith("/admin/") else client
        response = HOSTILE_REQUESTS[sent](client_, url, nul_url)
        if response is not None and not refused(response):
            failures.append(f"{sent} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("prefix", "language", "text"),
    [
        ("/en/", "en", "Your request contains characters we cannot accept (control characters)."),
        ("/fr/", "fr", "Votre requête contient des caractères que nous ne pouvons pas accepter"),
        ("/api/", "fr", "Votre requête contient des caractères"),  # unprefixed: French
    ],
)
def test_the_400_page_speaks_the_language_of_the_url(client, site_data, prefix, language, text):
    response = client.get(f"{prefix}search/?q=caf%C3%A9%00")
    assert refused(response)
    html = response.content.decode()
    assert text in html
    assert f'<html lang="{language}"' in html
    assert response["Content-Language"] == language
    assert f'href="/{language}/"' in html  # back to the home page
    assert translation.get_language() == "fr"  # the visitor's language did not stay active


@pytest.mark.parametrize(
    ("url", "kwargs"),
    [
        ("/fr/signer/%FF/", {}),  # not UTF-8
        ("/fr/signer/caf%C3%A9%E9/", {}),
        ("/fr/signer/a%7Fb/", {}),  # DEL
        ("/fr/search/?q=%FF", {}),
        ("/fr/search/?q=a%0Ab", {}),  # no line break in a query string
        ("/fr/search/?q=a%09b", {}),  # nor a tab
        ("/fr/search/?q=a\x00b", {}),  # not percent-encoded
        ("/fr/search/", {"HTTP_USER_AGENT": "bot\x00"}),
        ("/fr/search/", {"CONTENT_TYPE": "text/plain\x0b"}),
    ],
)
def test_control_characters_in_the_path_query_or_headers_are_refused(client, url, kwargs):
    assert refused(client.get(url, **kwargs))


@pytest.mark.parametrize(
    "body",
    [
        {"a": {"b": ["c", {"d": "e\x00"}]}},
        {"key\x07": 1},
        ["\x7f"],
        "\x1b[31m",
    ],
)
def test_control_characters_anywhere_in_a_json_body_are_refused(client, site_data, body):
    url = "/webhooks/mailchimp/abc/"
    assert refused(client.post(url, json.dumps(body), content_type="application/json"))


def test_a_body_that_is_not_json_is_left_to_the_view(client, site_data):
    response = client.post(
        "/fr/signer/lettre-ouverte/", b"{\x00garbage", content_type="application/json"
    )
    assert response.status_code < 500 and not refused(response)


def test_form_fields_are_checked_in_keys_values_and_every_method(client, site_data):
    url = "/webhooks/mailchimp/abc/"
    assert refused(client.post(url, {"ty\x00pe": "subscribe"}))
    assert refused(client.post(url, {"type": ["subscribe", "x\x1f"]}))
    assert refused(client.post(url, {"type": "x", "file": _upload()} | {"note": "a\x00"}))
    form = "application/x-www-form-urlencoded"  # the test client's default is multipart
    assert refused(client.post(url, "type=a%00b", content_type=form))
    assert refused(client.post(url, "type=a%0Bb", content_type=form))
    assert refused(client.put(url, "type=a%00b", content_type=form))
    assert refused(client.patch(url, "type=a%00b", content_type=form))


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png")


def test_uploads_tabs_and_line_breaks_pass(client, site_data):
    url = "/webhooks/mailchimp/abc/"
    response = client.post(url, {"type": "x", "file": _upload(), "note": "a\tb\r\nc"})
    assert response.status_code < 500 and not refused(response)
    response = client.get("/fr/search/?q=a+b", HTTP_X_TEST="a\tb", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code < 500 and not refused(response)
    assert not refused(
        client.post(url, json.dumps({"note": "a\tb\nc\r"}), content_type="application/json")
    )


def test_a_body_django_cannot_read_gets_the_400_page(client, site_data, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/fr/signer/lettre-ouverte/", {f"f{i}": "x" for i in range(10)})
    assert refused(response)
    assert "Votre requête n’a pas pu être lue" in response.content.decode()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post("/en/signer/lettre-ouverte/", {"first_name": "x" * 1000})
    assert refused(response)
    assert "Your request could not be read" in response.content.decode()
    response = client.post(
        "/en/signer/lettre-ouverte/", "x" * 1000, content_type="application/json"
    )
    assert refused(response)


def test_django_s_own_400_renders_the_page_too(client, site_data):
    # An unknown host: Django's bad_request view renders 400.html, without a request.
    response = client.get("/fr/search/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Votre requête n’a pas pu être lue" in response.content.decode()


def test_normal_requests_pass(client, site_data, settings):
    assert client.get("/fr/").status_code < 400
    assert client.get("/fr/search/?q=caf%C3%A9+cr%C3%A8me").status_code == 200
    settings.SIGNATURES_ALTCHA_COST = 1  # solving must stay quick in tests
    settings.SIGNATURES_ALTCHA_MAX_NUMBER = 5
    challenge = abuse.create_challenge()
    solution = altcha.solve_challenge(challenge)
    data = {
        "category": "individual",
        "first_name": "Camille",
        "last_name": "Durand\t",
        "email": "camille.durand@example.org",
        "postcode": "69001",
        "consent_sign": "on",
        "website": "",
        "form_token": abuse.make_form_token(site_data, now=time.time() - 10),
        "altcha": altcha.Payload(challenge, solution).to_base64(),
    }
    response = client.post("/fr/signer/lettre-ouverte/", data)
    # The signing view answers a redirect (or the form again, if it finds something to correct):
    # anything but the middleware's refusal.
    assert response.status_code < 400 and not refused(response)
