// Incident pages, live: the list (new and changed incidents, what waits for our acknowledgement) and
// one incident (its thread and acknowledgements). console.js delivers each event once, as
// "hotline:event" with the event as detail; this script builds the same elements the server renders,
// from the event's payload, with console.js's helpers (window.Hotline): textContent only, user text
// never becomes markup.
(function () {
  "use strict";

  const dataHolder = document.getElementById("incidents-page-data");
  if (!dataHolder) return;
  const page = JSON.parse(dataHolder.textContent);
  const labels = page.labels;
  const { el, when, whenWithUtc } = window.Hotline;
  // A time with UTC beside it, as the templates' local_and_utc filter writes it.
  const at = (iso, options) => el("time", { datetime: iso }, whenWithUtc(iso, options));
  const SECONDS = { seconds: true };

  const detailUrl = (reference) => page.detail_url.replace("__REF__", encodeURIComponent(reference));
  const acknowledgeUrl = (reference) => page.acknowledge_url.replace("__REF__", encodeURIComponent(reference));
  const tlpBadge = (tlp) => el("span", { class: "tlp tlp-" + tlp.replace("+", ""), "data-testid": "tlp", title: "Traffic Light Protocol 2.0" }, "TLP:" + tlp);
  const exerciseBadge = (exercise) => (exercise ? el("span", { class: "exercise-badge", "data-testid": "exercise-badge", title: "A drill, not a real event" }, "EXERCISE") : null);
  const withheld = (incident) => el("em", { class: "withheld" }, "content withheld (TLP:" + incident.tlp + ")");

  function acknowledgeForm(reference, number, next) {
    return el("form", { method: "post", action: acknowledgeUrl(reference), class: "ack-form" },
      el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: page.csrf_token }),
      el("input", { type: "hidden", name: "message", value: String(number) }),
      next ? el("input", { type: "hidden", name: "next", value: next }) : null,
      el("button", { type: "submit" }, "Acknowledge"));
  }

  // Countdowns (.countdown[data-due]) are the console shell's (console.js): it ticks them every second.
  const tickCountdowns = window.Hotline.countdowns;

  const ours = (acknowledgement) => acknowledgement.organisation === page.organisation;

  // --- the list ----------------------------------------------------------------------------------
  function listPage() {
    const rows = document.getElementById("incident-rows");
    const empty = document.getElementById("no-incidents");
    const awaitingBox = document.querySelector('[data-testid="awaiting"]');
    const awaitingList = document.getElementById("awaiting-list");
    const filters = page.filters || {};
    const here = location.pathname + location.search;

    function matches(incident) {
      for (const field of ["status", "category", "severity", "tlp"]) {
        if (filters[field] && incident[field] !== filters[field]) return false;
      }
      if (filters.exercise && incident.exercise !== (filters.exercise === "yes")) return false;
      return true;
    }

    function row(incident) {
      return el("tr", { "data-incident": incident.reference, "data-testid": "incident-row", class: incident.exercise ? "is-exercise" : null },
        el("td", {}, el("a", { href: detailUrl(incident.reference) }, incident.reference), " ", exerciseBadge(incident.exercise)),
        el("td", { class: "title" }, incident.content_withheld ? withheld(incident) : incident.title),
        el("td", {}, labels.category[incident.category] || incident.category),
        el("td", { "data-field": "severity" }, el("span", { class: "severity severity-" + incident.severity }, labels.severity[incident.severity] || incident.severity)),
        el("td", { "data-field": "tlp" }, tlpBadge(incident.tlp)),
        el("td", { "data-field": "status" }, labels.status[incident.status] || incident.status),
        el("td", {}, incident.originator + " → " + incident.recipients.join(", ")),
        el("td", { "data-field": "updated" }, at(incident.updated_at)));
    }

    function upsert(incident) {
      const existing = rows.querySelector('tr[data-incident="' + CSS.escape(incident.reference) + '"]');
      if (!existing && !matches(incident)) return;
      const fresh = row(incident);
      if (existing) existing.remove();
      rows.prepend(fresh); // most recently changed first, as the server orders it
      if (empty) empty.hidden = true;
    }

    function awaitingItem(incident, message) {
      const pending = message.acknowledgements.find((a) => ours(a) && !a.acknowledged_at);
      if (!pending) return;
      const selector = '[data-incident="' + CSS.escape(incident.reference) + '"][data-message="' + message.number + '"]';
      if (awaitingList.querySelector(selector)) return;
      const item = el("li", { class: "awaiting-item", "data-incident": incident.reference, "data-message": String(message.number), "data-due": pending.due_at, "data-testid": "awaiting-item" },
        el("a", { href: detailUrl(incident.reference) + "#message-" + message.number }, incident.reference + " · message " + message.number), " ",
        exerciseBadge(incident.exercise), " ",
        el("span", { class: "what" }, (labels.kind[message.kind] || message.kind) + " from " + message.organisation + ": " + (incident.title || "")), " ",
        el("span", { class: "countdown", "data-due": pending.due_at, "data-testid": "countdown" }, "due " + when(pending.due_at)), " ",
        page.may_act ? acknowledgeForm(incident.reference, message.number, here) : null);
      // Soonest deadline first.
      const later = Array.from(awaitingList.children).find((other) => other.querySelector(".countdown").dataset.due > pending.due_at);
      awaitingList.insertBefore(item, later || null);
      awaitingBox.hidden = false;
      tickCountdowns();
    }

    function acknowledged(incident, acknowledgement, message) {
      if (!ours(acknowledgement) || !acknowledgement.acknowledged_at) return;
      const item = awaitingList.querySelector('[data-incident="' + CSS.escape(incident.reference) + '"][data-message="' + message.number + '"]');
      if (item) item.remove();
      if (!awaitingList.children.length) awaitingBox.hidden = true;
    }

    document.addEventListener("hotline:event", (domEvent) => {
      const event = domEvent.detail;
      if (!event.incident) return;
      upsert(event.incident);
      if (event.message && (event.type === "incident.created" || event.type === "message.created")) awaitingItem(event.incident, event.message);
      if (event.type === "ack.recorded" && event.acknowledgement) acknowledged(event.incident, event.acknowledgement, event.message);
    });
  }

  // --- one incident ------------------------------------------------------------------------------
  function detailPage() {
    const thread = document.getElementById("thread");

    function ackItem(incident, acknowledgement) {
      const pending = !acknowledgement.acknowledged_at;
      const item = el("li", { class: "ack", "data-organisation": acknowledgement.organisation, "data-state": pending ? "pending" : "given", "data-testid": "ack" });
      if (pending) {
        item.append(acknowledgement.organisation + ": awaiting acknowledgement, ",
          el("span", { class: "countdown", "data-due": acknowledgement.due_at }, "due " + when(acknowledgement.due_at)), " ",
          el("span", { class: "due-at" }, "(by ", at(acknowledgement.due_at), ")"));
      } else {
        const late = new Date(acknowledgement.acknowledged_at) > new Date(acknowledgement.due_at) ? " — late" : "";
        item.append(acknowledgement.organisation + ": acknowledged ", at(acknowledgement.acknowledged_at, SECONDS), " by " +
          (acknowledgement.acknowledged_by || "?") + " (" + (labels.method[acknowledgement.method] || acknowledgement.method) + ")" + late);
      }
      return item;
    }

    function acks(incident, message) {
      return el("ul", { class: "acks" }, ...message.acknowledgements.map((acknowledgement) => ackItem(incident, acknowledgement)));
    }

    function awaitsUs(message) {
      return page.may_act && message.acknowledgements.some((a) => ours(a) && !a.acknowledged_at);
    }

    function messageItem(incident, message) {
      return el("li", { class: "message kind-" + message.kind, id: "message-" + message.number, "data-number": String(message.number), "data-testid": "message" },
        el("header", {},
          el("span", { class: "number" }, "#" + message.number), " ",
          el("span", { class: "kind" }, labels.kind[message.kind] || message.kind), " ",
          el("strong", { class: "author" }, message.organisation + " · " + message.author), " ",
          at(message.created_at, SECONDS),
          message.reply_by ? el("span", { class: "reply-by" }, " reply by ", at(message.reply_by)) : null),
        el("div", { class: "body" }, message.body === null ? withheld(incident) : message.body),
        acks(incident, message),
        awaitsUs(message) ? acknowledgeForm(incident.reference, message.number, null) : null);
    }

    function showMessage(incident, message) {
      const existing = document.getElementById("message-" + message.number);
      const fresh = messageItem(incident, message);
      if (existing) {
        // Known already: only its acknowledgements (and our button) can have changed.
        existing.querySelector(".acks").replaceWith(fresh.querySelector(".acks"));
        const form = existing.querySelector(".ack-form");
        if (form && !awaitsUs(message)) form.remove();
        if (!form && awaitsUs(message)) existing.append(fresh.querySelector(".ack-form"));
        return;
      }
      // In number order even if pushes arrive out of order.
      const later = Array.from(thread.children).find((other) => Number(other.dataset.number) > message.number);
      thread.insertBefore(fresh, later || null);
      tickCountdowns();
    }

    function showIncident(incident) {
      const tlp = document.getElementById("incident-tlp");
      if (tlp) tlp.replaceChildren(tlpBadge(incident.tlp));
      const status = document.getElementById("incident-status");
      if (status) status.textContent = labels.status[incident.status] || incident.status;
    }

    document.addEventListener("hotline:event", (domEvent) => {
      const event = domEvent.detail;
      if (!event.incident || event.incident.id !== page.incident) return;
      showIncident(event.incident);
      if (event.message) showMessage(event.incident, event.message);
    });
  }

  const root = document.querySelector("[data-page]");
  if (root && root.dataset.page === "list") listPage();
  if (root && root.dataset.page === "detail") detailPage();
})();
