"""Console forms of the escalation app: the policy editor (one form per level, one for the rest), the
choice of a pair of parties for an override, and recording an acknowledgement given by phone.

People think in minutes and hours; a policy stores seconds. The forms convert, and leave the rules a
policy must keep (waits that increase, delays shorter than their level's wait) to `Policy.validate()`,
whose messages the editor shows as they are.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms

from accounts.choices import ContactMethod
from accounts.models import ContactPoint, Party, User
from hotline.escalation.choices import Severity, Target
from hotline.escalation.policy import MAX_LEVELS, PAGING_METHODS

METHOD_LABELS = dict(ContactMethod.choices)


def seconds(amount: Decimal, unit: int) -> int:
    return int((amount * unit).to_integral_value(rounding=ROUND_HALF_UP))


def in_units(value: int | None, unit: int):
    """Seconds shown in minutes or hours: a whole number when it divides, else two decimals."""
    if value is None:
        return None
    if value % unit == 0:
        return value // unit
    return (Decimal(value) / unit).quantize(Decimal("0.01"))


# Minutes as people type them, said in their words (Django's: "Ensure this value is greater than or equal to 0.").
AMOUNT_MESSAGES = {
    "invalid": "Give a number of minutes, e.g. 15 or 2.5.",
    "min_value": "Give 0 or more minutes: 0 is at once.",
    "max_digits": "Give at most 7 digits before the decimal point.",
    "max_decimal_places": "Give at most 2 decimal places, e.g. 2.25.",
    "max_whole_digits": "Give at most 7 digits before the decimal point.",
}


def amount_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_digits=9, decimal_places=2, error_messages=AMOUNT_MESSAGES, **kwargs
    )


class LevelForm(forms.Form):
    """One level: when it fires, whom it pages, and by which methods after which delay."""

    after_minutes = amount_field("After (minutes)", help_text="Counted from the message; 0 = at once.")
    targets = forms.MultipleChoiceField(choices=Target.choices, widget=forms.CheckboxSelectMultiple, label="Page")
    contact_points = forms.ModelMultipleChoiceField(
        queryset=ContactPoint.objects.select_related("organisation").order_by("organisation__code", "method", "pk"),
        required=False,
        label="Named contact points",
        help_text="Only with “Named contact points” ticked above.",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for method in PAGING_METHODS:
            self.fields[method.value] = forms.BooleanField(required=False, label=METHOD_LABELS[method])
            self.fields[f"{method.value}_delay"] = amount_field(
                f"{METHOD_LABELS[method]} delay (minutes)",
                required=False,
                initial=0,
                help_text="Sent this long after the level fires, if nobody has acknowledged by then.",
            )

    def has_changed(self):
        # The blank level at the end stays blank (and is skipped) until a wait, a target or a method is
        # given: delays alone do not make a level.
        meaningful = {"after_minutes", "targets", "contact_points", *(method.value for method in PAGING_METHODS)}
        return bool(meaningful & set(self.changed_data))

    def method_fields(self):
        """(checkbox, delay) per method, for the template's table."""
        return [(self[method.value], self[f"{method.value}_delay"]) for method in PAGING_METHODS]

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(method.value) for method in PAGING_METHODS):
            raise forms.ValidationError("Tick at least one way to page at this level.")
        return cleaned

    def level(self) -> dict:
        data = self.cleaned_data
        level = {
            "after_s": seconds(data["after_minutes"], 60),
            "targets": list(data["targets"]),
            "methods": {
                method.value: seconds(data.get(f"{method.value}_delay") or Decimal(0), 60)
                for method in PAGING_METHODS
                if data.get(method.value)
            },
        }
        if data["contact_points"]:
            level["contact_points"] = sorted(point.pk for point in data["contact_points"])
        return level

    @staticmethod
    def initial_for(level: dict) -> dict:
        initial = {
            "after_minutes": in_units(level["after_s"], 60),
            "targets": level["targets"],
            "contact_points": level.get("contact_points", []),
        }
        for method in PAGING_METHODS:
            initial[method.value] = method.value in level["methods"]
            initial[f"{method.value}_delay"] = in_units(level["methods"].get(method.value, 0), 60)
        return initial


class BaseLevelFormSet(forms.BaseFormSet):
    # Django's words are about forms ("Please submit at most 6 forms."); a policy has levels.
    default_error_messages = {
        "missing_management_form": "The form is incomplete (it may come from an older page): reload it and edit again.",
        "too_few_forms": "Add at least one level.",
        "too_many_forms": "A policy has at most %(num)d levels: remove one.",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this level"

    def clean(self):
        super().clean()
        # A damaged form (no management form) already says to reload it: nothing more to say.
        if any(self.errors) or not self.management_form.is_valid():
            return
        if not self.levels():
            raise forms.ValidationError("Add at least one level: a policy pages someone at least once.")

    def levels(self) -> list[dict]:
        """The levels in the order they were typed, without blank and removed ones."""
        # A blank level left blank has no cleaned data (Django skips it); a removed one is not saved.
        return [form.level() for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]


# One blank level at the end, to add a level; "remove" drops one.
LevelFormSet = forms.formset_factory(
    LevelForm,
    formset=BaseLevelFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_LEVELS,
    validate_max=True,
    absolute_max=MAX_LEVELS + 1,
)


class PolicyForm(forms.Form):
    """What follows the last level, and the second clock."""

    repeat_every_minutes = amount_field("Repeat the last level every (minutes)")
    repeat_count = forms.IntegerField(
        min_value=0,
        required=False,
        label="Repeat it how many times",
        help_text="Empty: until acknowledged. 0: do not repeat.",
    )
    reply_within_hours = amount_field(
        "A substantive reply is due within (hours)", help_text="For requests for assistance."
    )

    @staticmethod
    def initial_for(policy: dict) -> dict:
        return {
            "repeat_every_minutes": in_units(policy["repeat_every_s"], 60),
            "repeat_count": policy["repeat_count"],
            "reply_within_hours": in_units(policy["reply_within_s"], 3600),
        }

    def timing(self) -> dict:
        data = self.cleaned_data
        return {
            "repeat_every_s": seconds(data["repeat_every_minutes"], 60),
            "repeat_count": data["repeat_count"],
            "reply_within_s": seconds(data["reply_within_hours"], 3600),
        }


class OverrideForm(forms.Form):
    """Choosing the pair of parties (and the severity) of a new override; the editor opens on it."""

    severity = forms.ChoiceField(choices=list(reversed(Severity.choices)))
    first_party = forms.ModelChoiceField(queryset=Party.objects.all(), to_field_name="code", label="Between")
    second_party = forms.ModelChoiceField(queryset=Party.objects.all(), to_field_name="code", label="and")

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("first_party"), cleaned.get("second_party")
        if first and second and first.pk == second.pk:
            raise forms.ValidationError("An override is for two different parties.")
        return cleaned

    def pair(self) -> str:
        codes = sorted([self.cleaned_data["first_party"].code, self.cleaned_data["second_party"].code])
        return "+".join(codes)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} · {person.get_role_display()}"


class PhoneAcknowledgementForm(forms.Form):
    """Who of the recipient organisation acknowledged on the phone."""

    answered_by = PersonChoiceField(
        queryset=User.objects.none(), label="Acknowledged by phone by", empty_label="— who answered? —"
    )

    def __init__(self, recipient_id: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered_by"].queryset = User.objects.filter(
            organisation_id=recipient_id, is_active=True
        ).order_by("role", "last_name", "username")
