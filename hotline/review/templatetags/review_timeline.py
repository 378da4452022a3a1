"""`{% timeline_link incident %}`: the incident page's link to its timeline for reviewers, shown to those
who may open it (hotline.review.access.may_open_timeline). `incident` is the page's payload
dictionary (incidents.payloads), so the rule reads the organisations' codes it already carries."""

from django import template

from hotline.review.access import may_open_timeline

register = template.Library()


@register.inclusion_tag("review/_timeline_link.html", takes_context=True)
def timeline_link(context, incident: dict) -> dict:
    user = context.get("user")
    participants = {incident["originator"], *incident["recipients"]}
    return {"reference": incident["reference"], "shown": user is not None and may_open_timeline(user, participants)}
