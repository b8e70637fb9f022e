"""Running a meeting: its page and shared screen, attendance (partner attendees included), the
agenda, decisions, minutes and their PDF, the profiles it commissions and the issues it
escalates."""
