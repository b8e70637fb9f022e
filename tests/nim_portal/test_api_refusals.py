"""The API's one answer to a service's refusal (nim_portal.api.refusals), whatever the app."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from nim_portal.api.refusals import conflict_answer, refusal_handler
from nim_portal.lifecycle import StaleChange, StaleStatus


class _Stale(ValidationError):
    pass


class _StaleWithVersion(StaleChange):
    pass


@conflict_answer(_StaleWithVersion)
def _stale_with_version_body(stale: _StaleWithVersion, context: dict) -> dict:
    return {"detail": stale.messages[0], "code": "stale_with_version", "version": 3}


@conflict_answer(_Stale)
def _stale_body(stale: _Stale, context: dict) -> dict:
    return {"detail": stale.messages[0], "code": "stale", "version": context["kwargs"]["pk"]}


def answer(exc, **kwargs):
    return refusal_handler(exc, {"view": None, "args": (), "kwargs": kwargs})


def test_field_errors_are_400_under_each_fields_name():
    response = answer(ValidationError({"title": "Enter the title."}))
    assert response.status_code == 400
    assert response.data == {"title": ["Enter the title."]}


def test_other_errors_are_400_in_a_list_under_detail():
    response = answer(ValidationError("Only a draft can be submitted."))
    assert response.status_code == 400
    assert response.data == {"detail": ["Only a draft can be submitted."]}


def test_a_refusal_is_403_and_a_missing_record_404_with_their_message():
    assert answer(PermissionDenied("Only the chair.")).data == {"detail": "Only the chair."}
    assert answer(PermissionDenied("Only the chair.")).status_code == 403
    assert answer(Http404("No such meeting.")).status_code == 404


def test_a_registered_conflict_is_409_with_its_body_numbers_kept():
    response = answer(_Stale("Changed since."), pk=7)
    assert response.status_code == 409
    assert response.data == {"detail": "Changed since.", "code": "stale", "version": 7}


def test_a_status_changed_meanwhile_is_409_like_every_stale_change():
    response = answer(StaleStatus("It is now closed. Reload it.", code="stale_status"))
    assert response.status_code == 409
    assert response.data == {"detail": "It is now closed. Reload it.", "code": "stale_status"}
    moved = answer(StaleChange("Moved by somebody else.", code="stale_meeting"))
    assert (moved.status_code, moved.data["code"]) == (409, "stale_meeting")


def test_a_stale_change_answers_with_the_body_registered_for_its_own_class():
    response = answer(_StaleWithVersion("Changed since.", code="stale"))
    assert response.status_code == 409
    assert response.data == {"detail": "Changed since.", "code": "stale_with_version", "version": 3}


def test_a_refusal_that_is_no_stale_change_stays_400():
    response = answer(ValidationError("The meeting has started.", code="stale_looking"))
    assert response.status_code == 400
    assert response.data == {"detail": ["The meeting has started."]}
