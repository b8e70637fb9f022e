"""Demo tasking for `manage.py seed_demo_tasking`: control strategies with ranked, scored priorities
and approved intelligence requirements for West Midlands Police, two of its BCUs (Birmingham
East and Birmingham West) and its neighbour Staffordshire Police, their past and upcoming ST&CG
and TT&CG meetings, the past ones held with their minutes and each TT&CG's published tactical
assessment, Birmingham East's action log with actions in every state, and a sideways request from
the force's TT&CG accepted by Staffordshire's.

Everything goes through the services, as the demo people would do it: the force strategy is set by
the force's ST&CG chair, each BCU's by its own chair, informed by a published strategic assessment
each can read (the force's own; for the BCUs, one of their own, built here through the products
services, since a BCU's people do not read the force's products). The meetings come from the
cadence: the past sittings of the demo units are created for their past cadence slots, the
upcoming ones of every unit by the schedule itself, as Celery beat would. Each past sitting is
then held by its chair (attendance, a decision, minutes, closed with its minutes frozen and
printed); at Birmingham East's, actions are raised, updated by their owners and closed, a problem
profile is commissioned and an issue escalated to the force. Birmingham East's next TT&CG is moved
to later today, ready for the demo `chair` to open on screen.

What is present is left as it is (a person by username, a product or strategy by title in its
unit, a meeting by its cadence slot, a meeting held once it is no longer scheduled): running the
seed again creates nothing. Run after `seed_demo`, `seed_demo_products` and `seed_demo_partners`.

Each concept seeds its own part (tasking.strategy.demo, tasking.meetings.demo,
tasking.actions.demo, tasking.proceedings.demo), with the people of tasking.demo_cast.
"""

from django.db import transaction

from tasking.bids.demo import seed_bids
from tasking.briefings.demo import seed_briefings
from tasking.demo_cast import DemoResult, demo_cast, seed_people
from tasking.meetings.cadence import cadence_policies_default
from tasking.meetings.demo import seed_meetings, seed_ttcg_today
from tasking.proceedings.demo import hold_past_meetings, seed_partner_attendee
from tasking.requests.demo import sideways_business
from tasking.resources.demo import seed_capabilities
from tasking.strategy.demo import seed_strategies


def seed_demo_tasking() -> DemoResult:
    """Create the demo tasking that is missing (each strategy and meeting whole or not at all)."""
    cast = demo_cast()
    result = DemoResult()
    cadence_policies_default()
    people = seed_people(cast, result)
    seed_strategies(cast, people, result)
    seed_meetings(cast, result)
    with transaction.atomic():
        seed_partner_attendee(cast, result)
    hold_past_meetings(cast, people, result, sideways_business(cast))
    with transaction.atomic():
        seed_ttcg_today(cast, result)
    with transaction.atomic():
        seed_capabilities(cast, result)
        seed_bids(cast, result)
    with transaction.atomic():
        seed_briefings(cast, result)
    return result
