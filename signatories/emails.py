"""Emails to signers, in HTML and plain text, in the signer's language. Every one carries the link
to withdraw the signature and erase the data."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import tokens

KINDS = ("confirm", "reminder", "withdrawn", "data")


def absolute(path):
    return settings.SITE_URL + path


def build_message(kind, signature):
    assert kind in KINDS
    language = signature.language if signature.language in dict(settings.LANGUAGES) else "fr"
    with translation.override(language):
        context = {
            "signature": signature,
            "campaign": signature.campaign,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.SITE_URL,
            "confirm_url": absolute(
                reverse("signatories:confirm", args=[tokens.make_token(signature, "confirm")])
            ),
            "withdraw_url": absolute(
                reverse("signatories:withdraw", args=[tokens.make_token(signature, "withdraw")])
            ),
            "data_url": absolute(
                reverse("signatories:data_copy", args=[tokens.make_token(signature, "data")])
            ),
            "list_url": absolute(
                reverse("signatories:public_list", args=[signature.campaign.slug])
            ),
        }
        subject = " ".join(
            render_to_string(f"signatories/emails/{kind}_subject.txt", context).split()
        )
        text = render_to_string(f"signatories/emails/{kind}.txt", context)
        html = render_to_string(f"signatories/emails/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[signature.signatory.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
