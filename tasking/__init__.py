"""Tasking and co-ordination: one package for each concept, one Django app (label "tasking").

- `tasking.strategy`: the control strategy, its priorities scored on the MoRiLE matrix, and the
  intelligence requirement;
- `tasking.meetings`: the ST&CG and TT&CG meetings, their cadence, the schedule that keeps them,
  invitations (with .ics) and reminders;
- `tasking.actions`: the action log, each action tied to a priority and raised or closed at a
  meeting;
- `tasking.proceedings`: running a meeting: its page and shared screen, attendance (partners'
  included), agenda, decisions, minutes, commissions and escalations;
- `tasking.submissions`: information partner agencies give against the intelligence requirement,
  its triage, and the partner's area.

They depend one way, each on those before it only: strategy <- meetings <- actions <- proceedings
<- submissions (`make lint` checks it). Each holds the same homes as it needs: choices, models,
policy (who may do what, on nim_portal.access), selectors, services, forms, views, api, urls,
search, demo, national. What belongs to the app as a whole stays here: `models` (every model, for
Django and the migrations), `urls` and `api.urls` (every page and endpoint), `tasks` (Celery beat's
work), `apps`, `admin`, `templatetags`, `search` (what the concepts' searches share), and `demo`,
`demo_cast` and `national` (the data sets, seeded concept by concept).
"""
