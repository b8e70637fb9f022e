"""The demo people: one for each role, and a partner (docs/domain.md "Who uses the portal"), in
West Midlands Police; and the people of its neighbour, Staffordshire Police, whose T&CGs work
with it (a chair, an analyst, a reviewer who publishes the analyst's work, and a member)."""

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
    DemoPerson(
        username="staffschair",
        first_name="Mark",
        last_name="Bennett",
        email="mark.bennett@staffordshire.police.example",
        job_title="Superintendent, Staffordshire Police T&CG chair",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.MV,
        role=Role.CHAIR,
        unit_code="STAFFS",
    ),
    DemoPerson(
        username="staffsanalyst",
        first_name="Aisha",
        last_name="Malik",
        email="aisha.malik@staffordshire.police.example",
        job_title="Intelligence analyst, Staffordshire Police",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.SC,
        role=Role.ANALYST,
        unit_code="STAFFS",
    ),
    DemoPerson(
        username="staffsreviewer",
        first_name="Gareth",
        last_name="Lloyd",
        email="gareth.lloyd@staffordshire.police.example",
        job_title="Detective Inspector, Staffordshire Police intelligence manager",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.SC,
        role=Role.REVIEWER,
        unit_code="STAFFS",
    ),
    DemoPerson(
        username="staffsmember",
        first_name="Emma",
        last_name="Price",
        email="emma.price@staffordshire.police.example",
        job_title="Inspector, Stoke-on-Trent neighbourhood policing",
        kind=UserKind.POLICE,
        vetting_level=VettingLevel.RV,
        role=Role.MEMBER,
        unit_code="STAFFS",
    ),
]
