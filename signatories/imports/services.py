"""Import jobs, as staff run them from the admin: upload, dry run, confirmation, background
import through the engine (engine.py), progress, and the report kept on the job."""

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .engine import ImportReport, import_table
from .models import ImportJob
from .readers import format_for_name
from .tasks import check_import, run_import

logger = logging.getLogger(__name__)


def progress_key(job_id):
    return f"imports:job:{job_id}:processed"


def job_progress(job):
    """Rows processed so far: the worker writes it to the cache (the import's own transaction
    hides the job row until the end)."""
    if job.is_finished:
        return job.processed_rows
    return cache.get(progress_key(job.pk), job.processed_rows)


def run_job(job_id, *, dry_run):
    """Run a job's dry run or real import; every outcome ends in a finished state and a report."""
    job = ImportJob.objects.get(pk=job_id)
    expected = ImportJob.State.UPLOADED if dry_run else ImportJob.State.QUEUED
    if job.state != expected:
        logger.info("import job %s is %s, not %s: nothing to do", job.pk, job.state, expected)
        return job
    job.state = ImportJob.State.CHECKING if dry_run else ImportJob.State.RUNNING
    job.started_at = timezone.now()
    job.processed_rows = 0
    job.save(update_fields=["state", "started_at", "processed_rows"])
    key = progress_key(job.pk)

    def progress(count):
        cache.set(key, count, 3600)

    try:
        report = import_table(
            job.file.path,
            job.format,
            job.kind,
            dry_run=dry_run,
            progress=progress,
            campaign=job.campaign,
            source=job.source,
            source_detail=job.source_detail,
            mandate=job.mandate,
        )
    except Exception:
        logger.exception("import job %s failed unexpectedly", job.pk)
        report = ImportReport(dry_run=dry_run)
        report.file_problem = _(
            "The import stopped on an unexpected error; nothing was imported. The technical team "
            "has the details in the logs."
        )
    job.report = report.as_dict()
    job.total_rows = report.total
    job.processed_rows = report.total
    job.new_count, job.updated_count = report.new, report.updated
    job.skipped_count, job.invalid_count = report.skipped, report.invalid
    if dry_run:
        job.state = ImportJob.State.CHECKED if report.ok else ImportJob.State.INVALID
    else:
        job.state = ImportJob.State.DONE if report.committed else ImportJob.State.FAILED
    job.finished_at = timezone.now()
    if job.state != ImportJob.State.CHECKED and job.file:
        job.file.delete(save=False)  # personal data: no copy kept once the import is over
    job.save()
    cache.delete(key)
    return job


def confirm_job(job, user):
    """Queue the real import of a checked job; False if it is not waiting for confirmation."""
    updated = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
        state=ImportJob.State.QUEUED, confirmed_by=user
    )
    if updated:
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return bool(updated)


def create_job(
    *, kind, uploaded_file, user, campaign=None, source="", source_detail="", mandate=""
):
    job = ImportJob.objects.create(
        kind=kind,
        file=uploaded_file,
        original_name=uploaded_file.name[:255],
        format=format_for_name(uploaded_file.name),
        campaign=campaign,
        source=source,
        source_detail=source_detail,
        mandate=mandate,
        created_by=user,
    )
    transaction.on_commit(lambda: check_import.enqueue(job.pk))
    return job
