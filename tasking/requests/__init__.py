"""Sideways requests: a T&CG asks the T&CG of a neighbouring unit (a unit of the same kind) for
help, and that T&CG accepts or declines it, each side's decision in its own minutes."""
