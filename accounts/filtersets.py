import django_filters
from django.db.models import Q

from accounts.choices import ContactMethod, Language, OrganisationKind, PartyKind
from accounts.models import ContactPoint, Organisation, Party


def languages_contain(queryset, name, value):
    # JSON lists: a containment lookup is not portable to SQLite, so match the quoted code in the text.
    return queryset.filter(**{f"{name}__icontains": f'"{value}"'})


class PartyFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PartyKind.choices)

    class Meta:
        model = Party
        fields = ["kind"]


class OrganisationFilterSet(django_filters.FilterSet):
    party = django_filters.CharFilter(field_name="party__code", lookup_expr="iexact", label="Party code, e.g. RS")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    language = django_filters.ChoiceFilter(choices=Language.choices, field_name="languages", method=languages_contain)
    q = django_filters.CharFilter(method="search", label="Search code, name or party")

    class Meta:
        model = Organisation
        fields = ["party", "kind", "language", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(party__name__icontains=value))


class ContactPointFilterSet(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__code", lookup_expr="iexact")
    party = django_filters.CharFilter(field_name="organisation__party__code", lookup_expr="iexact")
    method = django_filters.ChoiceFilter(choices=ContactMethod.choices)
    language = django_filters.ChoiceFilter(choices=Language.choices, field_name="languages", method=languages_contain)

    class Meta:
        model = ContactPoint
        fields = ["organisation", "party", "method", "language"]
