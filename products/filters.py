"""The product register's filters. They narrow a queryset that products.selectors has already
limited to what the user may see; they never widen it."""

import django_filters
from django import forms
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.filters import UnitFilterChoice
from nim_portal.forms.fields import DATE_HINT
from products.choices import ProductKind, ProductStatus
from products.models import Product
from products.selectors import overdue_q, units_in_scope


class ProductFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=ProductKind.choices, label="Kind", empty_label="Any kind"
    )
    status = django_filters.ChoiceFilter(
        choices=ProductStatus.choices, label="Status", empty_label="Any status"
    )
    unit = UnitFilterChoice(
        queryset=lambda request: units_in_scope(request.user).order_by("path"),
        label="Unit (and the units below it)",
        empty_label="Any unit",
        method="filter_unit",
    )
    marking = django_filters.ChoiceFilter(
        choices=GSCMarking.choices, label="Marking", empty_label="Any marking"
    )
    # A username, not a list of people: over the national register such a list held thousands
    # of names and cost more than the page itself.
    owner = django_filters.CharFilter(
        field_name="owner__username",
        lookup_expr="iexact",
        label="Owner's username",
        help_text="For example, jsmith.",
        max_length=150,
    )
    due_from = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label="Due from", help_text=DATE_HINT
    )
    due_to = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label="Due by", help_text=DATE_HINT
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.OrderingFilter(
        fields=(("due_date", "due"), ("updated_at", "updated")),
        field_labels={"due_date": "Due date", "updated_at": "Last updated"},
        label="Sort by",
        empty_label="Best match when searching, then newest",
    )

    class Meta:
        model = Product
        fields = ["kind", "status", "unit", "marking", "owner", "due_from", "due_to", "overdue"]

    @property
    def sorted_by_reader(self) -> bool:
        """Whether the reader chose an order (a search then keeps it instead of ranking)."""
        return self.is_valid() and bool(self.form.cleaned_data.get("sort"))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(access.at_or_below(value))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(overdue_q(timezone.localdate()))
