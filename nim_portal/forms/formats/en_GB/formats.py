"""How a date field is filled and read: as its hint says (nim_portal.forms.fields.DATE_HINT,
2026-03-31). A date field shows its value in the first of these formats, so that a form sent
back or opened for a change shows the form its hint gives, not 31/03/2026; the British forms
are still read."""

from django.conf.locale.en_GB.formats import DATE_INPUT_FORMATS as BRITISH

ISO_DATE = "%Y-%m-%d"

DATE_INPUT_FORMATS = [ISO_DATE, *(given for given in BRITISH if given != ISO_DATE)]
