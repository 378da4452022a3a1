// Drone-flight pages, live. The list (its map and its rows) and one flight follow the drone_flight.*
// events that console.js delivers once each as "hotline:event" (detail = the event: its `type` and,
// beside it, `drone_flight`, the payload of incidents/notifications/payloads.py). Rows are built here
// from that payload as notifications/flights/_row.html renders them, with console.js's helpers
// (window.Hotline): textContent only, user text never becomes markup. The form page gets a map for each
// added volume when its row's map is opened.
(function () {
  "use strict";

  const Hotline = window.Hotline;
  const { el, when } = Hotline;
  const tickCountdowns = Hotline.countdowns;

  // --- the form: one map per volume, the first drawn at once, the others when opened -----------
  document.querySelectorAll("details.volume-map").forEach((details) => {
    details.addEventListener("toggle", () => {
      const element = details.querySelector("[data-flight-map-lazy]");
      if (!details.open || !element || element.hotlineMap || !Hotline.map) return;
      Hotline.map.create(element, { bordersUrl: element.dataset.bordersUrl, editor: element.dataset.editor });
    });
  });

  const holder = document.getElementById("flights-page-data");
  if (!holder) return;
  const page = JSON.parse(holder.textContent);
  const labels = page.labels;
  const organisation = document.body.dataset.organisation || page.organisation;
  const time = (iso) => el("time", { datetime: iso }, when(iso));
  const km = (metres) => (metres / 1000).toFixed(1) + " km";
  const withReference = (template, reference) => template.replace("__REF__", encodeURIComponent(reference));
  const stateLabel = (state) => labels.state[state] || state;

  // The flight's own events only: drone_flight.notified, .acknowledged, .state_changed, .conflict.
  function flightOf(event) {
    const kind = String(event.type || event.kind || "");
    if (!kind.startsWith("drone_flight.")) return null;
    return event.drone_flight || (event.payload && event.payload.drone_flight) || null;
  }

  function mapOf(element) {
    if (!element) return null;
    if (element.hotlineMap) return element.hotlineMap;
    if (!Hotline.map) return null;
    const holder = element.dataset.volumes && document.getElementById(element.dataset.volumes);
    return Hotline.map.create(element, {
      bordersUrl: element.dataset.bordersUrl, fit: element.dataset.fit || null,
      volumes: holder ? JSON.parse(holder.textContent) : [],
    });
  }

  // As flight_views.map_volumes() writes them.
  function volumesOf(flight, highlight) {
    return flight.volumes.map((volume) => ({
      id: flight.reference + "/" + volume.number,
      geometry: volume.polygon || volume.circle,
      state: flight.state,
      highlight: Boolean(highlight),
      label: flight.reference + " volume " + volume.number + " · " + flight.organisation + " · " + stateLabel(flight.state),
    }));
  }

  const ourPending = (flight) => page.may_acknowledge && flight.acknowledgements.find((a) => a.organisation === organisation && !a.acknowledged_at);

  function acknowledgeForm(flight, next) {
    return el("form", { method: "post", action: withReference(page.acknowledge_url, flight.reference), class: "ack-form" },
      el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: Hotline.csrfToken() }),
      next ? el("input", { type: "hidden", name: "next", value: next }) : null,
      el("button", { type: "submit", "data-testid": "acknowledge" }, "Acknowledge"));
  }

  // --- the list and its map ----------------------------------------------------------------------
  function listPage() {
    const rows = document.getElementById("flight-rows");
    const empty = document.getElementById("no-flights");
    const mapElement = document.getElementById("flights-map");
    // The state each flight's volumes are drawn in: a repeat of the same state (an acknowledgement)
    // does not redraw, so only what changed pulses.
    const drawn = new Map();
    rows.querySelectorAll("tr[data-flight]").forEach((row) => drawn.set(row.dataset.flight, row.dataset.state));
    const belongs = (flight) => page.show_all || page.live_states.includes(flight.state);

    function draw(flight) {
      const map = mapOf(mapElement);
      if (!map) return;
      if (!belongs(flight)) {
        flight.volumes.forEach((volume) => map.removeVolume(flight.reference + "/" + volume.number));
        drawn.delete(flight.reference);
        return;
      }
      if (drawn.get(flight.reference) === flight.state) return;
      volumesOf(flight, false).forEach((volume) => map.addVolume(volume));
      drawn.set(flight.reference, flight.state);
    }

    function row(flight) {
      const pending = ourPending(flight);
      const conflicting = Array.from(new Set(flight.conflicts_with.map((conflict) => conflict.flight))).sort();
      const given = flight.acknowledgements.filter((a) => a.acknowledged_at).length;
      const neighbours = flight.neighbours_within_buffer.length
        ? flight.neighbours_within_buffer.map((item) => item.party + " " + km(item.distance_m)).join(", ")
        : el("span", { class: "muted" }, "none within the buffer");
      return el("tr", { class: "flight", "data-flight": flight.reference, "data-state": flight.state, "data-testid": "flight-" + flight.reference },
        el("td", {}, el("a", { href: withReference(page.detail_url, flight.reference) }, flight.reference)),
        el("td", { "data-field": "operator" }, flight.organisation),
        el("td", { "data-field": "aircraft" },
          flight.aircraft.type + " · " + (labels.category[flight.aircraft.category] || flight.aircraft.category) + " · " + String(Number(flight.aircraft.mtom_kg)) + " kg",
          flight.aircraft.armed ? " · " : null, flight.aircraft.armed ? el("span", { class: "armed" }, "ARMED") : null),
        el("td", { "data-field": "state" }, el("span", { class: "flight-state state-" + flight.state }, stateLabel(flight.state))),
        el("td", { "data-field": "window" }, time(flight.start), " – ", time(flight.end)),
        el("td", { "data-field": "neighbours" }, neighbours),
        el("td", { "data-field": "flags" },
          flight.crosses_into.length ? el("span", { class: "cross-border", "data-testid": "cross-border", title: "A volume enters this territory: its acknowledgement is needed before activation" }, "CROSS-BORDER " + flight.crosses_into.join(", ")) : null,
          conflicting.length ? " " : null,
          conflicting.length ? el("span", { class: "conflict-flag", "data-testid": "conflict" }, "⚠ conflicts with " + conflicting.join(", ")) : null,
          flight.late_by_text ? " " : null,
          flight.late_by_text ? el("span", { class: "late-flag", "data-testid": "late" }, flight.late_by_text) : null),
        el("td", { "data-field": "acknowledgement" }, ...(pending
          ? [el("span", { class: "countdown", "data-due": pending.due_at }, "due " + when(pending.due_at)), " ", acknowledgeForm(flight, page.list_url)]
          : [el("span", { class: "muted", "data-testid": "acknowledged-count" }, given + "/" + flight.acknowledgements.length + " acknowledged")])));
    }

    function show(flight) {
      const existing = rows.querySelector('tr[data-flight="' + CSS.escape(flight.reference) + '"]');
      if (!existing && !belongs(flight)) return;
      const fresh = row(flight);
      if (existing) existing.replaceWith(fresh); // in place: a row does not jump under the pointer
      else rows.prepend(fresh); // newest first, as the server orders them
      if (empty) empty.hidden = true;
      tickCountdowns();
    }

    document.addEventListener("hotline:event", (domEvent) => {
      const flight = flightOf(domEvent.detail || {});
      if (!flight) return;
      draw(flight);
      show(flight);
    });
  }

  // --- one flight --------------------------------------------------------------------------------
  // The server renders the acknowledgements, state buttons and conflicts; on an event for this flight
  // the page reads them again and swaps in the parsed sections (our own escaped HTML, parsed, never
  // assigned as markup). Not while the person is leaving the page or typing a deviation report.
  const LIVE_SECTIONS = ["flight-state", "flight-meta", "flight-recipients", "flight-conflicts", "flight-actions"];

  function detailPage() {
    const mapElement = document.querySelector('#flight-page [data-notification-map]');
    let state = null;
    let leaving = false;
    let again = false;
    let reading = null;
    document.addEventListener("submit", () => { leaving = true; });

    function busy(section) {
      const report = section.querySelector("textarea");
      return (report && report.value.trim()) || section.contains(document.activeElement);
    }

    function reread() {
      if (reading) { again = true; return; }
      reading = fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then((response) => (response.ok ? response.text() : Promise.reject(new Error("HTTP " + response.status))))
        .then((html) => {
          if (leaving) return;
          const fresh = new DOMParser().parseFromString(html, "text/html");
          LIVE_SECTIONS.forEach((id) => {
            const current = document.getElementById(id);
            const replacement = fresh.getElementById(id);
            if (!current || !replacement || (id === "flight-actions" && busy(current))) return;
            current.replaceWith(document.importNode(replacement, true));
          });
          tickCountdowns();
        })
        .catch((error) => console.warn("drone flight: could not refresh the page", error))
        .finally(() => {
          reading = null;
          if (again) { again = false; reread(); }
        });
    }

    document.addEventListener("hotline:event", (domEvent) => {
      const flight = flightOf(domEvent.detail || {});
      if (!flight || flight.id !== page.flight) return;
      const map = mapOf(mapElement);
      if (map && state !== null && flight.state !== state) volumesOf(flight, true).forEach((volume) => map.addVolume(volume));
      state = flight.state;
      reread();
    });
    const badge = document.getElementById("flight-state");
    state = badge ? badge.dataset.state : null;
  }

  if (page.page === "list") listPage();
  if (page.page === "detail") detailPage();
})();
