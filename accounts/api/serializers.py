from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import Theme
from accounts.duty import on_duty
from accounts.models import ContactPoint, DutyShift, Organisation, Party, User


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["code", "name", "kind", "designation_note"]


class PartyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["code", "name", "designation_note"]


class DutyShiftSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.get_full_name")
    username = serializers.CharField(source="person.username")
    role = serializers.CharField(source="person.role")
    phone = serializers.CharField(source="person.phone", help_text="E.164, e.g. +381115550100; empty if none.")
    email = serializers.CharField(source="person.email", help_text="Empty if none.")

    class Meta:
        model = DutyShift
        fields = ["person", "username", "role", "phone", "email", "kind", "starts_at", "ends_at", "is_override"]


class ContactPointSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ContactPoint
        fields = ["id", "organisation", "method", "address", "priority", "languages", "notes", "last_verified_at"]


class OnDutySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    primary = DutyShiftSerializer(many=True)
    backup = DutyShiftSerializer(many=True)
    fallback_contact_points = ContactPointSerializer(many=True)


class OrganisationSerializer(serializers.ModelSerializer):
    party = PartyRefSerializer()
    on_duty_now = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "party", "time_zone", "languages", "on_duty_now"]

    @extend_schema_field(OnDutySerializer)
    def get_on_duty_now(self, organisation):
        return OnDutySerializer(on_duty(organisation, self.context.get("now"))).data


class MeSerializer(serializers.ModelSerializer):
    """The signed-in person and their console preferences."""

    full_name = serializers.CharField(source="get_full_name", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    effective_time_zone = serializers.CharField(
        source="zone_name", read_only=True, help_text="time_zone, or the organisation's when time_zone is empty."
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "organisation", "role", "theme", "time_zone", "effective_time_zone"]
        read_only_fields = ["username", "role"]
        extra_kwargs = {"time_zone": {"help_text": "IANA name such as Europe/Zagreb; empty: the organisation's zone."}}


class PreferencesSerializer(serializers.Serializer):
    """What a person may change of themselves; each field is optional."""

    theme = serializers.ChoiceField(choices=Theme.choices, required=False)
    time_zone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="IANA name such as Europe/Zagreb; empty: the organisation's zone.",
    )


class OrganisationOnDutySerializer(serializers.Serializer):
    """Who is on duty at one organisation now, and whose primary shift begins next."""

    organisation = serializers.CharField(help_text="The organisation's code, e.g. HR-MOD.")
    now = OnDutySerializer(help_text="On duty at `now.at`: primary, backup, else the contact points.")
    next = DutyShiftSerializer(allow_null=True, help_text="The next primary shift to begin; null if none is rostered.")
