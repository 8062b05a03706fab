"""Signed, expiring links sent by email: confirm, withdraw (and erase), data copy.

A link carries the signature id and a digest of the signature's secret `token`, signed with a salt
per purpose (a confirm link cannot be used to withdraw). Rotating `Signature.token` invalidates
every link already sent.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

PURPOSES = ("confirm", "withdraw", "data")


class BadToken(Exception):
    def __init__(self, reason="invalid"):
        super().__init__(reason)
        self.expired = reason == "expired"


def _max_age(purpose):
    return {
        "confirm": settings.SIGNATURES_CONFIRM_LINK_MAX_AGE,
        "withdraw": settings.SIGNATURES_WITHDRAW_LINK_MAX_AGE,
        "data": settings.SIGNATURES_DATA_LINK_MAX_AGE,
    }[purpose]


def _digest(signature, purpose):
    return salted_hmac(f"signatories.link.{purpose}", signature.token).hexdigest()[:20]


def make_token(signature, purpose):
    assert purpose in PURPOSES
    return signing.dumps([signature.pk, _digest(signature, purpose)], salt=f"signatories.{purpose}")


def read_token(value, purpose):
    """The Signature a link points at, or BadToken (expired, or forged/obsolete)."""
    from signatories.models import Signature

    try:
        pk, digest = signing.loads(value, salt=f"signatories.{purpose}", max_age=_max_age(purpose))
    except signing.SignatureExpired as error:
        raise BadToken("expired") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken() from error
    if not isinstance(pk, int) or not isinstance(digest, str):
        raise BadToken()
    signature = Signature.objects.select_related("campaign", "signatory").filter(pk=pk).first()
    if signature is None or not constant_time_compare(digest, _digest(signature, purpose)):
        raise BadToken()
    return signature
