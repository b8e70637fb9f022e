"""Safeguards of covert activity: the authority under RIPA or the IPA that covert actions and
collection items record."""
