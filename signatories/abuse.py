"""Abuse checks on the signing form: signed form token (with the minimum time to submit), honeypot,
ALTCHA proof of work with replay protection, and rate limits per IP hash and per email domain
(judged by the worker, which sees every submission in order).

Only a wrong or replayed ALTCHA solution and a forged form token are errors shown to the signer.
Everything else (honeypot filled, submitted too fast, no ALTCHA solution because JavaScript is off,
over a rate limit) lets the signature in but flags it: it stays out of the counts until staff review
it, and the signer sees exactly the same answer as everybody else.
"""

import functools
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import timedelta

import altcha
from django.conf import settings
from django.core import signing
from django.db.models import Count, Q
from django.utils.crypto import salted_hmac

from campaigns.http import client_ip as client_ip  # re-exported: abuse.client_ip(request)

from .models import AbuseSettings, Submission

FORM_TOKEN_SALT = "signatories.form"  # noqa: S105 - a signing salt, not a secret

# Flag reasons (stored in Signature.flag_reason; staff filter on them).
HONEYPOT = "honeypot"
TOO_FAST = "too-fast"
NO_CHALLENGE = "no-challenge"
NO_TOKEN = "no-token"  # noqa: S105 - a flag name, not a secret
RATE_IP = "rate-ip"
RATE_DOMAIN = "rate-domain"


@dataclass
class Verdict:
    """What the abuse checks decided for one submission."""

    flags: list = field(default_factory=list)
    bot: bool = False  # certainly automated (honeypot): accepted silently, no email sent

    @property
    def reason(self):
        return ", ".join(self.flags)


# --- IP addresses: only ever kept as salted hashes -------------------------------------------


def request_ip_hash(request):
    """The salted hash of the client's address: all that is ever kept of it."""
    return hash_ip(client_ip(request))


def hash_ip(ip):
    if not ip:
        return ""
    return hmac.new(
        settings.IP_HASH_SALT.encode(), ip.encode("utf-8", "replace"), hashlib.sha256
    ).hexdigest()


# --- Form token: which campaign, when the form was rendered ----------------------------------


def make_form_token(campaign, now=None):
    return form_token_for(campaign.pk, now)


def form_token_for(campaign_pk, now=None):
    return signing.dumps(
        [campaign_pk, int(now if now is not None else time.time())], salt=FORM_TOKEN_SALT
    )


class FormTokenError(Exception):
    pass


def check_form_token(value, campaign, now=None):
    """Seconds elapsed since the form was given its token; None without a token (the cached page
    carries none: JavaScript fetches it with the ALTCHA challenge); FormTokenError if forged,
    stale or for another campaign (the page then shows a fresh form)."""
    now = now if now is not None else time.time()
    if not value:
        return None
    try:
        campaign_pk, rendered_at = signing.loads(value or "", salt=FORM_TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise FormTokenError from error
    if campaign_pk != campaign.pk or not isinstance(rendered_at, int):
        raise FormTokenError
    elapsed = now - rendered_at
    if elapsed > settings.SIGNATURES_FORM_MAX_AGE or elapsed < -60:
        raise FormTokenError
    return elapsed


# --- ALTCHA proof of work (self-hosted) -------------------------------------------------------

ALTCHA_ALGORITHM = "PBKDF2/SHA-256"


def _altcha_keys():
    return _derive_altcha_keys(settings.SIGNATURES_ALTCHA_HMAC_KEY, settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _derive_altcha_keys(configured_key, secret_key):
    key = configured_key or salted_hmac("altcha", "challenge", secret=secret_key).hexdigest()
    key_key = salted_hmac("altcha-key", key, secret=secret_key).hexdigest()
    return key, key_key


def create_challenge():
    """A signed challenge whose solution is a counter the client must find by brute force.

    The server pre-computes the key for a random counter and signs it (deterministic mode), so
    verifying a solution costs one HMAC, not a key derivation: the signing path stays cheap.
    Expected client work: about SIGNATURES_ALTCHA_MAX_NUMBER / 2 derivations of the
    proof-of-work cost (AbuseSettings) in PBKDF2 iterations each.
    """
    import secrets

    key, key_key = _altcha_keys()
    max_number = max(1, settings.SIGNATURES_ALTCHA_MAX_NUMBER)
    return altcha.create_challenge(
        ALTCHA_ALGORITHM,
        AbuseSettings.limits().altcha_cost,
        counter=secrets.randbelow(max_number + 1),
        expires_at=int(time.time()) + settings.SIGNATURES_ALTCHA_EXPIRES,
        hmac_secret=key,
        hmac_key_secret=key_key,
    )


class ChallengeError(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "replayed"


def verify_challenge(payload):
    """Check an ALTCHA payload; ChallengeError if it is malformed, wrong or expired. Returns the
    challenge's signature: the submission stores it, and a unique constraint accepts it once."""
    key, key_key = _altcha_keys()
    if not payload or len(payload) > 4000:
        raise ChallengeError("invalid")
    try:
        parsed = altcha.Payload.from_base64(payload)
        result = altcha.verify_solution(parsed, key, hmac_key_secret=key_key)
    except Exception as error:  # malformed input from the client must never be a 500
        raise ChallengeError("invalid") from error
    if result.expired:
        raise ChallengeError("expired")
    if not result.verified:
        raise ChallengeError("invalid")
    signature = parsed.challenge.signature
    if not isinstance(signature, str) or not 0 < len(signature) <= 128:
        raise ChallengeError("invalid")
    return signature


# --- Rate limits: flag, never refuse; judged by the worker --------------------------------------


def parse_rate(value):
    """'20/60' -> (20, 60): at most 20 in any window of 60 seconds."""
    count, _, seconds = str(value).partition("/")
    return int(count), int(seconds or 60)


def _ip_rates(limits, _ip_hash):
    return limits.ip_burst, limits.ip_sustained


def _domain_rates(limits, domain):
    if domain in limits.webmail_domains:
        return limits.webmail_burst, limits.webmail_sustained
    return limits.domain_burst, limits.domain_sustained


def rate_flags(batch):
    """{submission pk: [flags]} for the signing submissions of `batch` (in queue order) that go
    over a rate limit per IP hash or per email domain.

    A submission counts with those before it of the same IP hash (or domain) in each window: those
    queued before the batch, counted in one query per kind of key over the window that ends at the
    batch's first submission, then those earlier in the batch."""
    flags = {}
    if not batch:
        return flags
    limits = AbuseSettings.limits()
    first = batch[0]
    for flag, attr, rates_for in (
        (RATE_IP, "ip_hash", _ip_rates),
        (RATE_DOMAIN, "email_domain", _domain_rates),
    ):
        keys = {getattr(s, attr) for s in batch if getattr(s, attr)}
        if not keys:
            continue
        windows = sorted({parse_rate(rate)[1] for key in keys for rate in rates_for(limits, key)})
        before = Submission.objects.filter(
            kind=Submission.Kind.SIGN,
            pk__lt=first.pk,
            created_at__gt=first.created_at - timedelta(seconds=windows[-1]),
            **{f"{attr}__in": keys},
        ).values(attr)
        counts = before.annotate(
            **{
                f"w{window}": Count(
                    "pk", filter=Q(created_at__gt=first.created_at - timedelta(seconds=window))
                )
                for window in windows
            }
        )
        seen = {(row[attr], window): row[f"w{window}"] for row in counts for window in windows}
        earlier = {}  # key -> created_at of the batch's submissions so far
        for submission in batch:
            key = getattr(submission, attr)
            if not key:
                continue
            times = earlier.setdefault(key, [])
            for rate in rates_for(limits, key):
                limit, window = parse_rate(rate)
                since = submission.created_at - timedelta(seconds=window)
                count = seen.get((key, window), 0) + sum(t > since for t in times) + 1
                if count > limit and flag not in flags.get(submission.pk, []):
                    flags.setdefault(submission.pk, []).append(flag)
            times.append(submission.created_at)
    return flags


def assess(*, honeypot, elapsed, challenge):
    """Flags of a submission whose form token and ALTCHA solution (`challenge`, None when the
    signer sent none) passed their checks; the worker adds the rate limits."""
    verdict = Verdict()
    if honeypot:
        verdict.flags.append(HONEYPOT)
        verdict.bot = True
    if elapsed is None:
        verdict.flags.append(NO_TOKEN)
    elif elapsed < settings.SIGNATURES_FORM_MIN_SECONDS:
        verdict.flags.append(TOO_FAST)
    if challenge is None and settings.SIGNATURES_ALTCHA_REQUIRED:
        verdict.flags.append(NO_CHALLENGE)
    return verdict
