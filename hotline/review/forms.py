"""The review's period, as every review page reads it from its query string.

- `period` names a preset (this month, last month, last 30 days — the default —, last quarter, a year)
  or "custom"; without it, `since` and `until` make a custom period.
- `since` and `until` are dates as a person types them (YYYY-MM-DD, both days included: until 30 Nov is
  up to 1 Dec 00:00) or RFC 3339 instants, as the pages' own links carry them (until excluded). Dates are
  days of the service's time zone, as the presets' (hotline.review.figures.Period).
- `exercise` is "false" (real traffic, the default) or "true" (EXERCISE traffic): never both at once.

The dates read as the compliance API reads them (figures.period_from); a period is at most
figures.LONGEST_PERIOD long and lies between MIN_YEAR and MAX_YEAR; anything else is a readable
error of the form (the page answers 400), never a server error.
"""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from hotline.review.figures import DEFAULT_PRESET, LONGEST_PERIOD, MAX_YEAR, MIN_YEAR, PRESETS, Period, period_bound

CUSTOM = "custom"
TRAFFIC = [("false", "Real traffic"), ("true", "EXERCISE traffic")]


class BoundField(forms.Field):
    """A date or an RFC 3339 instant (see the module's docstring); `end`: the date's day is included."""

    def __init__(self, *, end: bool, **kwargs):
        self.end = end
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        try:
            if len(text) > 40:
                raise ValueError
            return period_bound(text, self.label or "", end=self.end)
        except ValueError:
            raise forms.ValidationError(
                "%(value)s is not a date: write it as YYYY-MM-DD (e.g. 2026-11-30), between %(low)s and %(high)s.",
                params={"value": text[:40], "low": MIN_YEAR, "high": MAX_YEAR},
            ) from None


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        required=False,
        choices=[*PRESETS.items(), (CUSTOM, "From – to")],
        error_messages={"invalid_choice": "%(value)s is not a period the review knows: pick one from the list."},
    )
    since = BoundField(end=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = BoundField(end=True, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    exercise = forms.ChoiceField(
        required=False,
        choices=TRAFFIC,
        widget=forms.RadioSelect,
        label="Traffic",
        error_messages={"invalid_choice": "%(value)s: traffic is real (false) or EXERCISE (true)."},
    )

    def __init__(self, data=None, *, now: datetime | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.now = now or timezone.now()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        exercise = data.get("exercise") == "true"
        preset = data.get("period") or ""
        since, until = data.get("since"), data.get("until")
        if preset == CUSTOM or (not preset and (since or until)):
            if not since or not until:
                raise forms.ValidationError("A period from – to needs both dates.")
            if until <= since:
                raise forms.ValidationError(
                    "The period ends before it begins: the second date must not be before the first."
                )
            if until - since > LONGEST_PERIOD:  # as the compliance API (figures.period_from)
                raise forms.ValidationError(f"A period is at most {LONGEST_PERIOD.days} days: choose a shorter one.")
            data["preset"] = CUSTOM
            data["period_value"] = Period(since=since, until=until, exercise=exercise)
        else:
            data["preset"] = preset or DEFAULT_PRESET
            data["period_value"] = Period.preset(data["preset"], self.now, exercise)
        return data

    @property
    def chosen(self) -> Period:
        return self.cleaned_data["period_value"]

    def shown(self) -> "PeriodForm":
        """The form as the page shows it once the period is chosen: the preset and the period's dates."""
        period = self.chosen
        preset = self.cleaned_data["preset"]
        if preset == CUSTOM:  # a link's instants that are a preset's (a drill-down from it) show as that preset
            preset = next(
                (name for name in PRESETS if Period.preset(name, self.now, period.exercise) == period), CUSTOM
            )
        zone = timezone.get_default_timezone()
        last_day = timezone.localtime(period.until - timedelta(microseconds=1), zone).date()
        return PeriodForm(
            initial={
                "period": preset,
                "since": timezone.localtime(period.since, zone).date().isoformat(),
                "until": last_day.isoformat(),
            }
        )
