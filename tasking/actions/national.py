"""The national dataset's action log (ActionLogBuilder, a part of
tasking.national.TaskingBuilder)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from nim_portal.choices import GSCMarking
from nim_portal.models import Unit
from nim_portal.national import (
    BENCH_MEMBER,
    weighted,
)
from tasking.actions.choices import ActionStatus, ActionType, Rag
from tasking.actions.models import ActionUpdate, TacticalAction
from tasking.meetings.choices import (
    MeetingStatus,
)
from tasking.meetings.models import (
    Meeting,
)

DESCRIPTIONS = (
    "Patrol {place} at the times the analysis shows, for {few} weeks.",
    "Visit the repeat victims of {theme} with crime prevention advice.",
    "Develop the intelligence on {theme} around {place} with partners.",
    "Warrant at the address near {place} linked to {theme}.",
    "Joint visits with the council to premises near {place}.",
    "Brief the ward meeting on what was done about {theme}.",
    "Analyse the calls for service about {theme} near {place}.",
    "Safeguarding referrals for the young people seen around {place}.",
)


UPDATES = (
    ("Started; half of the visits done.", Rag.GREEN),
    ("Delayed: no team available before the due date.", Rag.RED),
    ("Partners have agreed to help; on track.", Rag.GREEN),
    ("Waiting for the warrant to be granted.", Rag.AMBER),
)


OUTCOMES = (
    "Done: no further offences at the addresses visited.",
    "Two arrests; the activity has moved on.",
    "Completed with partners; reviewed at the sitting.",
    "Overtaken by events: closed by the chair.",
)


ACTION_MARKINGS = (
    (GSCMarking.OFFICIAL, 35),
    (GSCMarking.OFFICIAL_SENSITIVE, 55),
    (GSCMarking.SECRET, 10),
)


@dataclass
class ActionPlan:
    row: dict
    raised_index: int  # the unit's sitting that raised it
    closed_index: int | None  # the sitting that closed it (None: still open)


class ActionLogBuilder:
    """Actions raised at the TT&CGs, tied to a priority of the strategy the unit worked under that
    day, updated by their owners and closed at a later sitting; the recent ones still open. A part
    of tasking.national.TaskingBuilder, whose state it reads and fills."""

    def _actions(self, unit: Unit, sittings: list[Meeting], per_sitting: float):
        writer = self.run.writer
        plans: list[ActionPlan] = []
        carry = 0.0
        for index in range(len(sittings)):
            carry += per_sitting
            count, carry = int(carry), carry - int(carry)
            plans += [self._action(unit, sittings, index) for _ in range(count)]
        if unit.pk == self.hierarchy.bench_bcu.pk:
            self._bench_owner(plans)
        for plan, pk in zip(plans, writer.ids(TacticalAction, len(plans)), strict=True):
            plan.row["id"] = pk
        updates = [u for plan in plans for u in self._updates(plan)]
        writer.write(TacticalAction, [plan.row for plan in plans])
        writer.write(ActionUpdate, updates)
        counts = self.built.counts
        counts["actions"] += len(plans)
        counts["actions open"] += sum(1 for p in plans if p.closed_index is None)
        counts["action updates"] += len(updates)
        return plans

    def _action(self, unit: Unit, sittings: list[Meeting], index: int) -> ActionPlan:
        """An action raised at sitting `index` (now and then by the chair between sittings),
        closed one to four sittings later if those were held."""
        rng = self.rng
        meeting = sittings[index]
        chair = self.people[meeting.chair_id]
        marking = weighted(rng, ACTION_MARKINGS)
        if not chair.may_read(marking):
            marking = GSCMarking.OFFICIAL_SENSITIVE
        day = timezone.localtime(meeting.starts_at).date()
        raised_at = meeting.opened_at + datetime.timedelta(minutes=rng.randint(10, 100))
        at_meeting = rng.random() < 0.9 or meeting.status != MeetingStatus.CLOSED
        if not at_meeting:
            raised_at = meeting.closed_at + datetime.timedelta(days=rng.randint(1, 10))
        raised_at = min(raised_at, self.now - datetime.timedelta(minutes=1))
        owners = self.owners_around(unit, marking)
        owner = rng.choice(owners) if owners and rng.random() < 0.8 else None
        lifetime = rng.choice((1, 1, 2, 2, 3, 4))
        closed_index = index + lifetime
        # A few stay open long past their date; the rest close at a later sitting, if held.
        if (
            rng.random() < 0.01
            or closed_index >= len(sittings)
            or sittings[closed_index].status != MeetingStatus.CLOSED
        ):
            closed_index = None
        row = {
            "unit_id": unit.pk,
            "priority_id": self.priority_on(unit, day).pk,
            "action_type": rng.choice(ActionType.values),
            "description": self.writer.fill(rng.choice(DESCRIPTIONS), unit),
            "marking": marking,
            "owner_user_id": owner.pk if owner else None,
            "owner_unit_id": None
            if owner
            else rng.choice([unit, *self.hierarchy.children.get(unit.pk, [])]).pk,
            "due_date": day + datetime.timedelta(days=rng.randint(10, 45)),
            "raised_by_id": chair.pk,
            "raised_at_meeting_id": meeting.pk if at_meeting else None,
            "created_at": raised_at,
            "status": ActionStatus.OPEN,
            "outcome": "",
            "closed_by_id": None,
            "closed_at": None,
            "closed_at_meeting_id": None,
        }
        if closed_index is not None:
            closing = sittings[closed_index]
            row |= {
                "status": ActionStatus.CLOSED,
                "outcome": rng.choice(OUTCOMES),
                "closed_by_id": closing.chair_id,
                "closed_at": closing.opened_at + datetime.timedelta(minutes=rng.randint(5, 90)),
                "closed_at_meeting_id": closing.pk,
                "rag": Rag.GREEN,
            }
        elif row["due_date"] < self.today:
            row["rag"] = rng.choice((Rag.RED, Rag.AMBER))
        else:
            row["rag"] = rng.choice(Rag.values)
        return ActionPlan(row, index, closed_index)

    def _bench_owner(self, plans: list[ActionPlan]) -> None:
        """The bench member owns about fifty of the bench BCU's actions, open and closed."""
        member = self.hierarchy.bench.get(BENCH_MEMBER)
        if member is None:
            return
        readable = [p for p in plans if member.may_read(p.row["marking"])]
        open_ = [p for p in readable if p.closed_index is None]
        closed = [p for p in readable if p.closed_index is not None]
        chosen = self.rng.sample(open_, min(len(open_), 20))
        chosen += self.rng.sample(closed, min(len(closed), 50 - len(chosen)))
        for plan in chosen:
            plan.row["owner_user_id"], plan.row["owner_unit_id"] = member.pk, None

    def _updates(self, plan: ActionPlan) -> list[dict]:
        """The owner's progress updates (a unit's: its chair's), in date order; the action's
        version counts every change and its RAG follows the last update while open."""
        rng = self.rng
        row = plan.row
        author = row["owner_user_id"] or row["raised_by_id"]
        end = row["closed_at"] or self.now
        updates = []
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            text, rag = rng.choice(UPDATES)
            written = row["created_at"] + (end - row["created_at"]) * rng.uniform(0.1, 0.9)
            updates.append(
                {
                    "action_id": row["id"],
                    "author_id": author,
                    "written_at": written,
                    "text": text,
                    "rag": rag,
                }
            )
        updates.sort(key=lambda u: u["written_at"])
        row["version"] = 1 + len(updates) + (1 if row["closed_at"] else 0)
        if updates and row["status"] == ActionStatus.OPEN:
            row["rag"] = updates[-1]["rag"]
        return updates
