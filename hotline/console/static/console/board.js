// The duty board (console home): its recent activity is reloaded from the server when a live event
// arrives (console.js dispatches "hotline:event" for each, after catch-ups too), so the page never says
// "reload". What the list may hold is the server's to decide (hotline/console/activity.py).
(function () {
  "use strict";
  const SHOWN = new Set([
    "incident.created", "message.created", "ack.recorded", "incident.updated",
    "exercise.notified", "exercise.amended", "exercise.cancelled", "exercise.acknowledged", "exercise.invitation",
    "drone_flight.notified", "drone_flight.acknowledged", "drone_flight.state_changed", "drone_flight.conflict",
    "check.started", "check.answered", "delivery.failed",
  ]);
  let pending = null;
  function reload() {
    clearTimeout(pending);
    pending = setTimeout(() => {
      // The server's fragment swapped in by htmx, as the waiting panel is (escalation.js).
      document.querySelectorAll("[data-activity-panel][data-url]").forEach((panel) => {
        if (window.htmx) window.htmx.ajax("GET", panel.dataset.url, { target: panel, swap: "outerHTML" });
      });
    }, 400); // a burst of events (a report and its first message) reloads once
  }
  // The duty card changes when a shift ends or begins (data-changes-at): then it is fetched again from
  // the home page and swapped alone; the new card says when it changes next.
  const LONGEST_WAIT_MS = 2 ** 31 - 1; // what setTimeout can wait
  function watchDutyCard(previous) {
    const card = document.querySelector("[data-duty-card][data-changes-at]");
    if (!card || !window.htmx) return;
    // A server clock a little behind this one answers the same card: ask again in half a minute.
    const soonest = card.dataset.changesAt === previous ? Date.now() + 30000 : 0;
    const due = Math.max(new Date(card.dataset.changesAt).getTime() + 2000, soonest);
    const wait = due - Date.now();
    if (Number.isNaN(wait) || wait > LONGEST_WAIT_MS) return;
    setTimeout(() => {
      const asked = card.dataset.changesAt;
      window.htmx.ajax("GET", window.location.pathname, { target: card, swap: "outerHTML", select: "[data-duty-card]" })
        .then(() => watchDutyCard(asked), () => {});
    }, Math.max(wait, 0));
  }
  document.addEventListener("DOMContentLoaded", () => watchDutyCard(null));

  document.addEventListener("hotline:event", (domEvent) => {
    const event = domEvent.detail || {};
    if (SHOWN.has(event.type)) reload();
  });
})();
