"""What the national dataset's meetings did at the table (ProceedingsBuilder, a part of
tasking.national.TaskingBuilder)."""

import datetime
from collections import defaultdict

from django.utils import timezone

from nim_portal.choices import GSCMarking
from nim_portal.models import Job, Unit
from products.choices import ProductKind
from products.national import THEMES, ProductRef
from tasking.actions.choices import ActionStatus, Rag
from tasking.actions.national import ActionPlan
from tasking.meetings.choices import (
    AgendaItemKind,
    Attendance,
    MeetingKind,
    MeetingStatus,
)
from tasking.meetings.models import (
    Meeting,
)
from tasking.proceedings.choices import CommissionKind, EscalationStatus
from tasking.proceedings.minutes_pdf import MINUTES_PDF_JOB
from tasking.proceedings.models import Commission, Decision, Escalation, MinutesVersion
from tasking.proceedings.services import _snapshot_digest

DECISIONS = {
    MeetingKind.TACTICAL: "The tactical assessment's recommendations accepted.",
    MeetingKind.STRATEGIC: "The control strategy and intelligence requirement approved.",
}


class ProceedingsBuilder:
    """Per unit, deepest units first (so that an escalation reaches its parent's minutes): actions
    and their updates, decisions, commissions, escalations, then the frozen minutes. A part of
    tasking.national.TaskingBuilder, whose state it reads and fills."""

    def write_sittings(self, actions: int) -> None:
        """About `actions` actions over the TT&CGs held, and what every sitting did."""
        sittings = {
            unit.pk: [
                m
                for m in self.meetings[unit.pk]
                if m.kind == MeetingKind.TACTICAL and m.status != MeetingStatus.SCHEDULED
            ]
            for unit in self.hierarchy.units
        }
        per_sitting = actions / max(sum(len(s) for s in sittings.values()), 1)
        self.run.progress.stage("Actions and minutes", actions)
        for unit in sorted(self.hierarchy.units, key=lambda u: -u.depth):
            plans = self._actions(unit, sittings[unit.pk], per_sitting)
            self._table(unit)
            self._minutes(unit, sittings[unit.pk], plans)
            self.run.progress.advance(len(plans))

    # Decisions, commissions, escalations.

    def _item(self, meeting: Meeting, kind: str) -> dict:
        return next(item for item in self.agenda[meeting.pk] if item["kind"] == kind)

    def _table(self, unit: Unit) -> None:
        """A decision at every sitting; at a few closed TT&CGs, a profile commissioned or an
        issue escalated to the unit above (decided at its next TT&CG if that was held)."""
        rng = self.rng
        decisions, commissions, escalations = [], [], []
        parent = self.hierarchy.parent(unit)
        parent_sittings = [
            m for m in self.meetings.get(parent.pk, []) if m.kind == MeetingKind.TACTICAL
        ] if parent else []  # fmt: skip
        profiles = sorted(self.products.profiles.get(unit.pk, []), key=lambda r: r.created_at)
        for meeting in self.meetings[unit.pk]:
            if meeting.status == MeetingStatus.SCHEDULED:
                continue
            chair = self.people[meeting.chair_id]
            item_kind = (
                AgendaItemKind.TACTICAL_ASSESSMENT
                if meeting.kind == MeetingKind.TACTICAL
                else AgendaItemKind.CONTROL_STRATEGY
            )
            marking = rng.choice(
                (GSCMarking.OFFICIAL, GSCMarking.OFFICIAL, GSCMarking.OFFICIAL_SENSITIVE)
            )
            decision = {
                "meeting_id": meeting.pk,
                "agenda_item_id": self._item(meeting, item_kind)["id"],
                "text": DECISIONS[meeting.kind],
                "marking": marking if chair.may_read(marking) else GSCMarking.OFFICIAL,
                "escalation_id": None,
                "recorded_by_id": chair.pk,
                "recorded_at": meeting.opened_at + datetime.timedelta(minutes=30),
            }
            decisions.append(decision)
            self.decisions[meeting.pk].append(decision)
            if meeting.status != MeetingStatus.CLOSED or meeting.kind != MeetingKind.TACTICAL:
                continue
            if rng.random() < 0.05:
                commission = self._commission(meeting, profiles)
                if commission is not None:
                    commissions.append(commission)
            if parent_sittings and rng.random() < 0.02:
                escalations.append(self._escalation(meeting, parent, parent_sittings, decisions))
        writer = self.run.writer
        writer.write(Escalation, escalations)
        writer.write(Decision, decisions)
        writer.write(Commission, commissions)
        counts = self.built.counts
        counts["decisions"] += len(decisions)
        counts["commissions"] += len(commissions)
        counts["escalations"] += len(escalations)

    def _commission(self, meeting: Meeting, profiles: list[ProductRef]) -> dict | None:
        """A profile of the unit commissioned at this sitting: one created in the days after
        it that no other sitting commissioned."""
        for ref in profiles:
            if meeting.starts_at <= ref.created_at <= meeting.starts_at + datetime.timedelta(20):
                profiles.remove(ref)
                commission = {
                    "meeting_id": meeting.pk,
                    "agenda_item_id": self._item(meeting, AgendaItemKind.BIDS_AND_COMMISSIONS)[
                        "id"
                    ],
                    "kind": CommissionKind(ref.kind),
                    "product_id": ref.pk,
                    "commissioned_by_id": meeting.chair_id,
                    "commissioned_at": meeting.opened_at + datetime.timedelta(minutes=45),
                }
                self.commissions[meeting.pk].append((commission, ref))
                return commission
        return None

    def _escalation(self, meeting: Meeting, parent: Unit, parent_sittings, decisions) -> dict:
        rng = self.rng
        later = [m for m in parent_sittings if m.starts_at > meeting.closed_at]
        receiving = later[0] if later else None
        escalation = {
            "id": self.run.writer.ids(Escalation, 1)[0],
            "from_unit_id": meeting.unit.pk,
            "from_meeting_id": meeting.pk,
            "agenda_item_id": self._item(meeting, AgendaItemKind.ESCALATIONS)["id"],
            "to_unit_id": parent.pk,
            "receiving_meeting_id": receiving.pk if receiving else None,
            "title": f"{rng.choice(THEMES).capitalize()} reaching beyond {meeting.unit.name}",
            "reason": "The activity is directed from outside the unit: beyond its resources.",
            "marking": GSCMarking.OFFICIAL_SENSITIVE,
            "status": EscalationStatus.RAISED,
            "raised_by_id": meeting.chair_id,
            "raised_at": meeting.opened_at + datetime.timedelta(minutes=60),
            "decision_text": "",
        }
        self.escalations_raised[meeting.pk].append(escalation)
        if receiving is None or receiving.status != MeetingStatus.CLOSED:
            return escalation
        adopted = rng.random() < 0.6
        escalation |= {
            "status": EscalationStatus.ADOPTED if adopted else EscalationStatus.RETURNED,
            "decision_text": "The unit above takes it on."
            if adopted
            else "To be dealt with locally.",
            "decided_by_id": receiving.chair_id,
            "decided_at": receiving.opened_at + datetime.timedelta(minutes=40),
            "owner_unit_id": parent.pk if adopted else meeting.unit.pk,
        }
        decision = {
            "meeting_id": receiving.pk,
            "agenda_item_id": self._item(receiving, AgendaItemKind.ESCALATIONS)["id"],
            "text": escalation["decision_text"],
            "marking": GSCMarking.OFFICIAL,
            "escalation_id": escalation["id"],
            "recorded_by_id": receiving.chair_id,
            "recorded_at": escalation["decided_at"],
        }
        decisions.append(decision)
        self.decisions[receiving.pk].append(decision)
        self.escalations_decided[receiving.pk].append(escalation)
        return escalation

    # Minutes.

    def _minutes(self, unit: Unit, sittings: list[Meeting], plans: list[ActionPlan]) -> None:
        """The minutes of each closed meeting of the unit, frozen as meeting_close freezes them:
        at a TT&CG, the actions reviewed (carried open, raised or closed there); marked at the
        highest of what they record."""
        reviewed: dict[int, list[dict]] = defaultdict(list)
        for plan in plans:
            last = plan.closed_index if plan.closed_index is not None else len(sittings) - 1
            for index in range(plan.raised_index, last + 1):
                reviewed[sittings[index].pk].append(plan.row)
        rows, print_jobs = [], []
        for meeting in self.meetings[unit.pk]:
            if meeting.status != MeetingStatus.CLOSED:
                continue
            content = self._snapshot(meeting, reviewed.get(meeting.pk, []))
            marking = max(meeting.minutes_marking, content["marking"])
            content["marking"] = meeting.minutes_marking = marking
            rows.append(
                {
                    "meeting_id": meeting.pk,
                    "number": meeting.minutes_version,
                    "marking": marking,
                    "content": content,
                    "sha256": _snapshot_digest(content),
                    "frozen_by_id": meeting.chair_id,
                    "frozen_at": meeting.minutes_frozen_at,
                }
            )
        for row, pk in zip(rows, self.run.writer.ids(MinutesVersion, len(rows)), strict=True):
            row["id"] = pk
            print_jobs.append(
                {
                    "kind": MINUTES_PDF_JOB,
                    "object_id": pk,
                    "created_at": row["frozen_at"],
                    "run_after": row["frozen_at"],
                }
            )
        self.run.writer.write(MinutesVersion, rows)
        # As meeting_close asks for it: the PDF's job, for a worker (none runs while seeding).
        self.run.writer.write(Job, print_jobs)
        self.built.counts["minutes versions"] += len(rows)

    def _snapshot(self, meeting: Meeting, actions: list[dict]) -> dict:
        """As tasking.proceedings.selectors.minutes_snapshot takes it."""
        people, units = self.people, self.hierarchy.by_pk
        invitees = sorted(self.invitees[meeting.pk], key=lambda i: people[i["user_id"]].sort_key)
        decisions = sorted(self.decisions[meeting.pk], key=lambda d: d["recorded_at"])
        commissions = self.commissions[meeting.pk]
        raised = self.escalations_raised[meeting.pk]
        titles = {item["id"]: item["title"] for item in self.agenda[meeting.pk]}
        markings = [GSCMarking.OFFICIAL]
        markings += [d["marking"] for d in decisions]
        markings += [ref.marking for _, ref in commissions]
        markings += [e["marking"] for e in raised]
        markings += [a["marking"] for a in actions]
        starts = timezone.localtime(meeting.starts_at)
        kind = MeetingKind(meeting.kind).label
        return {
            "title": f"Minutes of the {kind} of {meeting.unit}, {starts:%d %B %Y}",
            "unit": meeting.unit.name,
            "kind": kind,
            "starts_at": starts.isoformat(),
            "place": meeting.location,
            "chair": people[meeting.chair_id].name,
            "opened_at": meeting.opened_at.astimezone(datetime.UTC).isoformat(),
            "minutes": meeting.minutes,
            "minutes_version": meeting.minutes_version,
            "attendance": [
                {
                    "name": people[i["user_id"]].name,
                    "attendance": Attendance(i["attendance"]).label,
                    "partner": i["is_partner_attendee"],
                }
                for i in invitees
            ],
            "agenda": [
                {"position": i["position"], "title": i["title"], "notes": i["notes"]}
                for i in self.agenda[meeting.pk]
            ],
            "decisions": [
                {
                    "item": titles.get(d["agenda_item_id"], ""),
                    "text": d["text"],
                    "marking": GSCMarking(d["marking"]).label,
                }
                for d in decisions
            ],
            "commissions": [
                {
                    "kind": CommissionKind(c["kind"]).label,
                    "title": f"Product {ref.pk} (need-to-know)"
                    if ref.kind == ProductKind.SUBJECT_PROFILE
                    else ref.title,
                    "owner": people[ref.owner_id].name,
                    "marking": GSCMarking(ref.marking).label,
                }
                for c, ref in commissions
            ],
            "escalations_raised": [
                {
                    "title": e["title"],
                    "to": units[e["to_unit_id"]].name,
                    "reason": e["reason"],
                    "marking": GSCMarking(e["marking"]).label,
                }
                for e in raised
            ],
            "escalations_decided": [
                {
                    "title": e["title"],
                    "from": units[e["from_unit_id"]].name,
                    "status": EscalationStatus(e["status"]).label,
                    "decision": e["decision_text"],
                }
                for e in self.escalations_decided[meeting.pk]
            ],
            "actions": [self._action_line(a, meeting) for a in _in_log_order(actions)],
            "marking": max(markings),
        }

    def _action_line(self, action: dict, meeting: Meeting) -> dict:
        closed = action["closed_at"] is not None and action["closed_at"] <= meeting.closed_at
        owner = (
            self.people[action["owner_user_id"]].name
            if action["owner_user_id"]
            else self.hierarchy.by_pk[action["owner_unit_id"]].name
        )
        return {
            "reference": action["id"],
            "description": action["description"],
            "priority": self.themes[action["priority_id"]],
            "status": (ActionStatus.CLOSED if closed else ActionStatus.OPEN).label,
            "rag": Rag(action["rag"]).label,
            "owner": owner,
            "due": action["due_date"].isoformat(),
            "marking": GSCMarking(action["marking"]).label,
        }


def _in_log_order(actions: list[dict]) -> list[dict]:
    """Open first, then by due date (tasking.actions.selectors.actions_for_meeting)."""
    return sorted(actions, key=lambda a: (a["status"] != ActionStatus.OPEN, a["due_date"], a["id"]))
