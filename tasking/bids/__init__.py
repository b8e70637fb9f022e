"""Bids: the tactical activity officers and units propose to a TT&CG, which the meeting ranks and
accepts (as an action committing capability), declines or defers."""
