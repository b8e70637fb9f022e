"""The one way a list is exported (nim_portal.exports): marked, audited, safe to open in a
spreadsheet, bounded, and refused with a message when its filters do not parse."""

from datetime import date

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from nim_portal import exports
from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent, VettingClearance
from tests.exports import csv_rows, xlsx_sheet
from tests.factories import member

pytestmark = pytest.mark.django_db

CLEARANCES = exports.ListExport(
    name="vetting table",
    columns=[
        exports.Column("Vetting level", lambda row: row.vetting_level),
        exports.Column("Highest marking", lambda row: row.max_marking),
        exports.Column("Note", lambda row: f"={row.vetting_level}+1"),
        exports.Column("Checked on", lambda row: date(2026, 3, 31)),
    ],
    marking="max_marking",
)


class DateForm(forms.Form):
    due_from = forms.DateField(required=False)


@pytest.fixture
def reader(hierarchy):
    return member(hierarchy.force, Role.ANALYST, username="wmp-analyst")


def get(user, **params):
    request = RequestFactory().get("/vetting/", params)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_csv_is_marked_first_and_in_its_name_and_lists_every_row(reader):
    rows = VettingClearance.objects.filter(vetting_level__in=[VettingLevel.RV, VettingLevel.MV])
    response = exports.list_download(get(reader, export="csv"), CLEARANCES, rows)

    marking, headings, *table = csv_rows(response)
    assert marking == ["SECRET"]  # MV reads SECRET: the highest marking of the rows
    assert headings == ["Vetting level", "Highest marking", "Note", "Checked on"]
    assert sorted(row[0] for row in table) == ["MV", "RV"]
    assert "vetting-table-SECRET-" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.csv"')


def test_a_formula_is_neutralised_and_dates_are_iso(reader):
    rows = VettingClearance.objects.filter(vetting_level=VettingLevel.RV)
    response = exports.list_download(get(reader, export="csv"), CLEARANCES, rows)

    *_, row = csv_rows(response)
    assert row[2] == "'=RV+1"
    assert row[3] == "2026-03-31"
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        assert exports.safe_cell(dangerous) == f"'{dangerous}"
    assert exports.safe_cell(-1) == -1


def test_xlsx_is_marked_in_its_first_row_header_footer_and_keeps_text_as_text(reader):
    rows = VettingClearance.objects.filter(vetting_level=VettingLevel.RV)
    response = exports.list_download(get(reader, export="xlsx"), CLEARANCES, rows)

    assert "vetting-table-OFFICIAL-SENSITIVE-" in response["Content-Disposition"]
    sheet = xlsx_sheet(response)
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "OFFICIAL-SENSITIVE"
    assert values[1] == ["Vetting level", "Highest marking", "Note", "Checked on"]
    assert values[2][:3] == ["RV", GSCMarking.OFFICIAL_SENSITIVE, "'=RV+1"]
    assert sheet.cell(row=3, column=3).data_type == "s"
    assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"


def test_an_empty_export_is_official_and_a_fixed_marking_holds_for_every_row(reader):
    rows = VettingClearance.objects.none()
    marking, _, *table = csv_rows(
        exports.list_download(get(reader, export="csv"), CLEARANCES, rows)
    )
    assert (marking, table) == (["OFFICIAL"], [])

    fixed = exports.ListExport("vetting table", CLEARANCES.columns, GSCMarking.SECRET)
    response = exports.list_download(
        get(reader, export="csv"), fixed, VettingClearance.objects.all()
    )
    assert csv_rows(response)[0] == ["SECRET"]


def test_the_export_is_audited_with_its_list_filters_and_rows(reader):
    rows = VettingClearance.objects.filter(vetting_level__in=[VettingLevel.RV, VettingLevel.MV])
    request = get(reader, export="csv", level="RV", page="3", cursor="")
    exports.list_download(request, CLEARANCES, rows)

    event = AuditEvent.objects.get(verb=AuditVerb.EXPORT)
    assert event.actor == reader
    assert event.detail == {
        "export": "vetting table",
        "format": "csv",
        "filter": {"level": "RV"},
        "rows": 2,
        "marking": "SECRET",
    }


def test_links_carry_the_filters_but_not_the_paging(reader):
    request = get(reader, level="RV", page="2", cursor="abc")
    assert exports.export_url(request, "xlsx") == "/vetting/?level=RV&export=xlsx"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"export": "pdf"}, "choose CSV or XLSX"),
        ({"export": "csv", "due_from": "31/31/2026"}, "correct the filters below first"),
    ],
)
def test_a_bad_request_is_refused_with_a_message_and_nothing_is_exported(reader, params, message):
    request = get(reader, **params)
    form = DateForm(request.GET)
    everything = VettingClearance.objects.all()
    assert exports.list_download(request, CLEARANCES, everything, form=form) is None
    assert message in " ".join(str(m) for m in get_messages(request))
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_a_list_longer_than_the_limit_is_refused(reader, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_ROW_LIMIT", 2)
    request = get(reader, export="xlsx")
    assert exports.list_download(request, CLEARANCES, VettingClearance.objects.all()) is None
    assert "Narrow the filters" in " ".join(str(m) for m in get_messages(request))
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_no_export_asked_is_none(reader):
    assert exports.list_download(get(reader), CLEARANCES, VettingClearance.objects.all()) is None


def test_rows_are_read_in_chunks_with_a_constant_number_of_queries(
    reader, django_assert_max_num_queries
):
    request = get(reader, export="csv")
    with django_assert_max_num_queries(4):
        response = exports.list_download(request, CLEARANCES, VettingClearance.objects.all())
        csv_rows(response)
