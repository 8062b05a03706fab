import base64
import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from signatories import abuse
from signatories.models import Signature
from tests.signatories.conftest import solve_challenge
from tests.signatories.submitting import process

S = Signature.Status
pytestmark = pytest.mark.django_db


def post(client, campaign, data, **extra):
    """Post the signing form, then let the worker decide what it means."""
    response = client.post(reverse("signatories:sign", args=[campaign.slug]), data, **extra)
    process()
    return response


def test_valid_challenge_gives_a_pending_signature(client, campaign, sign_data):
    assert post(client, campaign, sign_data()).status_code == 303
    assert Signature.objects.get().status == S.PENDING


def test_challenge_endpoint_is_uncached_and_solvable(client):
    response = client.get("/api/altcha/challenge/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    import altcha

    challenge = altcha.Challenge.from_dict(response.json())
    assert challenge.parameters.algorithm == "PBKDF2/SHA-256"
    payload = solve_challenge(challenge)
    abuse.verify_challenge(payload)  # does not raise


def test_missing_challenge_is_accepted_but_flagged(client, campaign, sign_data, run_tasks):
    response = post(client, campaign, sign_data(altcha=None))
    assert response.status_code == 303
    signature = Signature.objects.get()
    assert signature.status == S.FLAGGED and abuse.NO_CHALLENGE in signature.flag_reason
    run_tasks()
    assert len(mail.outbox) == 1  # a person without JavaScript can still confirm


def test_wrong_solution_is_an_error(client, campaign, sign_data):
    payload = json.loads(base64.b64decode(solve_challenge()))
    payload["solution"]["derivedKey"] = "00" * 32
    forged = base64.b64encode(json.dumps(payload).encode()).decode()
    response = post(client, campaign, sign_data(altcha=forged))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "garbage",
    [
        "x",
        "eyJhIjoxfQ==",
        "%%%",
        "A" * 5000,
        base64.b64encode(b'{"challenge":null,"solution":null,"test":true}').decode(),
    ],
)
def test_garbage_solution_is_an_error_not_a_500(client, campaign, sign_data, garbage):
    response = post(client, campaign, sign_data(altcha=garbage))
    assert response.status_code == 200
    assert Signature.objects.count() == 0


def test_replayed_solution_is_refused(client, campaign, sign_data):
    payload = solve_challenge()
    assert post(client, campaign, sign_data(altcha=payload)).status_code == 303
    response = post(client, campaign, sign_data(altcha=payload, email="other@example.org"))
    assert response.status_code == 200
    assert "already" in str(response.context["form"].non_field_errors()) or "déjà" in str(
        response.context["form"].non_field_errors()
    )
    assert Signature.objects.count() == 1


def test_expired_challenge_is_refused(client, campaign, sign_data, settings):
    settings.SIGNATURES_ALTCHA_EXPIRES = -10
    payload = solve_challenge()
    response = post(client, campaign, sign_data(altcha=payload))
    assert response.status_code == 200
    assert Signature.objects.count() == 0


def test_honeypot_flags_silently_and_sends_nothing(client, campaign, sign_data, run_tasks):
    response = post(client, campaign, sign_data(website="http://spam.example"))
    assert response.status_code == 303
    assert response["Location"] == reverse("signatories:check_inbox", args=[campaign.slug])
    signature = Signature.objects.get()
    assert signature.status == S.FLAGGED and abuse.HONEYPOT in signature.flag_reason
    run_tasks()
    assert mail.outbox == []


def test_too_fast_submission_is_flagged(client, campaign, sign_data):
    response = post(client, campaign, sign_data(form_token=abuse.make_form_token(campaign)))
    assert response.status_code == 303
    signature = Signature.objects.get()
    assert signature.status == S.FLAGGED and abuse.TOO_FAST in signature.flag_reason


@pytest.mark.parametrize("token", ["forged", "WzEsMTcwMDAwMDAwMF0:1abc:xyz"])
def test_forged_form_token_redisplays_the_form(client, campaign, sign_data, token):
    response = post(client, campaign, sign_data(form_token=token))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Signature.objects.count() == 0
    # the re-displayed form carries a fresh token and keeps what was typed
    assert 'value="Camille"' in response.content.decode()


def test_no_form_token_is_accepted_but_flagged(client, campaign, sign_data):
    """Without JavaScript the cached page's form has no token (it comes with the challenge)."""
    assert post(client, campaign, sign_data(form_token="", altcha=None)).status_code == 303
    signature = Signature.objects.get()
    assert signature.status == S.FLAGGED
    assert signature.flag_reason == "no-token, no-challenge"


def test_form_token_of_another_campaign_is_refused(client, campaign, sign_data):
    from tests.factories import CampaignFactory

    other = CampaignFactory()
    response = post(
        client, campaign, sign_data(form_token=abuse.make_form_token(other, now=time.time() - 10))
    )
    assert response.status_code == 200
    assert Signature.objects.count() == 0


def test_ip_rate_limit_flags_but_answers_the_same(client, campaign, sign_data, settings):
    settings.SIGNATURES_RATE_IP_BURST = "3/60"
    answers = {
        post(client, campaign, sign_data(email=f"p{i}@example{i}.org"))["Location"]
        for i in range(5)
    }
    assert len(answers) == 1
    statuses = list(Signature.objects.order_by("created_at").values_list("status", "flag_reason"))
    assert [s for s, _ in statuses] == [S.PENDING] * 3 + [S.FLAGGED] * 2
    assert all(abuse.RATE_IP in reason for _, reason in statuses[3:])


def test_ip_limit_is_per_ip_hash(client, campaign, sign_data, settings):
    settings.SIGNATURES_RATE_IP_BURST = "1/60"
    post(client, campaign, sign_data(email="a@one.org"), REMOTE_ADDR="10.0.0.1")
    post(client, campaign, sign_data(email="b@two.org"), REMOTE_ADDR="10.0.0.2")
    assert set(Signature.objects.values_list("status", flat=True)) == {S.PENDING}
    hashes = set(Signature.objects.values_list("ip_hash", flat=True))
    assert len(hashes) == 2 and not {"10.0.0.1", "10.0.0.2"} & hashes


def test_domain_rate_limit_flags_and_webmail_has_more_room(client, campaign, sign_data, settings):
    settings.SIGNATURES_RATE_IP_BURST = "1000/60"
    settings.SIGNATURES_RATE_DOMAIN_BURST = "2/60"
    settings.SIGNATURES_RATE_WEBMAIL_BURST = "10/60"
    for i in range(4):
        post(client, campaign, sign_data(email=f"agent{i}@mairie-exemple.fr"))
        post(client, campaign, sign_data(email=f"person{i}@orange.fr"))
    domain = Signature.objects.filter(email_domain="mairie-exemple.fr")
    assert domain.filter(status=S.FLAGGED).count() == 2
    assert all(
        abuse.RATE_DOMAIN in r
        for r in domain.filter(status=S.FLAGGED).values_list("flag_reason", flat=True)
    )
    assert not Signature.objects.filter(email_domain="orange.fr", status=S.FLAGGED).exists()


def _submissions(campaign, times, ip_hash="hash", domain="example.org"):
    from signatories.models import Submission

    return [
        Submission.objects.create(
            kind="sign",
            campaign=campaign,
            canonical_email=f"p{i}@{domain}",
            email_domain=domain,
            ip_hash=ip_hash,
            created_at=at,
        )
        for i, at in enumerate(times)
    ]


def test_sustained_rate_limit(campaign, settings):
    settings.SIGNATURES_RATE_IP_BURST = "100/60"
    settings.SIGNATURES_RATE_IP_SUSTAINED = "4/3600"
    settings.SIGNATURES_RATE_DOMAIN_BURST = settings.SIGNATURES_RATE_DOMAIN_SUSTAINED = "99/60"
    start = timezone.now() - timedelta(hours=2)
    rows = _submissions(campaign, [start + timedelta(seconds=61 * i) for i in range(6)])
    flags = abuse.rate_flags(rows)
    assert [flags.get(row.pk, []) for row in rows] == [[], [], [], [], ["rate-ip"], ["rate-ip"]]


def test_rate_limits_count_the_submissions_queued_before_the_batch(campaign, settings):
    """The worker sees every submission in order: a batch counts those already processed."""
    settings.SIGNATURES_RATE_IP_BURST = "3/60"
    settings.SIGNATURES_RATE_DOMAIN_BURST = settings.SIGNATURES_RATE_DOMAIN_SUSTAINED = "99/60"
    now = timezone.now()
    rows = _submissions(campaign, [now - timedelta(seconds=s) for s in (50, 40, 30, 20, 10)])
    old = _submissions(campaign, [now - timedelta(seconds=200)], ip_hash="other")
    assert abuse.rate_flags(old) == {}
    assert abuse.rate_flags(rows[:2]) == {}
    assert abuse.rate_flags(rows[2:]) == {rows[3].pk: ["rate-ip"], rows[4].pk: ["rate-ip"]}
    soon = _submissions(campaign, [now + timedelta(seconds=5)])
    assert abuse.rate_flags(soon) == {soon[0].pk: ["rate-ip"]}  # the 6th in 60 s
    # 60 s on, only those of the last 60 s count: 10 s before and the one above, then this one
    later = _submissions(campaign, [now + timedelta(seconds=45)])
    assert abuse.rate_flags(later) == {}


def test_flagged_signatures_are_not_counted(campaign):
    from signatories.counts import refresh_campaign
    from tests.factories import SignatureFactory

    SignatureFactory(campaign=campaign, confirmed=True)
    SignatureFactory(campaign=campaign, flagged=True)
    assert refresh_campaign(campaign)["total"] == 1


def test_trusted_proxy_header(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1", REMOTE_ADDR="10.0.0.2")
    assert abuse.client_ip(request) == "10.0.0.2"
    settings.SIGNATURES_TRUSTED_PROXY_COUNT = 1
    assert abuse.client_ip(request) == "10.0.0.1"
    settings.SIGNATURES_TRUSTED_PROXY_COUNT = 2
    assert abuse.client_ip(request) == "203.0.113.9"
