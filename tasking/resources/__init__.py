"""Tactical capability: each unit's register of the teams and specialist assets it can task, and
the hours of them committed to actions or asked by bids in a TT&CG's cycle."""
