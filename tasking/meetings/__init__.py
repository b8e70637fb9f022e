"""ST&CG and TT&CG meetings: their cadence, the schedule that keeps every unit's meetings, who may
read a meeting and who chairs it, invitations (with .ics), reminders and rescheduling."""
