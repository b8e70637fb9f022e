"""Every list names a record only to a reader who may read it now (issue 11, acceptance 2).

A distinctive string is planted in a SECRET action, a need-to-know product's title, a subject
profile, a SECRET product and its SECRET section title, a SECRET decision and a SECRET escalation
of a force, created through the services so that they notify, e-mail and index as in use. Readers
of every reach and vetting then read the dashboard, their notifications, the site search, My
actions and each product's history: a planted string appears only where the reader may read its
record, the e-mails carry none, and the readers who may read a record find it.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, UserKind, VettingLevel
from nim_portal.models import Notification, User
from products.choices import ProductKind
from products.models import Product
from tasking.models import TacticalAction
from tasking.proceedings.escalations import escalation_raise
from tasking.proceedings.services import decision_record
from tests.factories import UserFactory, member, product_commissioned
from tests.tasking.factories import action_raised, meeting_sitting, strategy_approved

pytestmark = pytest.mark.django_db

# One word, so that PostgreSQL's full-text search finds it as typed.
CANARY = "CANARY51C9"
ACTION = f"Covert deployment {CANARY} action"
NEED_TO_KNOW = f"Problem {CANARY} need to know"
SUBJECT = f"Subject {CANARY} profile"
SECRET_PRODUCT = f"Assessment {CANARY} secret"
SECTION = f"Sources {CANARY} section"
DECISION = f"Deploy {CANARY} decision"
ESCALATION = f"Firearms {CANARY} escalation"
PLANTED = (ACTION, NEED_TO_KNOW, SUBJECT, SECRET_PRODUCT, SECTION, DECISION, ESCALATION)

# Who may read what, by the access policy (docs/access.md): the owner of the force's products reads
# all of them; a national DV administrator reads what is marked up to TOP SECRET anywhere but no
# need-to-know product; RV vetting stops at OFFICIAL-SENSITIVE; a BCU's people do not read their
# force's records; lapsed vetting and partners read nothing of it.
READS = {
    "force-analyst": set(PLANTED),
    "national-dv": {ACTION, SECRET_PRODUCT, SECTION, DECISION, ESCALATION},
    "force-rv": set(),
    "bcu-analyst": set(),
    "lapsed": set(),
    "force-chair": set(),
    "partner": set(),
}


@pytest.fixture
def planted(hierarchy, django_capture_on_commit_callbacks):
    force = hierarchy.force
    chair = member(force, Role.CHAIR, username="force-chair", vetting_level=VettingLevel.SC)
    analyst = member(force, Role.ANALYST, username="force-analyst", vetting_level=VettingLevel.SC)
    with django_capture_on_commit_callbacks(execute=True):
        strategy = strategy_approved(force, chair=chair)
        action_raised(
            force,
            chair=chair,
            priority=strategy.priorities.first(),
            owner_user=analyst,
            description=ACTION,
            marking=GSCMarking.SECRET,
        )
        for title, fields in (
            (NEED_TO_KNOW, {"need_to_know": True}),
            (SUBJECT, {"kind": ProductKind.SUBJECT_PROFILE}),
            (SECRET_PRODUCT, {"marking": GSCMarking.SECRET}),
        ):
            product_commissioned(force, owner=analyst, requester=chair, title=title, **fields)
        section = Product.objects.get(title=SECRET_PRODUCT).sections.first()
        section.title, section.marking = SECTION, GSCMarking.SECRET
        section.save()
        meeting = meeting_sitting(force, chair=chair)
        decision_record(
            acting_user=chair,
            meeting=meeting,
            agenda_item=None,
            text=DECISION,
            marking=GSCMarking.SECRET,
        )
        escalation_raise(
            acting_user=chair,
            meeting=meeting,
            title=ESCALATION,
            reason="Beyond the force.",
            marking=GSCMarking.SECRET,
        )
    return analyst


@pytest.fixture
def readers(hierarchy, planted):
    lapsed = member(hierarchy.force, Role.ANALYST, username="lapsed", vetting_level=VettingLevel.SC)
    # The chair was told of the products while a reader; their vetting has lapsed since.
    chair = User.objects.get(username="force-chair")
    for person in (lapsed, chair):
        person.vetting_expires_on = timezone.localdate() - datetime.timedelta(days=1)
        person.save()
    return [
        planted,
        member(
            hierarchy.national, Role.ADMIN, username="national-dv", vetting_level=VettingLevel.DV
        ),
        member(hierarchy.force, Role.MEMBER, username="force-rv", vetting_level=VettingLevel.RV),
        member(hierarchy.bcu, Role.ANALYST, username="bcu-analyst", vetting_level=VettingLevel.SC),
        lapsed,
        chair,
        UserFactory(username="partner", kind=UserKind.PARTNER, vetting_level=VettingLevel.NPPV2A),
    ]


def pages_of(client, reader) -> dict[str, str]:
    """What `reader` is shown by each list (a refusal shows nothing)."""
    client.force_login(reader)
    addresses = {
        "dashboard": reverse("dashboard"),
        "notifications": reverse("notifications:list"),
        "site search": f"{reverse('search')}?q={CANARY}",
        "My actions": reverse("tasking:my_actions"),
    }
    for product in Product.objects.filter(title__contains=CANARY):
        addresses[f"history of {product.title}"] = reverse("products:history", args=[product.pk])
    shown = {}
    for name, address in addresses.items():
        response = client.get(address, follow=True)
        assert response.status_code in (200, 403, 404), (reader.username, name)
        shown[name] = response.content.decode() if response.status_code == 200 else ""
    return shown


def test_the_policy_agrees_with_the_expected_readers(readers):
    product_titles = {NEED_TO_KNOW, SUBJECT, SECRET_PRODUCT}
    for reader in readers:
        products = set(Product.objects.visible_to(reader).values_list("title", flat=True))
        actions = TacticalAction.objects.visible_to(reader).values_list("description", flat=True)
        expected = READS[reader.username]
        assert products & product_titles == expected & product_titles, reader.username
        assert (ACTION in set(actions)) is (ACTION in expected), reader.username


def test_every_list_names_a_record_only_to_a_reader_who_may_read_it(client, readers):
    for reader in readers:
        for page, content in pages_of(client, reader).items():
            for name in PLANTED:
                if name in content:
                    assert name in READS[reader.username], (reader.username, page, name)
        client.logout()


def test_the_readers_who_may_read_a_record_find_it(client, readers):
    owner = readers[0]
    shown = pages_of(client, owner)
    assert {NEED_TO_KNOW, SUBJECT, SECRET_PRODUCT} <= {
        name for name in PLANTED if name in shown["site search"]
    }
    assert ACTION in shown["site search"] + shown["My actions"]
    shown = pages_of(client, readers[1])
    assert SECRET_PRODUCT in shown["site search"]
    assert shown[f"history of {SECRET_PRODUCT}"], "an administrator over the unit reads its history"
    assert not shown[f"history of {NEED_TO_KNOW}"], "but not a need-to-know product's"


def test_notifications_and_e_mails_carry_no_planted_text(readers):
    assert mail.outbox, "the planted records were expected to e-mail someone"
    for email in mail.outbox:
        assert CANARY not in email.subject + email.body
    assert Notification.objects.filter(recipient__username="force-chair").exists()
    assert not Notification.objects.filter(message__contains=CANARY).exists()
