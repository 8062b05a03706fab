"""One tabular import for every kind of file: read it, map its headers, check and save it in chunks
through the kind's resource, report by row. A file is imported whole or not at all.

A dry run takes the same path as the import (only the signatures' signal to the Mailchimp outbox
is not sent) and rolls back at the end, as does an import that meets an invalid row; once a row is
invalid, the chunks after it are only checked.
"""

import logging
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from . import registry
from .cells import is_formula, unneutralise
from .normalise import normalise_header
from .readers import EXTRA_CELLS, FileProblem, TableReader

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
MAX_REPORTED = 500
MAX_CELL = 10_000  # characters: no field of ours holds more


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0  # unchanged, or kept as it is (a signer who signed online)
    invalid: int = 0
    left_office: int = 0  # register files of a mandate: entries missing from the file
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


def import_table(path, file_format, kind, *, dry_run=False, progress=None, **options):
    """Import one CSV, XLSX or JSON file of `kind` (see registry); returns an ImportReport.

    `options` go to the resource: the campaign and source of signatures, the register's mandate.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        resource_class = registry.resource_class(kind)
    except KeyError:
        report.file_problem = _("Nothing imports files of the kind “%(kind)s”.") % {"kind": kind}
        return report
    resource = resource_class(**options)
    resource.dry_run = dry_run
    reader = TableReader(path, file_format)
    try:
        with transaction.atomic():
            rows = reader.rows()
            first = next(rows, None)  # reads the header row, or raises FileProblem
            mapping, report.ignored_columns = map_headers(reader.headers, resource.file_format())
            for chunk in chunked(_prepend(first, rows), CHUNK_SIZE):
                _import_chunk(resource, chunk, mapping, report)
                if progress:
                    progress(report.total)
            if report.ok:
                resource.finish(report)
            report.warnings = [{"row": row, "messages": [msg]} for row, msg in resource.warnings]
            if dry_run or not report.ok:
                transaction.set_rollback(True)
            else:
                report.committed = True
    except FileProblem as problem:
        report.file_problem = problem.message
    return report


# --- Headers --------------------------------------------------------------------------------


def map_headers(headers, file_format):
    """({resource column: file header}, ignored file headers); FileProblem if required ones miss.

    Headers match whatever their case, accents, quotes or spaces ("Nom de l’élu", "SIGNED_AT").
    """
    by_normal = {normalise_header(header): header for header in headers if header}
    mapping = {}
    for column, expected in file_format.headers.items():
        found = by_normal.get(normalise_header(expected))
        if found is not None:
            mapping[column] = found
    missing = [
        file_format.headers[column] for column in file_format.required if column not in mapping
    ]
    if missing or not mapping:
        raise FileProblem(_missing_columns(headers, file_format, missing))
    ignored = [header for header in headers if header and header not in mapping.values()]
    return mapping, ignored


def _missing_columns(headers, file_format, missing):
    message = _(
        "This is not a file of the kind “%(format)s”: missing columns %(missing)s. "
        "Expected columns: %(expected)s."
    ) % {
        "format": file_format.label,
        "missing": ", ".join(
            _("“%(name)s”") % {"name": name}
            for name in missing or [file_format.headers[c] for c in file_format.required]
        ),
        "expected": "; ".join(file_format.headers.values()),
    }
    other = _closest_format(headers, file_format)
    if other is not None:
        message += " " + _(
            "Its columns are those of “%(other)s”: choose that kind of import and upload it again."
        ) % {"other": other.label}
    return message


def _closest_format(headers, expected):
    """The registered layout a file's headers fit best, if it recognises more than `expected`."""
    present = {normalise_header(header) for header in headers if header}

    def recognised(candidate):
        return sum(1 for name in candidate.headers.values() if normalise_header(name) in present)

    best, best_count = None, recognised(expected)
    for resource_class in registry.kinds().values():
        for candidate in resource_class.file_formats():
            fits = all(
                normalise_header(candidate.headers[column]) in present
                for column in candidate.required
            )
            count = recognised(candidate)
            if candidate != expected and fits and count > best_count:
                best, best_count = candidate, count
    return best


# --- Rows -------------------------------------------------------------------------------------


def chunked(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _prepend(first, rows):
    if first is not None:
        yield first
    yield from rows


def cell_problems(values, headers):
    """What no imported cell may hold, whatever the kind: a formula, thousands of characters."""
    problems = []
    if values.get(EXTRA_CELLS):
        problems.append(_("the row has more cells than the header has columns"))
    for header in headers:
        value = values.get(header, "")
        if is_formula(value):
            problems.append(column_message(header, _("holds a formula, which is not accepted")))
        elif len(value) > MAX_CELL:
            message = _("too long (%(length)s characters)") % {"length": len(value)}
            problems.append(column_message(header, message))
    return problems


def column_message(header, message):
    return _("column “%(column)s”: %(message)s") % {"column": header, "message": message}


def _import_chunk(resource, chunk, mapping, report):
    columns, headers = list(mapping), list(mapping.values())
    dataset = tablib.Dataset(headers=columns)
    file_rows = []
    for row_number, values in chunk:
        report.total += 1
        problems = cell_problems(values, headers)
        if problems:
            report.add_error(row_number, problems)
            continue
        # Our own exports neutralise formula-like text with an apostrophe: take it off again.
        dataset.append([unneutralise(values.get(header, "")) for header in headers])
        file_rows.append(row_number)
    resource.writing = report.ok  # nothing will be committed: only check the rest
    if not len(dataset):
        return
    result = resource.import_data(
        dataset, dry_run=False, use_transactions=True, raise_errors=False, file_rows=file_rows
    )
    report.new += result.totals.get("new", 0)
    report.updated += result.totals.get("update", 0)
    report.skipped += result.totals.get("skip", 0)
    problems = {}
    for row in result.error_rows:
        problems.setdefault(row.number, []).extend(_error_text(error.error) for error in row.errors)
    for row in result.invalid_rows:
        problems.setdefault(row.number, []).extend(_messages(row.error_dict, mapping))
    for number in sorted(problems):
        report.add_error(file_rows[number - 1], problems[number])
    if result.base_errors:
        report.file_problem = "; ".join(_error_text(error.error) for error in result.base_errors)


def _messages(error_dict, mapping):
    """Each error of a row, naming its column as the file names it."""
    for column, messages in error_dict.items():
        for message in messages:
            yield (
                message
                if column == NON_FIELD_ERRORS
                else column_message(mapping.get(column, column), message)
            )


def _error_text(error):
    logger.info("import row error: %s", type(error).__name__)
    return _("this row could not be saved: %(error)s") % {"error": error}
