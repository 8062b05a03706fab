"""Import jobs (upload, dry run, confirm, background run) and the log of exports."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible
class PrivateImportStorage(FileSystemStorage):
    """Uploaded files hold personal data: kept outside MEDIA_ROOT (never served), deleted once
    the import is over."""

    @property
    def base_location(self):
        return settings.IMPORTS_FILE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


private_storage = PrivateImportStorage()


class ImportJob(models.Model):
    """One uploaded file and its journey: dry run, confirmation, background import."""

    class Kind(models.TextChoices):
        SIGNATURES = "signatures", _("Signatures (paper forms, partner lists)")
        SIGNATORIES = "signatories", _("Signatories")
        ORGANISATIONS = "organisations", _("Organisations and local authorities")
        TARGETS = "targets", _("Targets (decision makers)")
        REGISTER = "register", _("Register of elected officials")

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded, dry run queued")
        CHECKING = "checking", _("Dry run in progress")
        CHECKED = "checked", _("Dry run done, waiting for confirmation")
        INVALID = "invalid", _("Dry run found problems")
        QUEUED = "queued", _("Confirmed, import queued")
        RUNNING = "running", _("Import in progress")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed, nothing imported")

    FINISHED_STATES = (State.CHECKED, State.INVALID, State.DONE, State.FAILED)

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"

    kind = models.CharField(_("what to import"), max_length=16, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.UPLOADED, db_index=True
    )
    file = models.FileField(_("file"), upload_to="%Y/%m/", storage=private_storage, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    # Options: the campaign and source of offline signatures, the mandate of a register file.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    source = models.CharField(_("source"), max_length=16, blank=True, default="")
    source_detail = models.CharField(_("source detail"), max_length=255, blank=True, default="")
    mandate = models.CharField(_("mandate"), max_length=16, blank=True, default="")
    # Outcome (of the dry run, then of the import).
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    invalid_count = models.PositiveIntegerField(_("invalid"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    state__in=[
                        "uploaded",
                        "checking",
                        "checked",
                        "invalid",
                        "queued",
                        "running",
                        "done",
                        "failed",
                    ]
                ),
                name="imports_job_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.original_name}"

    @property
    def is_finished(self):
        return self.state in self.FINISHED_STATES

    @property
    def progress_percent(self):
        if self.state in (self.State.DONE, self.State.CHECKED, self.State.INVALID):
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.processed_rows / self.total_rows))


class ExportLog(models.Model):
    """Who exported what, when, with which filters: personal data leaves the product here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("what was exported"), max_length=32)
    format = models.CharField(_("format"), max_length=8)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    personal_data = models.BooleanField(_("includes personal data"), default=True)
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at"]
        permissions = [
            ("export_personal_data", _("Can export signatories' personal data")),
        ]

    def __str__(self):
        return f"{self.kind} ({self.format}) – {self.created_at:%Y-%m-%d %H:%M}"
