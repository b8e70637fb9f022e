"""django-filter sets of the staff pages and the API. They narrow querysets that a selector has
already limited to what the user may see; they never widen them."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb, Role, UnitKind, VettingLevel
from nim_portal.forms.fields import UnitChoiceField
from nim_portal.jobs import job_kind_choices
from nim_portal.models import AuditEvent, Job, JobState, Membership, Unit, User

# Object types shown in the audit log's filter: the apps whose records the portal audits.
AUDITED_APPS = ("nim_portal", "products", "partners", "tasking")


class UnitFilterChoice(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class PersonFilter(django_filters.FilterSet):
    """People with a role in a unit (or below it), in a role, with a vetting level."""

    unit = UnitFilterChoice(
        queryset=lambda request: access.administered_units(request.user).order_by("path"),
        label="Unit (and the units below it)",
        empty_label="Any unit",
        method="filter_membership",
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, label="Role", empty_label="Any role", method="filter_membership"
    )
    vetting_level = django_filters.ChoiceFilter(
        choices=VettingLevel.choices, label="Vetting", empty_label="Any vetting"
    )
    name = django_filters.CharFilter(label="Name or username", method="filter_name")

    class Meta:
        model = User
        fields = ["name", "unit", "role", "vetting_level"]

    def filter_membership(self, queryset, name, value):
        # Unit and role filter one and the same membership together; applied in filter_queryset.
        return queryset

    def filter_name(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        unit = self.form.cleaned_data.get("unit")
        role = self.form.cleaned_data.get("role")
        if unit or role:
            memberships = Membership.objects.filter(user=OuterRef("pk"))
            if unit:
                memberships = memberships.filter(access.at_or_below(unit))
            if role:
                memberships = memberships.filter(role=role)
            queryset = queryset.filter(Exists(memberships))
        return queryset


def audited_content_types(request):
    return ContentType.objects.filter(app_label__in=AUDITED_APPS).order_by("app_label", "model")


class ContentTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ContentType) -> str:
        return str(obj.name).capitalize()


class ContentTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ContentTypeChoiceField


class AuditEventFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="iexact", label="Username"
    )
    verb = django_filters.ChoiceFilter(
        choices=AuditVerb.choices, label="What was done", empty_label="Anything"
    )
    object_type = ContentTypeFilter(
        field_name="content_type",
        queryset=audited_content_types,
        label="Type of record",
        empty_label="Any type",
    )
    # Ranges on the time itself, from the start of a local day: a filter on the time's date would
    # convert every row's time and could use no index.
    date_from = django_filters.DateFilter(
        method="filter_from", label="From", help_text="For example, 2026-01-31."
    )
    date_to = django_filters.DateFilter(
        method="filter_to", label="To", help_text="For example, 2026-02-28."
    )
    text = django_filters.CharFilter(label="Record", method="filter_text")

    class Meta:
        model = AuditEvent
        fields = ["person", "verb", "object_type", "date_from", "date_to", "text"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of_day(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of_day(value + timedelta(days=1)))

    def filter_text(self, queryset, name, value):
        # Only the names the reader may read are searched: a hidden name must not be guessable.
        value = value.strip()
        return queryset.filter(
            Q(object_repr__icontains=value, record_readable=True) | Q(object_id=value)
        )


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class UnitFilter(django_filters.FilterSet):
    """API filters of the unit list: by kind, active or not, and direct parent."""

    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    is_active = django_filters.BooleanFilter()
    parent = django_filters.NumberFilter(
        method="filter_parent", label="Id of the unit directly above"
    )

    class Meta:
        model = Unit
        fields = ["kind", "is_active", "parent"]

    def filter_parent(self, queryset, name, value):
        parent = Unit.objects.filter(pk=value).values_list("path", "depth").first()
        if parent is None:
            return queryset.none()
        path, depth = parent
        return queryset.filter(path__startswith=path, depth=depth + 1)


class JobFilter(django_filters.FilterSet):
    """The staff's list of jobs: by state and by kind of work."""

    state = django_filters.ChoiceFilter(
        choices=JobState.choices, label="State", empty_label="Any state"
    )
    kind = django_filters.ChoiceFilter(
        choices=job_kind_choices, label="Kind of work", empty_label="Any kind"
    )

    class Meta:
        model = Job
        fields = ["state", "kind"]
