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
  document.addEventListener("hotline:event", (domEvent) => {
    const event = domEvent.detail || {};
    if (SHOWN.has(event.type)) reload();
  });
})();
