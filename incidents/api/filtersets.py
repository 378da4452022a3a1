"""Filters of GET /api/v1/incidents/. They narrow what visible_incidents() gives, never widen it."""

from datetime import UTC

import django_filters
from django.db.models import Q
from rest_framework.exceptions import ValidationError

from accounts.models import Organisation, Party
from incidents.choices import Category, Severity, Status, Tlp
from incidents.models import Incident, IncidentRecipient


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
        method="by_updated_since", label="ISO 8601 time: changed (or added to) at or after it"
    )

    class Meta:
        model = Incident
        fields = ["status", "category", "severity", "tlp", "exercise", "party", "organisation", "updated_since"]

    def by_updated_since(self, queryset, name, value):
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 text may carry.
        try:
            value = value.astimezone(UTC)
        except OverflowError:
            raise ValidationError({name: ["The time lies outside the range of dates."]}) from None
        return queryset.filter(updated_at__gte=value)

    def by_exercise(self, queryset, name, value):
        return queryset.filter(exercise=value == "true")

    def by_party(self, queryset, name, value):
        code = value.strip().upper()
        if not Party.objects.filter(code=code).exists():
            raise ValidationError({name: [f"There is no party {code!r}."]})
        received = IncidentRecipient.objects.filter(organisation__party__code=code).values("incident_id")
        return queryset.filter(Q(originator__party__code=code) | Q(pk__in=received))

    def by_organisation(self, queryset, name, value):
        code = value.strip().upper()
        if not Organisation.objects.filter(code=code).exists():
            raise ValidationError({name: [f"There is no organisation {code!r}."]})
        received = IncidentRecipient.objects.filter(organisation__code=code).values("incident_id")
        return queryset.filter(Q(originator__code=code) | Q(pk__in=received))
