"""Delivery of the letter: the PDF dossier and the emails to decision makers."""

import logging
import mimetypes
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

from signatories.models import Signature

from .models import Delivery, DeliverySend

logger = logging.getLogger(__name__)
MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024  # larger dossiers are linked rather than attached


def letter_for(campaign):
    """The live open letter page of the campaign, if the content app provides one."""
    try:
        model = apps.get_model("content", "OpenLetterPage")
    except LookupError:
        return None
    if not any(field.name == "campaign" for field in model._meta.get_fields()):
        return None
    return model.objects.live().filter(campaign=campaign).order_by("-first_published_at").first()


def position_papers_for(letter):
    if letter is None:
        return []
    try:
        model = apps.get_model("content", "PositionPaperPage")
    except LookupError:
        return []
    return list(model.objects.live().filter(related_letter=letter).order_by("-date"))


def dossier_context(campaign):
    counted = Signature.objects.filter(campaign=campaign).counted()
    categories = dict(Signature.Category.choices)
    by_category = [
        (categories.get(row["category"], row["category"]), row["n"])
        for row in counted.values("category").annotate(n=Count("id")).order_by("category")
    ]
    by_departement = list(
        counted.values("departement__code", "departement__name")
        .annotate(n=Count("id"))
        .order_by("departement__code")
    )
    # The public list: only what each signer agreed to show, grouped by category and département.
    groups = OrderedDict()
    public = (
        Signature.objects.filter(campaign=campaign)
        .public()
        .select_related("departement")
        .only(
            "first_name",
            "last_name",
            "title",
            "organisation_name",
            "category",
            "status",
            "departement__code",
            "departement__name",
        )
        .order_by("category", "departement__code", "last_name", "first_name", "pk")
    )
    for signature in public.iterator(chunk_size=2000):
        category = categories.get(signature.category, signature.category)
        departement = str(signature.departement) if signature.departement_id else ""
        groups.setdefault(category, OrderedDict()).setdefault(departement, []).append(signature)
    letter = letter_for(campaign)
    return {
        "campaign": campaign,
        "letter": letter,
        "position_papers": position_papers_for(letter),
        "total": counted.count(),
        "by_category": by_category,
        "by_departement": by_departement,
        "groups": groups,
        "public_count": sum(len(rows) for deps in groups.values() for rows in deps.values()),
        "generated_at": timezone.localtime(),
    }


def local_url_fetcher(url, *args, **kwargs):
    """Serve /static/ and /media/ from disk; fetch nothing from the network."""
    from weasyprint import default_url_fetcher

    parsed = urlparse(url)
    path = unquote(parsed.path)
    roots = ((settings.MEDIA_URL, settings.MEDIA_ROOT), (settings.STATIC_URL, settings.STATIC_ROOT))
    for prefix, root in roots:
        if root and path.startswith(prefix):
            candidate = (Path(root) / path[len(prefix) :]).resolve()
            if str(candidate).startswith(str(Path(root).resolve())) and candidate.is_file():
                return {
                    "string": candidate.read_bytes(),
                    "mime_type": mimetypes.guess_type(candidate.name)[0]
                    or "application/octet-stream",
                }
    if parsed.scheme == "data":
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"not fetched: {parsed.scheme}://{parsed.netloc}")


def render_dossier_pdf(campaign, language=None):
    """The dossier as PDF bytes (and the number of public signatories in it)."""
    from weasyprint import HTML

    with translation.override(language or settings.LANGUAGE_CODE):
        context = dossier_context(campaign)
        html = render_to_string("delivery/dossier.html", context)
    pdf = HTML(
        string=html, base_url=settings.SITE_URL + "/", url_fetcher=local_url_fetcher
    ).write_pdf()
    return pdf, context["public_count"]


def generate_dossier(delivery):
    """Render the dossier and store it on the delivery."""
    delivery.status = Delivery.Status.GENERATING
    delivery.save(update_fields=["status", "updated_at"])
    try:
        pdf, count = render_dossier_pdf(delivery.campaign)
    except Exception as exc:
        logger.exception("dossier of delivery %s failed", delivery.pk)
        delivery.status = Delivery.Status.FAILED
        delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
        delivery.save(update_fields=["status", "error", "updated_at"])
        return delivery
    if delivery.dossier:
        delivery.dossier.delete(save=False)
    name = f"{slugify(delivery.campaign.slug)}-{timezone.localdate():%Y%m%d}.pdf"
    delivery.dossier.save(name, ContentFile(pdf), save=False)
    delivery.signature_count = count
    delivery.dossier_generated_at = timezone.now()
    delivery.status = Delivery.Status.READY
    delivery.error = ""
    delivery.save()
    return delivery


def request_dossier(delivery):
    from .tasks import generate_dossier_task

    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.GENERATING, error="")
    transaction.on_commit(lambda: generate_dossier_task.enqueue(delivery.pk))


def send_delivery(delivery, user):
    """Record one send per target and queue the emails; targets already sent to are left alone."""
    from .tasks import send_delivery_email

    if not delivery.dossier:
        raise ValueError("the dossier has not been generated")
    created = []
    with transaction.atomic():
        for target in delivery.targets.all():
            send, new = DeliverySend.objects.get_or_create(
                delivery=delivery,
                target=target,
                defaults={"email": target.email},
            )
            if not new and send.status != DeliverySend.Status.FAILED:
                continue
            if not target.email:
                send.status = DeliverySend.Status.SKIPPED
                send.save(update_fields=["status"])
                continue
            send.status, send.email, send.error = DeliverySend.Status.QUEUED, target.email, ""
            send.save(update_fields=["status", "email", "error"])
            created.append(send.pk)
        delivery.status = Delivery.Status.SENDING if created else delivery.status
        delivery.sent_by = user
        delivery.sent_at = delivery.sent_at or timezone.now()
        delivery.save(update_fields=["status", "sent_by", "sent_at", "updated_at"])
        for pk in created:
            transaction.on_commit(lambda pk=pk: send_delivery_email.enqueue(pk))
    return len(created)


def deliver_email(send_id):
    """Send one delivery email; safe to run twice (a sent email is not sent again)."""
    with transaction.atomic():
        send = (
            DeliverySend.objects.select_for_update()
            .select_related("delivery__campaign", "target")
            .filter(pk=send_id)
            .first()
        )
        if send is None or send.status != DeliverySend.Status.QUEUED:
            return send
        delivery = send.delivery
        context = {
            "delivery": delivery,
            "target": send.target,
            "campaign": delivery.campaign,
            "dossier_url": settings.SITE_URL + delivery.dossier.url if delivery.dossier else "",
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = delivery.title
            text = render_to_string("delivery/emails/delivery.txt", context)
            html = render_to_string("delivery/emails/delivery.html", context)
        message = EmailMultiAlternatives(subject, text, to=[send.email])
        message.attach_alternative(html, "text/html")
        if delivery.dossier and delivery.dossier.size <= MAX_ATTACHMENT_BYTES:
            with delivery.dossier.open("rb") as handle:
                message.attach(Path(delivery.dossier.name).name, handle.read(), "application/pdf")
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001  (the mail server's problem is recorded, not raised)
            send.status, send.error = (
                DeliverySend.Status.FAILED,
                f"{type(exc).__name__}: {exc}"[:2000],
            )
            send.save(update_fields=["status", "error"])
            _update_delivery_status(delivery)
            logger.warning("delivery email %s failed: %s", send.pk, type(exc).__name__)
            return send
        send.status, send.sent_at = DeliverySend.Status.SENT, timezone.now()
        send.save(update_fields=["status", "sent_at"])
        _update_delivery_status(delivery)
    return send


def _update_delivery_status(delivery):
    pending = delivery.sends.filter(status=DeliverySend.Status.QUEUED).exists()
    if not pending:
        failed = delivery.sends.filter(status=DeliverySend.Status.FAILED).exists()
        delivery.status = Delivery.Status.FAILED if failed else Delivery.Status.SENT
        delivery.error = "" if not failed else delivery.error
        delivery.save(update_fields=["status", "error", "updated_at"])
