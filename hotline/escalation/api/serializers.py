"""What the escalation API takes in and gives out."""

from rest_framework import serializers

from hotline.escalation.choices import Severity


class LevelSerializer(serializers.Serializer):
    after_s = serializers.IntegerField(
        min_value=0, help_text="Seconds after the message (cumulative: each level's is larger)."
    )
    targets = serializers.ListField(
        child=serializers.CharField(),
        help_text="organisation, on_duty, supervisors, head, commission_desk, contact_points",
    )
    methods = serializers.DictField(
        child=serializers.IntegerField(min_value=0), help_text="Method → delay in seconds within the level."
    )
    contact_points = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)


class PolicySerializer(serializers.Serializer):
    """A policy as read and as written with PUT (`key`, `severity`, `parties` and the times are read-only)."""

    key = serializers.CharField(read_only=True, help_text="`critical`, or `critical/AL+RS` for an override of a pair.")
    severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    parties = serializers.ListField(child=serializers.CharField(), read_only=True)
    levels = LevelSerializer(many=True)
    repeat_every_s = serializers.IntegerField(min_value=1)
    repeat_count = serializers.IntegerField(min_value=0, allow_null=True, help_text="null: until acknowledged.")
    reply_within_s = serializers.IntegerField(min_value=1)
    acknowledge_within_s = serializers.IntegerField(read_only=True)
    saved = serializers.BooleanField(read_only=True, help_text="false: the built-in default, never edited.")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_by = serializers.CharField(read_only=True)


class AcknowledgeTimerSerializer(serializers.Serializer):
    pass


class PhoneAcknowledgementSerializer(serializers.Serializer):
    answered_by = serializers.CharField(max_length=150, help_text="The username of the person who answered the phone.")


class TimerAcknowledgedSerializer(serializers.Serializer):
    acknowledged = serializers.BooleanField()


class DeliveryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = serializers.CharField()
    to = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    error = serializers.CharField()
    send_after = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class PageEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.IntegerField()
    repeat = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    targets = serializers.ListField(child=serializers.CharField())
    deliveries = DeliveryEntrySerializer(many=True)


class TimerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.DictField()
    clock = serializers.CharField()
    recipient = serializers.CharField()
    sender = serializers.CharField()
    severity = serializers.CharField()
    exercise = serializers.BooleanField()
    state = serializers.CharField()
    policy = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    next_fire_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    stopped_by = serializers.CharField()
    pages = PageEntrySerializer(many=True)


class WaitingEntrySerializer(serializers.Serializer):
    timer = serializers.IntegerField()
    reference = serializers.CharField()
    what = serializers.CharField()
    path = serializers.CharField()
    clock = serializers.CharField()
    severity = serializers.CharField()
    exercise = serializers.BooleanField()
    recipient = serializers.CharField()
    sender = serializers.CharField()
    deadline = serializers.DateTimeField()
    level = serializers.IntegerField()
    repeat = serializers.IntegerField()
    paged_level = serializers.IntegerField(
        allow_null=True, help_text="The level paged last; null before the first page."
    )
    next_fire_at = serializers.DateTimeField(allow_null=True)
    reply = serializers.BooleanField()
    state = serializers.CharField(help_text="running, or exhausted: every level paged, still unacknowledged.")
    sender_name = serializers.CharField(help_text="The sending organisation's name (`sender` is its code).")
    category = serializers.CharField(help_text="What it is, in words (an incident's category).")
    title = serializers.CharField(help_text="Its title: shown to the two organisations it is between.")
    excerpt = serializers.CharField(help_text="The first lines of the message (at most three lines, 280 characters).")
    tlp = serializers.CharField()
    others_told = serializers.ListField(
        child=serializers.CharField(), help_text="The codes of the other organisations it waits on."
    )


class WaitingSerializer(serializers.Serializer):
    to_acknowledge = WaitingEntrySerializer(many=True)
    waiting_for = WaitingEntrySerializer(many=True)
