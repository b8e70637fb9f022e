"""Reading back a list's export (nim_portal.exports) in the tests: its text, its CSV rows, its
workbook."""

import csv
import io

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet


def exported_text(response) -> str:
    """A CSV export's text (it begins with a byte-order mark)."""
    return b"".join(response.streaming_content).decode("utf-8-sig")


def csv_rows(response) -> list[list[str]]:
    """A CSV export's rows: its marking, its headings, then the list's rows."""
    return list(csv.reader(io.StringIO(exported_text(response))))


def xlsx_sheet(response) -> Worksheet:
    """An XLSX export's sheet."""
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def xlsx_rows(response) -> list[tuple]:
    """An XLSX export's rows, as values: its marking, its headings, then the list's rows."""
    return list(xlsx_sheet(response).iter_rows(values_only=True))
