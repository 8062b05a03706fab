"""Abuse checks on the signing form: signed form token (with the minimum time to submit), honeypot,
ALTCHA proof of work with replay protection, and rate limits per IP hash and per email domain.

Only a wrong or replayed ALTCHA solution and a forged form token are errors shown to the signer.
Everything else (honeypot filled, submitted too fast, no ALTCHA solution because JavaScript is off,
over a rate limit) lets the signature in but flags it: it stays out of the counts until staff review
it, and the signer sees exactly the same answer as everybody else.
"""

import functools
import hashlib
import hmac
import re
import time
from dataclasses import dataclass, field

import altcha
from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.utils.crypto import salted_hmac

from config.cache import run_script

FORM_TOKEN_SALT = "signatories.form"  # noqa: S105 - a signing salt, not a secret

# Flag reasons (stored in Signature.flag_reason; staff filter on them).
HONEYPOT = "honeypot"
TOO_FAST = "too-fast"
NO_CHALLENGE = "no-challenge"
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


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the Nth address from the right of X-Forwarded-For when
    the site runs behind N trusted proxies (SIGNATURES_TRUSTED_PROXY_COUNT)."""
    proxies = settings.SIGNATURES_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hash_ip(ip):
    if not ip:
        return ""
    return hmac.new(
        settings.IP_HASH_SALT.encode(), ip.encode("utf-8", "replace"), hashlib.sha256
    ).hexdigest()


# --- Form token: which campaign, when the form was rendered ----------------------------------


def make_form_token(campaign, now=None):
    return _form_token(campaign.pk, now)


def _form_token(campaign_pk, now=None):
    return signing.dumps(
        [campaign_pk, int(now if now is not None else time.time())], salt=FORM_TOKEN_SALT
    )


class FormTokenError(Exception):
    pass


# A page kept by the page cache (content.caching) holds a marker where each form token was; every
# visitor served from the cache gets fresh tokens, so the minimum time to submit still counts from
# their own visit.
_TOKEN_MARKER = "__signature_form_token__:{}__"  # noqa: S105 - a marker, not a secret
_TOKEN_MARKER_RE = re.compile(rb"__signature_form_token__:(\d+)__")


def note_form_token(request, token, campaign):
    """Remember that a response to `request` carries `token` (see unstamp_form_tokens)."""
    if request is not None:
        if not hasattr(request, "_form_tokens"):
            request._form_tokens = {}
        request._form_tokens[token] = campaign.pk


def unstamp_form_tokens(request, content):
    """The response body with the form tokens noted for this request replaced by markers."""
    for token, campaign_pk in getattr(request, "_form_tokens", {}).items():
        content = content.replace(token.encode(), _TOKEN_MARKER.format(campaign_pk).encode())
    return content


def stamp_form_tokens(content, now=None):
    """Fresh form tokens in place of the markers."""
    if b"__signature_form_token__:" not in content:
        return content
    now = int(now if now is not None else time.time())
    tokens = {}

    def fresh(match):
        pk = int(match.group(1))
        if pk not in tokens:
            tokens[pk] = _form_token(pk, now).encode()
        return tokens[pk]

    return _TOKEN_MARKER_RE.sub(fresh, content)


def check_form_token(value, campaign, now=None):
    """Seconds elapsed since the form was rendered; FormTokenError if forged, stale or for another
    campaign (the page then shows a fresh form)."""
    now = now if now is not None else time.time()
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
    Expected client work: about SIGNATURES_ALTCHA_MAX_NUMBER / 2 derivations of
    SIGNATURES_ALTCHA_COST PBKDF2 iterations each.
    """
    import secrets

    key, key_key = _altcha_keys()
    max_number = max(1, settings.SIGNATURES_ALTCHA_MAX_NUMBER)
    return altcha.create_challenge(
        ALTCHA_ALGORITHM,
        settings.SIGNATURES_ALTCHA_COST,
        counter=secrets.randbelow(max_number + 1),
        expires_at=int(time.time()) + settings.SIGNATURES_ALTCHA_EXPIRES,
        hmac_secret=key,
        hmac_key_secret=key_key,
    )


class ChallengeError(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "replayed"


@dataclass(frozen=True)
class SolvedChallenge:
    """A verified ALTCHA solution, still to be burnt (by assess(), with the rate limits)."""

    key: str
    ttl: int


def verify_challenge(payload):
    """Check an ALTCHA payload; ChallengeError if it is malformed, wrong or expired.

    The solution is only burnt by assess(), in the same Redis round trip as the rate limits:
    the same solution is accepted once."""
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
    expires_at = parsed.challenge.parameters.expires_at or (
        time.time() + settings.SIGNATURES_ALTCHA_EXPIRES
    )
    # Remembered until the challenge expires by itself.
    ttl = max(1, int(expires_at - time.time()) + 1)
    return SolvedChallenge(key=f"altcha:used:{parsed.challenge.signature}", ttl=ttl)


# --- Rate limits: flag, never refuse ----------------------------------------------------------


def parse_rate(value):
    """'20/60' -> (20, 60): at most 20 in any fixed window of 60 seconds."""
    count, _, seconds = str(value).partition("/")
    return int(count), int(seconds or 60)


def _hit(bucket, ttl):
    try:
        return cache.incr(bucket)
    except ValueError:
        if cache.add(bucket, 1, timeout=ttl):
            return 1
        return cache.incr(bucket)


# One Redis command per submission: burn the ALTCHA solution (SET NX) and count a hit in each
# rate-limit window, atomically. KEYS: challenge key (or "") then the buckets; ARGV: their TTLs.
_RECORD_LUA = """
local burnt = 1
if KEYS[1] ~= "" then
  burnt = redis.call("SET", KEYS[1], 1, "NX", "EX", ARGV[1]) and 1 or 0
end
local results = {burnt}
for i = 2, #KEYS do
  local count = redis.call("INCR", KEYS[i])
  if count == 1 then
    redis.call("EXPIRE", KEYS[i], ARGV[i])
  end
  results[i] = count
end
return results
"""


def _record(challenge, buckets):
    """Burn the challenge (if any) and increment each (bucket, ttl) counter. Returns
    (challenge burnt now, counts)."""
    results = run_script(
        caches["default"],
        _RECORD_LUA,
        keys=[challenge.key if challenge else ""] + [bucket for bucket, _ttl in buckets],
        args=[challenge.ttl if challenge else 0] + [ttl for _bucket, ttl in buckets],
    )
    if results is not None:
        return bool(results[0]), results[1:]
    # add() is atomic in every Django cache backend.
    burnt = cache.add(challenge.key, 1, timeout=challenge.ttl) if challenge else True
    return burnt, [_hit(bucket, ttl) for bucket, ttl in buckets]


def count_hits(checks, now=None, challenge=None):
    """checks: [(flag, key, limit, window)]. Counts one hit in each fixed window and returns the
    flags whose limit is exceeded. Burns `challenge` on the way: ChallengeError if it already was."""
    now = now if now is not None else time.time()
    buckets = [
        (f"rl:{key}:{window}:{int(now // window)}", window + 5) for _f, key, _l, window in checks
    ]
    burnt, counts = _record(challenge, buckets)
    if not burnt:
        raise ChallengeError("replayed")
    flags = []
    for (flag, _key, limit, _window), count in zip(checks, counts, strict=True):
        if count > limit and flag not in flags:
            flags.append(flag)
    return flags


def is_webmail(domain):
    return domain in settings.SIGNATURES_WEBMAIL_DOMAINS


def check_rate_limits(ip_hash, domain, now=None, challenge=None):
    checks = []
    if ip_hash:
        for rate in (settings.SIGNATURES_RATE_IP_BURST, settings.SIGNATURES_RATE_IP_SUSTAINED):
            checks.append((RATE_IP, f"ip:{ip_hash}", *parse_rate(rate)))
    if domain:
        if is_webmail(domain):
            rates = (
                settings.SIGNATURES_RATE_WEBMAIL_BURST,
                settings.SIGNATURES_RATE_WEBMAIL_SUSTAINED,
            )
        else:
            rates = (
                settings.SIGNATURES_RATE_DOMAIN_BURST,
                settings.SIGNATURES_RATE_DOMAIN_SUSTAINED,
            )
        for rate in rates:
            checks.append((RATE_DOMAIN, f"domain:{domain}", *parse_rate(rate)))
    return count_hits(checks, now, challenge)


def assess(*, honeypot, elapsed, challenge, ip_hash, domain, now=None):
    """Flags for a submission whose form token and ALTCHA solution (`challenge`, None when the
    signer sent none) passed their checks. Burns the solution: ChallengeError if replayed."""
    verdict = Verdict()
    if honeypot:
        verdict.flags.append(HONEYPOT)
        verdict.bot = True
    if elapsed < settings.SIGNATURES_FORM_MIN_SECONDS:
        verdict.flags.append(TOO_FAST)
    if challenge is None and settings.SIGNATURES_ALTCHA_REQUIRED:
        verdict.flags.append(NO_CHALLENGE)
    verdict.flags.extend(check_rate_limits(ip_hash, domain, now, challenge))
    return verdict
