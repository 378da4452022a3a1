"""The reachability checks through the API: what comes in and what goes out.

The answers are built by hotline/reachability/payloads.py (the shapes the event outbox shares); the
serializers below declare those shapes for the OpenAPI schema and render through the payload functions.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.reachability.choices import CheckAnswerMethod, CheckResponseState
from hotline.reachability.models import CHECK_WINDOW_MINUTES_MAX, CHECK_WINDOW_MINUTES_MIN
from hotline.reachability.payloads import check_payload, counts_payload, response_payload


class CheckStartSerializer(serializers.Serializer):
    """POST /api/v1/reachability-checks/: send a check to every checked organisation now."""

    window_minutes = serializers.IntegerField(
        required=False,
        min_value=CHECK_WINDOW_MINUTES_MIN,
        max_value=CHECK_WINDOW_MINUTES_MAX,
        help_text="How long each organisation has to answer; default HOTLINE_CHECK_WINDOW_MINUTES (120).",
    )


class CheckCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Organisations the check was sent to.")
    answered = serializers.IntegerField(help_text="Answered within the window.")
    late = serializers.IntegerField(help_text="Answered after the window.")
    missed = serializers.IntegerField(help_text="Not answered, and the window has closed.")
    pending = serializers.IntegerField(help_text="Not answered yet, within the window.")


# Inline rather than a named enum: its values are those of an incident's acknowledgement method, and two
# components with one set of values under the name `method` cannot be named apart by drf-spectacular.
@extend_schema_field({"type": "string", "enum": [*CheckAnswerMethod.values, None], "nullable": True})
class AnswerMethodField(serializers.CharField):
    pass


class CheckResponseSerializer(serializers.Serializer):
    """One organisation's answer to a check (reachability.payloads.response_payload)."""

    id = serializers.IntegerField()
    organisation = serializers.CharField()
    due_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=CheckResponseState.choices)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.CharField(allow_null=True)
    method = AnswerMethodField(allow_null=True, help_text="How it was answered: console, api, link or phone.")
    seconds_to_answer = serializers.IntegerField(allow_null=True, help_text="From the check to the answer.")

    def to_representation(self, response):
        return response_payload(response, self.context.get("now"))


class CheckSummarySerializer(serializers.Serializer):
    """A check without its counts (reachability.payloads.check_payload), as events carry it."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="CHK-2026-11-24 (a second check that day: CHK-2026-11-24-2).")
    started_at = serializers.DateTimeField()
    started_by = serializers.CharField(help_text="The person's username, or `schedule`.")
    scheduled_for = serializers.DateTimeField(allow_null=True, help_text="The schedule's slot; null when sent by hand.")
    window_minutes = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="The console page of the check.")

    def to_representation(self, check):
        return check_payload(check)


class CheckSerializer(CheckSummarySerializer):
    """A check with its counts."""

    counts = CheckCountsSerializer()

    def to_representation(self, check):
        return {**check_payload(check), "counts": counts_payload(check)}


class CheckDetailSerializer(CheckSerializer):
    """A check with its counts and every organisation's response."""

    responses = CheckResponseSerializer(many=True)

    def to_representation(self, check):
        now = self.context.get("now")
        responses = check.responses.select_related("organisation", "reachability_check").order_by(
            "organisation__party__position", "organisation__code"
        )
        return {
            **super().to_representation(check),
            "responses": [response_payload(response, now) for response in responses],
        }


class CheckAnsweredSerializer(serializers.Serializer):
    check = CheckSummarySerializer()
    response = CheckResponseSerializer()


class OrganisationFiguresSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    party = serializers.CharField()
    checks = serializers.IntegerField(help_text="Closed checks it was sent to, among those covered.")
    answered_within_window = serializers.IntegerField()
    answered_late = serializers.IntegerField()
    missed = serializers.IntegerField()
    within_window_share = serializers.FloatField(allow_null=True, help_text="answered_within_window / checks, 0 to 1.")
    median_seconds_to_answer = serializers.FloatField(
        allow_null=True, help_text="Over the answered ones, late ones too."
    )


class FiguresSerializer(serializers.Serializer):
    last = serializers.IntegerField(help_text="How many of the latest closed checks were asked for.")
    checks = serializers.ListField(
        child=serializers.CharField(), help_text="The references of the checks covered, newest first."
    )
    organisations = OrganisationFiguresSerializer(many=True)


def figures_payload(figure) -> dict:
    median = figure.median_time_to_answer
    return {
        "organisation": figure.organisation.code,
        "party": figure.organisation.party.code,
        "checks": figure.checks,
        "answered_within_window": figure.answered_within_window,
        "answered_late": figure.answered_late,
        "missed": figure.missed,
        "within_window_share": figure.within_window_share,
        "median_seconds_to_answer": median.total_seconds() if median is not None else None,
    }
