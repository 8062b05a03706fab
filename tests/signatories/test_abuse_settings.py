"""Moderators tighten the abuse limits in the admin during an attack; the worker applies them
to the next batch, without a deploy."""

import pytest
from django.urls import reverse
from django.utils import timezone

from signatories import abuse
from signatories.models import AbuseSettings, Submission

pytestmark = pytest.mark.django_db


def queued(campaign, count, ip_hash="h", domain="example.org"):
    now = timezone.now()
    return [
        Submission.objects.create(
            kind="sign", campaign=campaign, ip_hash=ip_hash, email_domain=domain, created_at=now
        )
        for _ in range(count)
    ]


def test_empty_fields_keep_the_environment_defaults(settings):
    settings.SIGNATURES_RATE_IP_BURST = "5/60"
    settings.SIGNATURES_WEBMAIL_DOMAINS = frozenset({"gmail.com"})
    settings.SIGNATURES_ALTCHA_COST = 1000
    limits = AbuseSettings.limits()
    assert (limits.ip_burst, limits.webmail_domains, limits.altcha_cost) == (
        "5/60",
        frozenset({"gmail.com"}),
        1000,
    )


def test_a_tighter_limit_applies_to_the_next_batch(campaign, settings):
    settings.SIGNATURES_RATE_IP_BURST = "10/60"
    settings.SIGNATURES_RATE_DOMAIN_BURST = "99/60"
    assert abuse.rate_flags(queued(campaign, 3)) == {}
    AbuseSettings.objects.create(rate_ip_burst="2/60")
    rows = queued(campaign, 2)
    assert abuse.rate_flags(rows) == {rows[0].pk: ["rate-ip"], rows[1].pk: ["rate-ip"]}


def test_a_domain_listed_as_webmail_gets_the_webmail_limits(campaign, settings):
    settings.SIGNATURES_RATE_IP_BURST = settings.SIGNATURES_RATE_IP_SUSTAINED = "999/60"
    settings.SIGNATURES_RATE_DOMAIN_BURST = "1/60"
    settings.SIGNATURES_RATE_WEBMAIL_BURST = "50/60"
    rows = queued(campaign, 3, domain="mail.example")
    assert len(abuse.rate_flags(rows)) == 2
    AbuseSettings.objects.create(webmail_domains="Mail.Example\n\ngmail.com")
    assert abuse.rate_flags(queued(campaign, 3, domain="mail.example")) == {}


def test_the_proof_of_work_cost_follows_the_setting(settings):
    settings.SIGNATURES_ALTCHA_COST = 7
    assert abuse.create_challenge().parameters.cost == 7
    AbuseSettings.objects.create(altcha_cost=3)
    assert abuse.create_challenge().parameters.cost == 3


def test_moderators_edit_the_limits_in_french_and_bad_values_are_refused(
    client, make_user, settings
):
    settings.SIGNATURES_RATE_IP_BURST = "5/60"
    user = make_user("moderatrice", superuser=True)
    client.force_login(user)
    page = client.get(
        reverse("wagtailsettings:edit", args=["signatories", "abusesettings"]), follow=True
    )
    url = page.redirect_chain[-1][0]
    assert 'placeholder="5/60"' in page.content.decode()  # what an empty field means
    assert page.status_code == 200 and "Protection contre les abus" in page.content.decode()
    refused = client.post(url, {"rate_ip_burst": "beaucoup", "altcha_cost": "0"})
    assert refused.status_code == 200
    assert "Indiquez un nombre de signatures" in refused.content.decode()
    assert not AbuseSettings.objects.exclude(rate_ip_burst="").exists()
    saved = client.post(url, {"rate_ip_burst": "2/60", "altcha_cost": "2000"})
    assert saved.status_code == 302
    assert AbuseSettings.limits().ip_burst == "2/60" and AbuseSettings.limits().altcha_cost == 2000
