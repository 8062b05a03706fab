"""Read uploaded tables row by row, without loading the file into memory.

Hand-written because tablib (what django-import-export reads with) loads a whole file at once,
and loses the row numbers and the formula cells that the reports need.

CSV: comma, semicolon or tab (detected on the header line), UTF-8 with or without BOM, Windows-1252
as a fallback. XLSX: openpyxl in read-only mode. JSON: a list of objects (parsed at once, so its
size is capped). Every problem with the file as a whole raises FileProblem with a message for staff.
"""

import codecs
import csv
import datetime
import json
import zipfile
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from .cells import Formula

CSV_FIELD_LIMIT = 1_000_000  # characters; beyond it the file is refused with its line number
MAX_JSON_BYTES = 50 * 1024 * 1024
EXTRA_CELLS = "__extra_cells__"
csv.field_size_limit(CSV_FIELD_LIMIT)


class FileProblem(Exception):
    """The file cannot be read at all: nothing is imported, the message says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def format_for_name(name):
    suffix = Path(name or "").suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("xlsx", "json"):
        return suffix
    return None


def detect_encoding(path, chunk_size=1 << 20):
    """'utf-8-sig', 'utf-8' or 'cp1252', checked over the whole file in chunks."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileProblem(
                _("The file is encoded in UTF-16. Save it as CSV UTF-8 and upload it again.")
            )
        else:
            encoding = "utf-8"
        handle.seek(0)
        for candidate in (encoding, "cp1252"):
            decoder = codecs.getincrementaldecoder(candidate)()
            handle.seek(0)
            try:
                while chunk := handle.read(chunk_size):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return candidate
            except UnicodeDecodeError:
                continue
    raise FileProblem(
        _("The file's text encoding is not recognised (expected UTF-8 or Windows-1252).")
    )


def detect_delimiter(header_line):
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter, count = max(counts.items(), key=lambda item: item[1])
    return delimiter if count else ","


def clean_header(value):
    return str(value if value is not None else "").replace("\ufeff", "").strip()


def check_headers(headers):
    headers = [clean_header(h) for h in headers]
    if not any(headers):
        raise FileProblem(_("The first row holds no column names."))
    seen = set()
    for header in headers:
        if header and header in seen:
            raise FileProblem(_("The column “%(name)s” appears twice.") % {"name": header})
        seen.add(header)
    return headers


def cell_text(value):
    """A cell as text: dates in ISO format, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float | Decimal) and value == int(value):
        return str(int(value))
    return str(value)


class TableReader:
    """Iterate (row_number, {header: text}) where row_number is the spreadsheet row (header = 1)."""

    def __init__(self, path, fmt):
        self.path = str(path)
        self.format = fmt
        self.encoding = None
        self.delimiter = None
        self.headers = []

    def rows(self):
        if self.format == "csv":
            yield from self._csv_rows()
        elif self.format == "xlsx":
            yield from self._xlsx_rows()
        elif self.format == "json":
            yield from self._json_rows()
        else:
            raise FileProblem(_("Unsupported format: use CSV, XLSX or JSON."))

    def count_rows(self):
        """A quick estimate of the data rows, for the progress bar."""
        if self.format == "csv":
            with open(self.path, "rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            return max(lines - 1, 0)
        return 0

    def _csv_rows(self):
        if Path(self.path).stat().st_size == 0:
            raise FileProblem(_("The file is empty."))
        self.encoding = detect_encoding(self.path)
        with open(self.path, encoding=self.encoding, newline="") as handle:
            first_line = handle.readline()
            if not first_line.strip():
                raise FileProblem(_("The file is empty."))
            self.delimiter = detect_delimiter(first_line)
            handle.seek(0)
            reader = csv.reader(handle, delimiter=self.delimiter)
            try:
                self.headers = check_headers(next(reader))
                width = len(self.headers)
                data = False
                for values in reader:
                    if not any(v.strip() for v in values):
                        continue
                    data = True
                    row = self._as_dict(values[:width])
                    extra = sum(1 for v in values[width:] if v.strip())
                    if extra:
                        row[EXTRA_CELLS] = extra  # the row checks name this problem
                    yield reader.line_num, row
            except csv.Error as exc:
                raise FileProblem(
                    _("The CSV file cannot be read near line %(line)s: %(error)s")
                    % {"line": reader.line_num, "error": exc}
                ) from exc
            if not data:
                raise FileProblem(_("The file has column names but no data rows."))

    def _xlsx_rows(self):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        corrupt = _(
            "The XLSX file is truncated or corrupt; open it in a spreadsheet and save it again."
        )
        if Path(self.path).stat().st_size == 0:
            raise FileProblem(_("The file is empty."))
        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
        except (
            zipfile.BadZipFile,
            InvalidFileException,
            KeyError,
            OSError,
            ValueError,
            EOFError,
        ) as exc:
            raise FileProblem(corrupt) from exc
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header_row = next(rows, None)
            if header_row is None:
                raise FileProblem(_("The file is empty."))
            self.headers = check_headers(header_row)
            width = len(self.headers)
            data = False
            for index, row in enumerate(rows, start=2):
                # With data_only=False a formula cell holds its formula: "=A2&B2" text, which the
                # import's formula rule refuses, or an array formula object.
                values = [
                    Formula(value.text) if hasattr(value, "text") else cell_text(value)
                    for value in row[:width]
                ]
                if not any(value.strip() for value in values):
                    continue
                data = True
                yield index, self._as_dict(values)
            if not data:
                raise FileProblem(_("The file has column names but no data rows."))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
            raise FileProblem(corrupt) from exc
        finally:
            workbook.close()

    def _json_rows(self):
        size = Path(self.path).stat().st_size
        if size == 0:
            raise FileProblem(_("The file is empty."))
        if size > MAX_JSON_BYTES:
            raise FileProblem(_("JSON files are limited to 50 MB; use CSV for larger files."))
        try:
            with open(self.path, encoding=detect_encoding(self.path)) as handle:
                data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise FileProblem(
                _("The JSON file is invalid at line %(line)s: %(error)s")
                % {"line": exc.lineno, "error": exc.msg}
            ) from exc
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise FileProblem(_("The JSON file must hold a list of objects."))
        if not data:
            raise FileProblem(_("The file has no data rows."))
        headers = []
        for item in data:
            headers.extend(key for key in item if key not in headers)
        self.headers = check_headers(headers)
        for index, item in enumerate(data, start=1):
            yield index, {key: _json_text(item.get(key)) for key in self.headers}

    def _as_dict(self, values):
        values = list(values) + [""] * (len(self.headers) - len(values))
        return dict(zip(self.headers, values, strict=False))


def _json_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
