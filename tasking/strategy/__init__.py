"""The control strategy of a unit, its priorities scored on the MoRiLE matrix and ranked, and the
intelligence requirement that asks the questions of each priority."""
