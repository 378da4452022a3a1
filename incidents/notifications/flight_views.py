"""Console pages of drone-flight notifications: the live map and list, the form with its "who will be
notified" check, one flight with its acknowledgements and state, and the border geometry every
notification map draws.

Views check access (incidents.notifications.visibility, .access), validate a form and call one action
(incidents.notifications.actions); flights.js keeps the list, the map and the detail page live. As on the
incident pages, a page with live content takes the organisation's last event id before it reads that
content, so an event committed meanwhile is replayed rather than lost.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.console.views import safe_next
from incidents.notifications import actions, borders, recipients
from incidents.notifications.access import may_acknowledge, may_change, may_file, require
from incidents.notifications.choices import FLIGHT_TRANSITIONS, LIVE_FLIGHT_STATES, DroneCategory, FlightState
from incidents.notifications.flight_forms import VOLUMES_PREFIX, FlightForm, StateForm, VolumeFormSet, add_action_errors
from incidents.notifications.models import BoundaryVersion, DroneFlight, DroneFlightAcknowledgement
from incidents.notifications.payloads import conflicts_of, with_flight_details
from incidents.notifications.rules import km, late_text
from incidents.notifications.visibility import access_flight, visible_flights
from incidents.views import event_baseline

LIST_LENGTH = 200  # the most recent flights; older ones are reached by reference
# The order the operator's buttons appear in, whichever the current state allows.
STATE_BUTTONS = [
    (FlightState.ACTIVATED, "Activate"), (FlightState.COMPLETED, "Mark completed"),
    (FlightState.NON_CONFORMING, "Report non-conforming"), (FlightState.CANCELLED, "Cancel the flight"),
]  # fmt: skip


def map_volumes(flight: DroneFlight, *, highlight: bool = False) -> list[dict]:
    """The flight's volumes as the notification map takes them (flights.js builds the same)."""
    return [
        {
            "id": f"{flight.reference}/{volume.number}",
            "geometry": volume.geometry,
            "state": flight.state,
            "highlight": highlight,
            "label": (
                f"{flight.reference} volume {volume.number} · {flight.organisation.code} · {flight.get_state_display()}"
            ),
        }
        for volume in flight.volumes.all()
    ]


def describe(flight: DroneFlight, conflicts: list[dict], organisation_id, *, acknowledging: bool) -> dict:
    """What a row of the list and the head of the detail page show of a flight, beside the flight."""
    acknowledgements = list(flight.acknowledgements.all())
    mine = next((a for a in acknowledgements if a.organisation_id == organisation_id and a.is_pending), None)
    return {
        "flight": flight,
        "neighbours": [
            {"party": item["party"], "km": km(item["distance_m"]), "cross_border": item["party"] in flight.crosses_into}
            for item in flight.neighbours
        ],
        "conflicts": conflicts,
        "conflicting_flights": sorted({conflict["flight"] for conflict in conflicts}),
        "late": late_text(flight.late_by_s, "hour"),
        "pending": mine if acknowledging else None,
        "acknowledged": sum(1 for a in acknowledgements if not a.is_pending),
        "recipients": len(acknowledgements),
    }


def _page_data(request, **extra) -> dict:
    """What flights.js needs to build rows and volumes from live events as the server renders them."""
    organisation = getattr(request.user, "organisation", None)
    return {
        "organisation": organisation.code if organisation else None,
        "may_acknowledge": may_acknowledge(request.user),
        "detail_url": reverse("notifications:flight", args=["__REF__"]),
        "acknowledge_url": reverse("notifications:flight-acknowledge", args=["__REF__"]),
        "live_states": list(LIVE_FLIGHT_STATES),
        "labels": {"state": dict(FlightState.choices), "category": dict(DroneCategory.choices)},
        **extra,
    }


# --- the list and its map --------------------------------------------------------------------------


@login_required
@require_GET
def flight_list(request):
    """Live flights (planned, activated, non-conforming) by default; `?all=1` adds completed and cancelled ones."""
    baseline = event_baseline(request.user)
    show_all = request.GET.get("all") == "1"
    flights = visible_flights(request.user)
    if not show_all:
        flights = flights.filter(state__in=LIVE_FLIGHT_STATES)
    flights = list(with_flight_details(flights.order_by("-pk"))[:LIST_LENGTH])
    conflicts = conflicts_of(flights, request.user.organisation)
    acknowledging = may_acknowledge(request.user)
    organisation_id = getattr(request.user, "organisation_id", None)
    return render(
        request,
        "notifications/flights/list.html",
        {
            "rows": [
                describe(flight, conflicts[flight.pk], organisation_id, acknowledging=acknowledging)
                for flight in flights
            ],
            "volumes": [volume for flight in flights for volume in map_volumes(flight)],
            "show_all": show_all,
            "may_file": may_file(request.user),
            "last_event_id": baseline,
            "page": _page_data(request, page="list", show_all=show_all, list_url=request.get_full_path()),
        },
    )


# --- filing ------------------------------------------------------------------------------------------


def _with_another_row(data):
    """The submitted data with one more (blank) volume row, up to the most a flight may have."""
    data = data.copy()
    key = f"{VOLUMES_PREFIX}-TOTAL_FORMS"
    try:
        rows = int(data.get(key, 1))
    except ValueError:
        rows = 1
    data[key] = str(min(max(rows, 1) + 1, VolumeFormSet.max_num))
    return data


@login_required
@require_http_methods(["GET", "POST"])
def flight_new(request):
    """The form. "Add another volume" re-renders it with one more row and everything typed kept; a
    refused filing keeps everything too, with each error beside the row and field it concerns."""
    require(may_file(request.user), request.user, "file drone-flight notifications")
    adding = request.method == "POST" and "add_volume" in request.POST
    data = _with_another_row(request.POST) if adding else (request.POST if request.method == "POST" else None)
    flight_form = FlightForm(data)
    volume_formset = VolumeFormSet(data, prefix=VOLUMES_PREFIX)
    problems = []
    filing = request.method == "POST" and not adding
    # Both validated, so that every mistake shows at once.
    if filing and (flight_form.is_valid() & volume_formset.is_valid()):
        given = volume_formset.filled()
        try:
            flight = actions.do_notify_flight(
                request.user,
                aircraft=flight_form.aircraft(),
                purpose=flight_form.cleaned_data["purpose"],
                volumes=[form.volume() for form in given],
            )
        except ValidationError as error:
            problems = add_action_errors(error, flight_form, given)
        else:
            notified = ", ".join(
                flight.acknowledgements.order_by("organisation__code").values_list("organisation__code", flat=True)
            )
            messages.success(request, f"{flight.reference} notified to {notified}.")
            return redirect("notifications:flight", reference=flight.reference)
    return render(
        request,
        "notifications/flights/new.html",
        {
            "flight_form": flight_form,
            "volume_formset": volume_formset,
            "problems": problems,
            "show_errors": filing,
            "can_add": volume_formset.total_form_count() < VolumeFormSet.max_num,
        },
        status=400 if filing else 200,
    )


def _volume_problems(volume_formset) -> list[str]:
    """Every error of the volumes as a sentence naming the volume and the field, for the check."""
    sentences = []
    for index, form in enumerate(volume_formset.forms, 1):
        for name, texts in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            where = f"Volume {index}" + (f", {label[:1].lower()}{label[1:]}" if label else "")
            sentences += [f"{where}: {text}" for text in texts]
    return sentences + list(volume_formset.non_form_errors())


@login_required
@require_POST
def flight_preview(request):
    """Who would be notified if the volumes on the form were filed now: the parties within the buffer
    with their distances, the parties a volume enters, the lateness and the boundary version. Always
    200 with a fragment (htmx swaps only successful answers); nothing is written."""
    require(may_file(request.user), request.user, "file drone-flight notifications")
    volume_formset = VolumeFormSet(request.POST, prefix=VOLUMES_PREFIX)
    if not volume_formset.is_valid():
        return render(request, "notifications/flights/_preview.html", {"problems": _volume_problems(volume_formset)})
    given = volume_formset.filled()
    try:
        assessment = actions.assess_flight(
            [form.volume() for form in given], request.user.organisation, filed_at=timezone.now()
        )
    except ValidationError as error:
        elsewhere = add_action_errors(error, None, given)
        return render(
            request, "notifications/flights/_preview.html", {"problems": _volume_problems(volume_formset) + elsewhere}
        )
    geography = assessment.geography
    codes = [item["party"] for item in geography.neighbours]
    return render(
        request,
        "notifications/flights/_preview.html",
        {
            "neighbours": [
                {
                    "party": item["party"],
                    "km": km(item["distance_m"]),
                    "cross_border": item["party"] in geography.crosses_into,
                }
                for item in geography.neighbours
            ],
            "recipients": [desk.code for desk in recipients.party_desks(codes)]
            + [desk.code for desk in recipients.commission()],
            "late": late_text(assessment.late_by_s, "hour"),
            "notice_hours": assessment.policy["drone_notice_hours"],
            "buffer_km": km(assessment.policy["drone_buffer_m"]),
            "boundary_version": geography.boundary_version,
        },
    )


# --- one flight --------------------------------------------------------------------------------------


def _state_buttons(flight: DroneFlight, awaiting: list[str]) -> list[dict]:
    allowed = FLIGHT_TRANSITIONS[FlightState(flight.state)]
    buttons = []
    for state, label in STATE_BUTTONS:
        if state not in allowed:
            continue
        refused = ""
        if state == FlightState.ACTIVATED and awaiting:
            whose = "its territory" if len(awaiting) == 1 else "their territories"
            refused = f"{' and '.join(awaiting)} must acknowledge first: a volume enters {whose}."
        buttons.append(
            {
                "state": state.value,
                "label": label,
                "refused": refused,
                "needs_report": state == FlightState.NON_CONFORMING,
            }
        )
    return buttons


def _altitude(value: float, unit: str, reference: str) -> str:
    return f"{value:g} {unit} {reference}"


@login_required
@require_GET
def flight_detail(request, reference):
    baseline = event_baseline(request.user)
    user = request.user
    found = access_flight(user, reference)
    # As with_flight_details(), with each recipient's party (the page groups them by party).
    flight = (
        DroneFlight.objects.filter(pk=found.pk)
        .select_related("organisation__party")
        .prefetch_related(
            "volumes",
            Prefetch(
                "acknowledgements", queryset=DroneFlightAcknowledgement.objects.select_related("organisation__party")
            ),
        )
        .get()
    )
    conflicts = conflicts_of([flight], user.organisation)[flight.pk]
    # The other flights of its conflicts, where the user may see them (drawn on the map, linked).
    others = list(
        with_flight_details(_by_references(visible_flights(user), {conflict["flight"] for conflict in conflicts}))
    )
    acknowledgements = list(flight.acknowledgements.all())
    awaiting = sorted(a.organisation.code for a in acknowledgements if a.cross_border and a.is_pending)
    crossing = []
    for code in flight.crosses_into:
        theirs = [a for a in acknowledgements if a.cross_border and a.organisation.party.code == code]
        crossing.append({"party": code, "acknowledged": bool(theirs) and all(not a.is_pending for a in theirs)})
    volumes = [
        {
            "volume": volume,
            "lower": _altitude(volume.lower_value, volume.lower_unit, volume.lower_reference),
            "upper": _altitude(volume.upper_value, volume.upper_unit, volume.upper_reference),
            "area": volume.geometry,
            "area_json": json.dumps(volume.geometry),
        }
        for volume in flight.volumes.all()
    ]
    shown = [
        {"acknowledgement": a, "km": km(a.distance_m) if a.distance_m is not None else ""} for a in acknowledgements
    ]
    changing = may_change(user, flight)
    return render(
        request,
        "notifications/flights/detail.html",
        {
            **describe(flight, conflicts, getattr(user, "organisation_id", None), acknowledging=may_acknowledge(user)),
            "volumes": volumes,
            "acknowledgements": shown,
            "crossing": crossing,
            "awaiting": awaiting,
            "visible_conflicts": {other.reference for other in others},
            "map_volumes": map_volumes(flight, highlight=True)
            + [volume for other in others for volume in map_volumes(other)],
            "may_change": changing,
            "state_buttons": _state_buttons(flight, awaiting) if changing else [],
            "buffer_km": km(flight.policy["drone_buffer_m"]) if flight.policy.get("drone_buffer_m") else None,
            "last_event_id": baseline,
            "page": _page_data(request, page="detail", flight=flight.pk, reference=flight.reference),
        },
    )


def _by_references(queryset, references):
    """The flights of `queryset` named by their references ("DF-2026-00042")."""
    if not references:
        return queryset.none()
    wanted = Q()
    for reference in references:
        _, year, number = reference.split("-")
        wanted |= Q(year=int(year), number=int(number))
    return queryset.filter(wanted)


def _back_to(request, flight: DroneFlight):
    return redirect(safe_next(request, default=reverse("notifications:flight", args=[flight.reference])))


@login_required
@require_POST
def flight_acknowledge(request, reference):
    flight = access_flight(request.user, reference)
    require(may_acknowledge(request.user), request.user, "acknowledge drone flights", flight)
    try:
        actions.do_acknowledge_flight(request.user, flight)
    except actions.NotAwaited as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, f"{flight.reference} acknowledged for {request.user.organisation.code}.")
    return _back_to(request, flight)


@login_required
@require_POST
def flight_state(request, reference):
    flight = access_flight(request.user, reference)
    require(may_change(request.user, flight), request.user, "change this flight's state", flight)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the states offered.")
        return _back_to(request, flight)
    try:
        data = form.cleaned_data
        changed = actions.do_change_flight_state(
            request.user, flight, data["state"], deviation_report=data["deviation_report"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{changed.reference} is now {changed.get_state_display().lower()}.")
    return _back_to(request, flight)


# --- the border geometry -----------------------------------------------------------------------------

# The served body per boundary version: the committed file is about 230 kB, and every map asks for it.
_served: dict[tuple, bytes] = {}


def _collection(boundaries: borders.Boundaries) -> bytes:
    key = (boundaries.version_id, boundaries.sha256)
    body = _served.get(key)
    if body is not None:
        return body
    if boundaries.version_id is None:
        collection = json.loads(borders.COMMITTED_FILE.read_bytes())
    else:
        collection = BoundaryVersion.objects.values_list("geojson", flat=True).get(pk=boundaries.version_id)
    features = []
    for feature in collection["features"]:
        properties = dict(feature.get("properties") or {})
        code = properties.get("code")
        properties.update(code=code, name=properties.get("name") or code, is_party=code in borders.PARTY_CODES)
        features.append({"type": "Feature", "properties": properties, "geometry": feature["geometry"]})
    body = json.dumps(
        {"type": "FeatureCollection", "version": boundaries.version, "features": features}, separators=(",", ":")
    ).encode()
    _served.clear()  # only the active version is asked for
    _served[key] = body
    return body


@login_required
@require_GET
def borders_geojson(request):
    """The active boundary set (the commission's loaded version, else the committed Natural Earth data)
    as a WGS84 FeatureCollection with properties code, name and is_party, and its version. Revalidated
    on every use (a load changes it at once); the ETag makes that a 304 while nothing changed."""
    boundaries = borders.active()
    etag = quote_etag(f"{boundaries.sha256[:32]}-{boundaries.version_id or 0}")
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(_collection(boundaries), content_type="application/geo+json")
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response
