"""Form fields and hints that the forms of every app share."""

from django import forms
from django.forms.models import ModelChoiceIterator

from nim_portal.models import Unit, User

# How every date field is filled and shown (nim_portal.forms.formats: the first input format).
DATE_HINT = "For example, 2026-03-31."


class UnitChoiceField(forms.ModelChoiceField):
    """A unit by name and code; an inactive one says so."""

    def label_from_instance(self, obj: Unit) -> str:
        inactive = "" if obj.is_active else " (inactive)"
        return f"{obj.name} ({obj.code}){inactive}"


PERSON_LABEL_FIELDS = ("pk", "username", "first_name", "last_name")


class _NamesOnly(ModelChoiceIterator):
    """The choices read only what their labels show: a select may list hundreds of people."""

    def __init__(self, field):
        super().__init__(field)
        if self.queryset is not None:
            self.queryset = self.queryset.only(*PERSON_LABEL_FIELDS)


class PersonChoiceField(forms.ModelChoiceField):
    """A police colleague, by name and username. The chosen person is read whole."""

    iterator = _NamesOnly

    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username
