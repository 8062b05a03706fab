"""The import engine: stream a file in chunks through a resource, all in one transaction.

A dry run and a real run take the same path; the dry run rolls back at the end, and so does a run
that meets any invalid row, so a file is imported whole or not at all.
"""

import logging
from dataclasses import dataclass, field

import tablib
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ImportJob
from .readers import EXTRA_CELLS, FileProblem, Formula, TableReader, chunked, unneutralise
from .resources import RESOURCES

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
MAX_REPORTED = 500
MAX_CELL = 10_000  # characters: no field of ours holds more


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: int = 0
    left_office: int = 0
    errors: list = field(default_factory=list)  # [{"row": n, "messages": [...]}]
    warnings: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    file_problem: str = ""
    dry_run: bool = False
    committed: bool = False

    @property
    def ok(self):
        return not self.file_problem and not self.invalid

    def add_error(self, row, messages):
        self.invalid += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append({"row": row, "messages": [str(m) for m in messages]})

    def as_dict(self):
        return {
            "total": self.total,
            "new": self.new,
            "updated": self.updated,
            "skipped": self.skipped,
            "invalid": self.invalid,
            "left_office": self.left_office,
            "errors": self.errors,
            "errors_truncated": self.invalid > len(self.errors),
            "warnings": self.warnings[:MAX_REPORTED],
            "ignored_columns": self.ignored_columns,
            "file_problem": self.file_problem,
            "dry_run": self.dry_run,
            "committed": self.committed,
        }


def generic_row_problems(values):
    """Problems any row can have, whatever is imported: formulas, stray cells, huge cells."""
    problems = []
    if values.get(EXTRA_CELLS):
        problems.append(_("the row has more cells than the header has columns"))
    for column, value in values.items():
        if column == EXTRA_CELLS:
            continue
        if isinstance(value, Formula) or (isinstance(value, str) and value.startswith("=")):
            problems.append(
                _("column “%(column)s” holds a formula, which is not accepted") % {"column": column}
            )
        elif isinstance(value, str) and len(value) > MAX_CELL:
            problems.append(
                _("column “%(column)s” is too long (%(length)s characters)")
                % {"column": column, "length": len(value)}
            )
    return problems


def map_columns(headers, columns, required):
    """{resource column: file header}, the ignored file headers; FileProblem if required ones miss."""
    by_lower = {header.strip().casefold(): header for header in headers}
    mapping = {
        column: by_lower[column.casefold()] for column in columns if column.casefold() in by_lower
    }
    missing = [column for column in required if column not in mapping]
    if missing:
        raise FileProblem(
            _("Missing columns: %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(columns)}
        )
    if not mapping:
        raise FileProblem(
            _("None of the expected columns was found. Expected columns: %(expected)s.")
            % {"expected": ", ".join(columns)}
        )
    ignored = [header for header in headers if header and header not in mapping.values()]
    return mapping, ignored


def import_table(path, file_format, kind, *, dry_run=False, progress=None, **options):
    """Import one file of `kind` with its resource; returns an ImportReport."""
    if kind == ImportJob.Kind.REGISTER and options.get("mandate"):
        return _import_register(path, file_format, options["mandate"], dry_run, progress)
    resource_class = RESOURCES[kind]
    resource = resource_class(**options)
    columns = resource_class.columns()
    report = ImportReport(dry_run=dry_run)
    reader = TableReader(path, file_format)
    try:
        with transaction.atomic():
            rows = reader.rows()
            first = next(rows, None)
            mapping, report.ignored_columns = map_columns(
                reader.headers, columns, resource.required_columns
            )
            for chunk in chunked(_prepend(first, rows), CHUNK_SIZE):
                _import_chunk(resource, chunk, mapping, report)
                if progress:
                    progress(report.total)
            report.warnings = [{"row": row, "messages": [msg]} for row, msg in resource.warnings]
            if dry_run or not report.ok:
                transaction.set_rollback(True)
            else:
                report.committed = True
    except FileProblem as problem:
        report.file_problem = problem.message
    return report


def _prepend(first, rows):
    if first is not None:
        yield first
    yield from rows


def _import_chunk(resource, chunk, mapping, report):
    columns = list(mapping)
    dataset = tablib.Dataset(headers=columns)
    resource.file_rows = []
    for row_number, values in chunk:
        report.total += 1
        problems = generic_row_problems(values)
        if problems:
            report.add_error(row_number, problems)
            continue
        # Our own exports neutralise formula-like text with an apostrophe: take it off again.
        dataset.append([unneutralise(values.get(mapping[column], "")) for column in columns])
        resource.file_rows.append(row_number)
    if not len(dataset):
        return
    result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=False)
    totals = result.totals
    report.new += totals.get("new", 0)
    report.updated += totals.get("update", 0)
    report.skipped += totals.get("skip", 0)
    problems = {}
    for number, errors in result.row_errors():
        problems.setdefault(number, []).extend(_error_text(error.error) for error in errors)
    for invalid in result.invalid_rows:
        problems.setdefault(invalid.number, []).extend(_validation_messages(invalid.error))
    for number in sorted(problems):
        report.add_error(resource.file_rows[number - 1], problems[number])
    if result.base_errors:
        report.file_problem = "; ".join(_error_text(error.error) for error in result.base_errors)


def _error_text(error):
    logger.info("import row error: %s", type(error).__name__)
    return _("this row could not be saved: %(error)s") % {"error": error}


def _validation_messages(error):
    if hasattr(error, "error_dict"):
        return [
            f"{column}: {message}" if column != "__all__" else message
            for column, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


def _import_register(path, file_format, mandate, dry_run, progress):
    from signatories.register.services import import_register

    result = import_register(
        path, mandate, file_format=file_format, dry_run=dry_run, progress=progress
    )
    report = ImportReport(dry_run=dry_run)
    report.total, report.new, report.updated = result.total, result.new, result.updated
    report.skipped, report.left_office = result.unchanged, result.left_office
    report.invalid, report.errors = result.error_count, result.errors
    report.file_problem, report.committed = result.file_problem, result.committed
    return report


# --- Jobs ---------------------------------------------------------------------------------


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
    from .tasks import run_import

    updated = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
        state=ImportJob.State.QUEUED, confirmed_by=user
    )
    if updated:
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return bool(updated)


def create_job(
    *, kind, uploaded_file, user, campaign=None, source="", source_detail="", mandate=""
):
    from .readers import format_for_name
    from .tasks import check_import

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
