"""Exports: filtered signatures and the other tables, spreadsheet-safe, every one logged."""

import datetime

from django.db import transaction
from django.utils import timezone

from . import registry
from .models import ExportLog

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}
PERSONAL_KINDS = {"signatures", "signatories", "register"}
PERMISSION = "imports.export_personal_data"


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
    resource = registry.resource_class(kind)(campaign=filters.get("campaign"))
    dataset = resource.export(**filters)  # the resource's own queryset, through its filter_export
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
