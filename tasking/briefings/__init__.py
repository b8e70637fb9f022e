"""Patrol briefings: what a unit's officers are told at the start of a shift."""
