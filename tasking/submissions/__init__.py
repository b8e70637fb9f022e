"""Information partner agencies give the police against the intelligence requirement, its triage
and grading, and the partner's own area (their submissions and their meetings)."""
