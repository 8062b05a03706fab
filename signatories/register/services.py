"""Import one of the register's files: stream it, upsert by natural key, mark who left office.

The whole file is one transaction: a file with any bad row imports nothing, and the report names
every bad row. Unchanged entries cost no write, so the quarterly re-import of the same file is cheap.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from signatories.geo import INSEE_COMMUNE_RE, normalise_departement_code
from signatories.imports.readers import EXTRA_CELLS, FileProblem, Formula, TableReader, chunked

from .formats import FORMATS
from .models import RegisterEntry
from .normalise import normalise, normalise_header

CHUNK_SIZE = 2000
MAX_REPORTED_ERRORS = 500
MAX_CELL = 150
# Older files code overseas départements with letters.
LETTER_CODES = {"ZA": "971", "ZB": "972", "ZC": "973", "ZD": "974", "ZM": "976"}
# Overseas collectivities and French people abroad: valid in the register, no département.
OTHER_TERRITORIES = {"975", "977", "978", "986", "987", "988", "ZS", "ZX", "ZW", "ZP", "ZN", "ZZ"}
COMPARED_FIELDS = (
    "departement_code",
    "departement_name",
    "commune_code",
    "commune_name",
    "territory_code",
    "territory_name",
    "last_name",
    "first_name",
    "sex",
    "profession_code",
    "profession",
    "function",
    "mandate_start",
    "function_start",
)
DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")


@dataclass
class RegisterReport:
    mandate: str
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    left_office: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)  # [{"row": n, "messages": [...]}]
    file_problem: str = ""
    dry_run: bool = False
    committed: bool = False

    @property
    def ok(self):
        return not self.file_problem and not self.error_count

    def add_errors(self, row, messages):
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "messages": [str(m) for m in messages]})

    def as_dict(self):
        return {
            "mandate": self.mandate,
            "total": self.total,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "left_office": self.left_office,
            "error_count": self.error_count,
            "errors": self.errors,
            "file_problem": self.file_problem,
            "dry_run": self.dry_run,
            "committed": self.committed,
        }


def parse_date(value):
    """dd/mm/yyyy (older files) or yyyy-mm-dd (newer ones); ValueError on an impossible date."""
    value = (value or "").strip()
    if not value:
        return None
    match = DATE_RE.match(value)
    if not match:
        raise ValueError(value)
    if match.group(1):
        day, month, year = (int(match.group(i)) for i in (1, 2, 3))
    else:
        year, month, day = (int(match.group(i)) for i in (4, 5, 6))
    return datetime.date(year, month, day)


def map_headers(headers, fmt):
    """{field: file header}; FileProblem naming the missing published columns."""
    by_normal = {normalise_header(h): h for h in headers}
    mapping, missing = {}, []
    required = set(fmt.required_headers())
    for field_name, published in fmt.all_columns().items():
        found = by_normal.get(normalise_header(published))
        if found is not None:
            mapping[field_name] = found
        elif published in required:
            missing.append(published)
    if missing:
        raise FileProblem(
            _(
                "Missing columns for the “%(mandate)s” file: %(missing)s. Expected columns: %(expected)s."
            )
            % {
                "mandate": fmt.mandate,
                "missing": ", ".join(f"“{m}”" for m in missing),
                "expected": "; ".join(fmt.published_headers()),
            }
        )
    return mapping


def parse_row(values, mapping, fmt):
    """(field values, error messages) for one row of the file."""
    data, errors = {}, []
    if values.get(EXTRA_CELLS):
        errors.append(_("the row has more cells than the header has columns"))
    for field_name, header in mapping.items():
        raw = values.get(header, "")
        if isinstance(raw, Formula):
            errors.append(_("column “%(column)s” holds a formula") % {"column": header})
            raw = ""
        raw = str(raw).strip()
        if len(raw) > MAX_CELL:
            errors.append(
                _("column “%(column)s” is too long (%(length)s characters, at most %(max)s)")
                % {"column": header, "length": len(raw), "max": MAX_CELL}
            )
            raw = raw[:MAX_CELL]
        data[field_name] = raw
    for name in ("birth_date", "mandate_start", "function_start"):
        if name not in data:
            data[name] = None
            continue
        try:
            data[name] = parse_date(data[name])
        except ValueError:
            errors.append(
                _("impossible date “%(value)s” in column “%(column)s”")
                % {"value": data[name], "column": mapping[name]}
            )
            data[name] = None
    if not data.get("last_name") or not data.get("first_name"):
        errors.append(_("the name or first name is empty"))
    if "birth_date" in mapping and data["birth_date"] is None and not errors:
        errors.append(_("the birth date is empty"))
    if data.get("birth_date") and data["birth_date"] > datetime.date.today():
        errors.append(_("the birth date is in the future"))
    raw_dep = data.get("departement_code", "")
    if "departement_code" in mapping and (raw_dep or "departement_code" in fmt.columns):
        code = raw_dep.upper()
        code = LETTER_CODES.get(code, code)
        if code not in OTHER_TERRITORIES:
            code = normalise_departement_code(code)
            if not code:
                errors.append(_("unknown département code “%(code)s”") % {"code": raw_dep})
        data["departement_code"] = code or raw_dep
    commune = data.get("commune_code", "")
    if "commune_code" in fmt.columns:
        commune = commune.upper().zfill(5) if commune.isdigit() else commune.upper()
        data["commune_code"] = commune
        dep = data.get("departement_code", "")
        if not INSEE_COMMUNE_RE.match(commune) and not (
            dep in OTHER_TERRITORIES and commune.isdigit()
        ):
            errors.append(_("unknown commune code “%(code)s”") % {"code": commune})
        elif dep and dep not in OTHER_TERRITORIES and not commune.startswith(dep):
            errors.append(
                _("commune code “%(code)s” is not in département %(dep)s")
                % {"code": commune, "dep": dep}
            )
    if not data.get("function"):
        data["function"] = fmt.default_function
    return data, errors


def natural_key(mandate, data, fmt):
    territory = "-".join(data.get(name, "") for name in fmt.territory_fields)
    birth = data["birth_date"].isoformat() if data.get("birth_date") else ""
    return "|".join(
        (mandate, territory, normalise(data["last_name"]), normalise(data["first_name"]), birth)
    )[:255]


def import_register(path, mandate, *, file_format="csv", dry_run=False, progress=None, today=None):
    """Import one register file; returns a RegisterReport. Commits only a file without errors."""
    fmt = FORMATS[mandate]
    today = today or timezone.localdate()
    report = RegisterReport(mandate=mandate, dry_run=dry_run)
    reader = TableReader(path, file_format)
    seen = {}  # hash(natural key) -> row number: duplicates, and who is still in office
    try:
        with transaction.atomic():
            rows = reader.rows()
            first = next(rows, None)
            mapping = map_headers(reader.headers, fmt)
            stream = _prepend(first, rows)
            for chunk in chunked(stream, CHUNK_SIZE):
                _import_chunk(chunk, mapping, fmt, mandate, report, seen)
                if progress:
                    progress(report.total)
            if report.ok:
                report.left_office = _mark_leavers(mandate, seen, today)
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


def _import_chunk(chunk, mapping, fmt, mandate, report, seen):
    parsed = {}
    for row_number, values in chunk:
        report.total += 1
        data, errors = parse_row(values, mapping, fmt)
        if errors:
            report.add_errors(row_number, errors)
            continue
        key = natural_key(mandate, data, fmt)
        digest = hash(key)
        if digest in seen:
            report.add_errors(row_number, [_("duplicate of row %(row)s") % {"row": seen[digest]}])
            continue
        seen[digest] = row_number
        parsed[key] = data
    if report.error_count:
        return  # nothing will be committed: only keep checking the rows
    existing = {
        entry.natural_key: entry
        for entry in RegisterEntry.objects.filter(natural_key__in=list(parsed)).only(
            "id", "natural_key", "active", "left_office_on", *COMPARED_FIELDS
        )
    }
    to_create, to_update = [], []
    for key, data in parsed.items():
        entry = existing.get(key)
        if entry is None:
            to_create.append(_new_entry(mandate, key, data))
            continue
        changed = not entry.active
        for name in COMPARED_FIELDS:
            value = data.get(name, "" if name not in ("mandate_start", "function_start") else None)
            if getattr(entry, name) != value:
                setattr(entry, name, value)
                changed = True
        if changed:
            entry.active, entry.left_office_on = True, None
            entry.updated_at = timezone.now()  # bulk_update skips auto_now
            to_update.append(entry)
        else:
            report.unchanged += 1
    RegisterEntry.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        RegisterEntry.objects.bulk_update(
            to_update, [*COMPARED_FIELDS, "active", "left_office_on", "updated_at"], batch_size=500
        )
    report.new += len(to_create)
    report.updated += len(to_update)


def _new_entry(mandate, key, data):
    values = {name: data.get(name) for name in COMPARED_FIELDS}
    for name, value in values.items():
        if value is None and name not in ("mandate_start", "function_start"):
            values[name] = ""
    return RegisterEntry(
        mandate=mandate,
        natural_key=key,
        birth_date=data.get("birth_date"),
        normalised_last_name=normalise(data["last_name"]),
        normalised_first_name=normalise(data["first_name"]),
        **values,
    )


def _mark_leavers(mandate, seen, today):
    """Entries of this mandate missing from the new file have left office."""
    leavers = [
        pk
        for pk, key in RegisterEntry.objects.filter(mandate=mandate, active=True)
        .values_list("id", "natural_key")
        .iterator(chunk_size=5000)
        if hash(key) not in seen
    ]
    for start in range(0, len(leavers), 500):
        RegisterEntry.objects.filter(pk__in=leavers[start : start + 500]).update(
            active=False, left_office_on=today, updated_at=timezone.now()
        )
    return len(leavers)
