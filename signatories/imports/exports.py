"""Exports: filtered signatures and the other tables, spreadsheet-safe, every one logged."""

import datetime

from django.db import transaction
from django.utils import timezone

from campaigns.delivery.models import Target
from signatories.models import Organisation, Signatory, Signature
from signatories.register.models import RegisterEntry

from .models import ExportLog
from .resources import RESOURCES

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}
PERSONAL_KINDS = {"signatures", "signatories", "register"}
PERMISSION = "imports.export_personal_data"


def signature_queryset(*, campaign=None, category="", status="", departement=None):
    queryset = Signature.objects.select_related("signatory", "departement").order_by("pk")
    if campaign:
        queryset = queryset.filter(campaign=campaign)
    if category:
        queryset = queryset.filter(category=category)
    if status:
        queryset = queryset.filter(status=status)
    if departement:
        queryset = queryset.filter(departement=departement)
    return queryset


def base_queryset(kind, filters):
    if kind == "signatures":
        return signature_queryset(**filters)
    return {
        "signatories": Signatory.objects.order_by("pk"),
        "organisations": Organisation.objects.select_related("departement").order_by("pk"),
        "targets": Target.objects.order_by("pk"),
        "register": RegisterEntry.objects.order_by("pk"),
    }[kind]


def render(dataset, file_format):
    if file_format == "csv":
        # Semicolons and a BOM: what a French spreadsheet opens without a wizard.
        return ("\ufeff" + dataset.export("csv", delimiter=";")).encode("utf-8")
    if file_format == "xlsx":
        return dataset.export("xlsx")
    return dataset.export("json").encode("utf-8")


def export(kind, file_format, *, user=None, filters=None):
    """(content bytes, file name, content type); the export is logged in the same transaction."""
    filters = filters or {}
    queryset = base_queryset(kind, filters)
    resource = RESOURCES[kind](campaign=filters.get("campaign"))
    dataset = resource.export(queryset)
    content = render(dataset, file_format)
    with transaction.atomic():
        ExportLog.objects.create(
            user=user if user is not None and user.is_authenticated else None,
            kind=kind,
            format=file_format,
            filters=_loggable(filters),
            row_count=len(dataset),
            personal_data=kind in PERSONAL_KINDS,
        )
    content_type, extension = FORMATS[file_format]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return content, f"{kind}-{stamp}.{extension}", content_type


def _loggable(filters):
    out = {}
    for key, value in filters.items():
        if value in (None, ""):
            continue
        if hasattr(value, "pk"):
            out[key] = {"id": value.pk, "label": str(value)}
        elif isinstance(value, datetime.date | datetime.datetime):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out
