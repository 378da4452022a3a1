"""The forms of the reachability checks page: sending a check now, and the span of the figures."""

from django import forms

from hotline.reachability.figures import FIGURES_OVER, FIGURES_OVER_MAX
from hotline.reachability.models import CHECK_WINDOW_MINUTES_MAX, CHECK_WINDOW_MINUTES_MIN


class StartCheckForm(forms.Form):
    """A commission administrator sends a reachability check now."""

    window_minutes = forms.IntegerField(
        label="Window (minutes)",
        min_value=CHECK_WINDOW_MINUTES_MIN,
        max_value=CHECK_WINDOW_MINUTES_MAX,
        help_text="How long each organisation has to answer before its escalation starts.",
    )


class FiguresForm(forms.Form):
    """Over how many of the latest closed checks the per-organisation figures are computed."""

    last = forms.IntegerField(label="Over the last", min_value=1, max_value=FIGURES_OVER_MAX, required=False)

    def value(self) -> int:
        return (self.cleaned_data.get("last") if self.is_valid() else None) or FIGURES_OVER
