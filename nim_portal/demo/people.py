"""The six demo people: one for each role, and a partner (docs/domain.md "Who uses the portal")."""

from typing import NamedTuple

from nim_portal.choices import Role, UserKind, VettingLevel


class DemoPerson(NamedTuple):
    username: str
    first_name: str
    last_name: str
    email: str
    job_title: str
    kind: str
    vetting_level: str
    role: str | None  # the police role held; partners hold none
    unit_code: str | None  # code of the unit the role is held in
    is_staff: bool = False


DEMO_PEOPLE: list[DemoPerson] = [
    DemoPerson(
        username="admin",
        first_name="Helen",
        last_name="Carter",
        email="helen.carter@nim.police.example",
        job_title="National systems administrator",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.MV,
        role=Role.ADMIN,
        unit_code="UK",
        # The Django admin needs is_staff; superuser powers (new roots, the vetting table) are
        # kept for the people who run the installation.
        is_staff=True,
    ),
    DemoPerson(
        username="analyst",
        first_name="Priya",
        last_name="Sharma",
        email="priya.sharma@wmp.police.example",
        job_title="Intelligence analyst",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.MV,
        role=Role.ANALYST,
        unit_code="WMP",
    ),
    DemoPerson(
        username="reviewer",
        first_name="David",
        last_name="Okafor",
        email="david.okafor@wmp.police.example",
        job_title="Detective Inspector, senior intelligence officer",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.SC,
        role=Role.REVIEWER,
        unit_code="WMP",
    ),
    DemoPerson(
        username="chair",
        first_name="Sarah",
        last_name="Whitfield",
        email="sarah.whitfield@wmp.police.example",
        job_title="Chief Inspector, Birmingham East TT&CG chair",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.MV,
        role=Role.CHAIR,
        unit_code="WMP-BE",
    ),
    DemoPerson(
        username="member",
        first_name="Tom",
        last_name="Hughes",
        email="tom.hughes@wmp.police.example",
        job_title="Police Sergeant, neighbourhood policing team",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.RV,
        role=Role.MEMBER,
        unit_code="WMP-BE",
    ),
    DemoPerson(
        username="partner",
        first_name="Rachel",
        last_name="Green",
        email="rachel.green@birmingham.council.example",
        job_title="Community safety officer, Birmingham City Council",
        kind=UserKind.PARTNER,
        vetting_level=VettingLevel.NPPV2A,
        role=None,
        unit_code=None,
    ),
]
