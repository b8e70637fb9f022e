"""The kinds of authority covert activity is done under (RIPA 2000 and the IPA 2016)."""

from django.db import models


class AuthorityType(models.TextChoices):
    DIRECTED_SURVEILLANCE = "directed", "Directed surveillance (RIPA Part II)"
    INTRUSIVE_SURVEILLANCE = "intrusive", "Intrusive surveillance (RIPA Part II)"
    CHIS = "chis", "Covert human intelligence source (RIPA Part II)"
    COMMUNICATIONS_DATA = "comms_data", "Communications data (IPA Part 3)"
    EQUIPMENT_INTERFERENCE = "equipment", "Equipment interference (IPA Part 5)"
    INTERCEPTION = "interception", "Targeted interception (IPA Part 2)"
