"""The filters of incident lists: one filter set for the console's list (incidents/views.py) and
GET /api/v1/incidents/ (incidents/api/views.py), as NetBox shares one FilterSet between its UI and its
API. Filters narrow what visible_incidents() gives, never widen it.

Values are checked in the filter set's form, so that both callers learn of a bad value the same way
(`is_valid()` and `errors`): the API answers 400 with the field's message, the console ignores it.
"""

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.models import Organisation, Party
from hotline.formats import OFFSET_REQUIRED, is_naive_time
from incidents.choices import Category, Severity, Status, Tlp
from incidents.models import Incident, IncidentRecipient


class IncidentFilterSetForm(forms.Form):
    """Codes that name nothing and times beyond the range of dates are field errors."""

    def clean_party(self):
        code = self.cleaned_data["party"].strip().upper()
        if code and not Party.objects.filter(code=code).exists():
            raise ValidationError("There is no party %(code)r.", params={"code": code})
        return code

    def clean_organisation(self):
        code = self.cleaned_data["organisation"].strip().upper()
        if code and not Organisation.objects.filter(code=code).exists():
            raise ValidationError("There is no organisation %(code)r.", params={"code": code})
        return code

    def clean_updated_since(self):
        value = self.cleaned_data["updated_since"]
        if value is None:
            return None
        if is_naive_time(self.data.get("updated_since")):  # the field would read it as server time
            raise ValidationError(OFFSET_REQUIRED)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 text may carry.
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError("The time lies outside the range of dates.") from None


class IncidentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    tlp = django_filters.ChoiceFilter(choices=Tlp.choices, label="TLP label, e.g. AMBER+STRICT")
    # A choice, not a BooleanFilter: that one ignores a value it cannot read instead of refusing it.
    exercise = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="by_exercise",
        label="true: drills only; false: real incidents only",
    )
    party = django_filters.CharFilter(
        method="by_party", label="Party code, e.g. HR: reported by or to one of its organisations"
    )
    organisation = django_filters.CharFilter(
        method="by_organisation", label="Organisation code, e.g. HR-CERT: reported by or to it"
    )
    updated_since = django_filters.IsoDateTimeFilter(
        method="by_updated_since", label="ISO 8601 time with its offset: changed (or added to) at or after it"
    )

    class Meta:
        model = Incident
        fields = ["status", "category", "severity", "tlp", "exercise", "party", "organisation", "updated_since"]
        form = IncidentFilterSetForm

    def by_updated_since(self, queryset, name, value):
        return queryset.filter(updated_at__gte=value)

    def by_exercise(self, queryset, name, value: str):  # the hint keeps the schema's type a string
        return queryset.filter(exercise=value == "true")

    def by_party(self, queryset, name, value):
        received = IncidentRecipient.objects.filter(organisation__party__code=value).values("incident_id")
        return queryset.filter(Q(originator__party__code=value) | Q(pk__in=received))

    def by_organisation(self, queryset, name, value):
        received = IncidentRecipient.objects.filter(organisation__code=value).values("incident_id")
        return queryset.filter(Q(originator__code=value) | Q(pk__in=received))
