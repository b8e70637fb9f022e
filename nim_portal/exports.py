"""Exports of a list as CSV or XLSX: the one way a page lets its rows leave the portal.

A list declares once what an export holds (`ListExport`: its name, its columns, how to read each
row's marking); its page hands over the rows of the same selector and filter it shows, and
`list_download` does the rest:

- the rows are those on screen, every page of them (the page's filters, never its paging);
- the export carries its GSC marking (the highest marking among its rows, at least OFFICIAL) in
  its first row, in the XLSX sheet's printed header and footer, and in the file's name;
- it is audited before any row leaves (AuditVerb.EXPORT: the list, its filters, the rows);
- rows are read from the database in chunks and written as they come: CSV streams, XLSX is a
  write-only workbook spooled to a temporary file, so a long list never sits in memory whole;
- a cell that a spreadsheet would run as a formula (beginning = + - @, a tab or a return) is
  neutralised with a leading apostrophe;
- a filter that does not parse, an unknown format or a list longer than EXPORT_ROW_LIMIT is
  refused with a message on the page, and nothing is exported.

In a template, `{% export_links "the list's name" %}` (nim_portal.templatetags.portal) offers the
downloads, each link carrying the page's current filters.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import Count, Max, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from nim_portal.choices import AuditVerb, ExportFormat, GSCMarking
from nim_portal.pagination import CURSOR_PARAM, PAGE_PARAM
from nim_portal.services import audit_record

# The query parameter that asks a list's page for its export instead of the page.
EXPORT_PARAM = "export"
# An export holds at most this many rows: a longer list is refused, to be narrowed by its filters.
EXPORT_ROW_LIMIT = 100_000
# Rows read from the database at a time.
EXPORT_CHUNK_SIZE = 1000
# The parameters of a list's page that page it rather than filter it: an export leaves them out.
PAGING_PARAMS = (PAGE_PARAM, CURSOR_PARAM, EXPORT_PARAM)

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading, and how to read its value from a row."""

    heading: str
    value: Callable[[object], object]


@dataclass(frozen=True)
class ListExport:
    """What an export of one list holds.

    `name` names the list in the audit log and the file's name ("product register").
    `marking` is how to read the rows' markings: the name of a marking field of the rows (the
    export takes the highest), or one GSCMarking that every row of the list carries.
    """

    name: str
    columns: Sequence[Column]
    marking: str | GSCMarking = "marking"


class ExportRefused(Exception):
    """An export that cannot be made, with the message to show on the list's page."""


def requested_format(request: HttpRequest) -> str | None:
    """The format the request asks the list's page to export (None: show the page itself)."""
    if EXPORT_PARAM not in request.GET:
        return None
    return request.GET[EXPORT_PARAM]


def filter_params(query: QueryDict) -> QueryDict:
    """The page's query without its paging: the filters an export applies."""
    filters = query.copy()
    for name in PAGING_PARAMS:
        filters.pop(name, None)
    return filters


def export_url(request: HttpRequest, export_format: str) -> str:
    """The link to the export of the list on this page, with the page's current filters."""
    query = filter_params(request.GET)
    query[EXPORT_PARAM] = export_format
    return f"{request.path}?{query.urlencode()}"


def list_download(
    request: HttpRequest,
    export: ListExport,
    rows: QuerySet | Callable[[], QuerySet],
    *,
    form: forms.Form | None = None,
) -> HttpResponse | None:
    """The export the request asks for of `rows` (the page's own rows, filtered by `form`; or a
    function that builds them, for rows that cost a query to build), or None when it asks for
    none, or when the export is refused: then the refusal is a message for the page, which the
    view renders as usual (with the filter form's errors)."""
    export_format = requested_format(request)
    if export_format is None:
        return None
    try:
        return export_response(request, export, rows, export_format=export_format, form=form)
    except ExportRefused as refusal:
        messages.error(request, str(refusal))
        return None


def export_response(
    request: HttpRequest,
    export: ListExport,
    rows: QuerySet | Callable[[], QuerySet],
    *,
    export_format: str,
    form: forms.Form | None = None,
) -> HttpResponse:
    """`rows` as a file of `export_format`, audited; ExportRefused when it cannot be made."""
    if export_format not in ExportFormat.values:
        raise ExportRefused(
            f"The {export.name} cannot be downloaded as “{export_format[:20]}”: choose CSV or XLSX."
        )
    if form is not None and not form.is_valid():
        raise ExportRefused(
            f"The {export.name} was not downloaded: correct the filters below first."
        )
    if callable(rows):
        rows = rows()
    count, marking = _count_and_marking(export, rows)
    if count > EXPORT_ROW_LIMIT:
        raise ExportRefused(
            f"The {export.name} holds {count:,} rows with these filters; a download holds at "
            f"most {EXPORT_ROW_LIMIT:,}. Narrow the filters and try again."
        )
    label = GSCMarking(marking).label
    filters = {key: value for key, value in filter_params(request.GET).items() if value}
    audit_record(
        actor=request.user,
        verb=AuditVerb.EXPORT,
        request=request,
        detail={
            "export": export.name,
            "format": export_format,
            "filter": filters,
            "rows": count,
            "marking": label,
        },
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{slugify(export.name)}-{slugify(label).upper()}-{stamp}.{export_format}"
    table = _table(export, rows)
    if export_format == ExportFormat.CSV:
        response = StreamingHttpResponse(
            _csv_lines(label, export, table), content_type=CONTENT_TYPES[ExportFormat.CSV]
        )
    else:
        response = FileResponse(
            _xlsx_file(label, export, table), content_type=CONTENT_TYPES[ExportFormat.XLSX]
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _count_and_marking(export: ListExport, rows: QuerySet) -> tuple[int, int]:
    """How many rows, and their highest marking (at least OFFICIAL): one query."""
    if isinstance(export.marking, str):
        totals = rows.order_by().aggregate(rows=Count("pk"), marking=Max(export.marking))
        marking = totals["marking"]
    else:
        totals = rows.order_by().aggregate(rows=Count("pk"))
        marking = export.marking if totals["rows"] else None
    return totals["rows"], max(marking or GSCMarking.OFFICIAL, GSCMarking.OFFICIAL)


def _table(export: ListExport, rows: QuerySet) -> Iterator[list]:
    """Each row's values, read a chunk at a time."""
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield [column.value(row) for column in export.columns]


def safe_cell(value: object) -> object:
    """A value as a cell: text that a spreadsheet would run as a formula gets a leading
    apostrophe; times are local and without a zone (XLSX holds none); nothing is empty text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | float | datetime.date):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(value: object) -> str:
    """A cell of a CSV file (safe_cell, times to the minute)."""
    value = safe_cell(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(label: str, headings: Sequence[str], table: Iterable[Sequence]) -> Iterator[str]:
    """A marked CSV file line by line: its marking, its headings, then each row. It begins with
    a byte-order mark, by which spreadsheets read it as UTF-8."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow([label])
    yield writer.writerow(headings)
    for values in table:
        yield writer.writerow([csv_text(value) for value in values])


def _csv_lines(label: str, export: ListExport, table: Iterable[Sequence]) -> Iterator[str]:
    return csv_lines(label, [column.heading for column in export.columns], table)


def _xlsx_file(label: str, export: ListExport, table: Iterable[Sequence]):
    """A marked workbook in a temporary file, rewound: a write-only workbook keeps no rows in
    memory. The file goes when the response closes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=export.name[:31])
    for header_footer in (sheet.oddHeader, sheet.oddFooter):
        header_footer.center.text = label
    marking_cell = WriteOnlyCell(sheet, value=label)
    marking_cell.font = Font(bold=True)
    sheet.append([marking_cell])
    headings = []
    for column in export.columns:
        heading = WriteOnlyCell(sheet, value=column.heading)
        heading.font = Font(bold=True)
        headings.append(heading)
    sheet.append(headings)
    for values in table:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(cell.value, str):
                # Text stays text: openpyxl would store a leading = as a formula.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    workbook.save(spooled)
    spooled.seek(0)
    return spooled
