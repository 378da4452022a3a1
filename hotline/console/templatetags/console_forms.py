"""The error summary every console form opens with (console/_error_summary.html): one list of every
problem of the page's forms and formsets, each naming its field and linking to it, so that a person
sees at once what to correct and reaches each field in one step (GOV.UK's error summary pattern).

    {% load console_forms %}
    {% error_summary form %}
    {% error_summary flight_form volume_formset problems row="Volume" %}

Each argument is a form, a formset (its rows named "<row> 1", "<row> 2", …) or a list of sentences that
belong to no field (an action's refusal); None and empty values are skipped.
"""

from django import forms, template

register = template.Library()


def _target(bound_field) -> str:
    """The id of the element a link to this field focuses: the input, or a group's first option."""
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id
    if not auto_id:
        return ""
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"{auto_id}_0" if bound_field.field.choices else auto_id
    return bound_field.id_for_label or auto_id


def _label(bound_field) -> str:
    return str(bound_field.label or bound_field.name).rstrip(":")


def _form_problems(form, where: str = "") -> list[dict]:
    problems = []
    for error in form.non_field_errors():
        problems.append({"label": where, "text": str(error), "target": ""})
    for name, texts in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        label = f"{where}, {_label(bound)[:1].lower()}{_label(bound)[1:]}" if where else _label(bound)
        problems += [{"label": label, "text": str(text), "target": _target(bound)} for text in texts]
    return problems


def collect(*items, row: str = "Row", row_start: int = 1) -> list[dict]:
    """[{label, text, target}] of every problem of `items`, in page order."""
    problems = []
    for item in items:
        if not item:
            continue
        if isinstance(item, forms.BaseFormSet):
            problems += [{"label": "", "text": str(text), "target": ""} for text in item.non_form_errors()]
            for index, form in enumerate(item.forms, row_start):
                problems += _form_problems(form, f"{row} {index}")
        elif isinstance(item, forms.BaseForm):
            problems += _form_problems(item)
        elif isinstance(item, str):
            problems.append({"label": "", "text": item, "target": ""})
        else:
            problems += [{"label": "", "text": str(text), "target": ""} for text in item]
    return problems


@register.inclusion_tag("console/_error_summary.html")
def error_summary(*items, row="Row", row_start=1):
    problems = collect(*items, row=row, row_start=row_start)
    return {"problems": problems, "count": len(problems)}
