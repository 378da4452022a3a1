// Exercise pages: when an "exercise.*" event arrives (console.js dispatches each once, as
// "hotline:event"), show the page's notice that it changed, with a reload link. The page is not
// rebuilt under the reader's hands: a half-typed reply or cancellation reason stays as it is.
// On a notification's page (data-exercise = its id) only that notification's events count.
(function () {
  "use strict";

  const notice = document.getElementById("exercise-live-notice");
  if (!notice) return;
  const watched = notice.dataset.exercise || "";
  const what = notice.querySelector("[data-what]");
  const LABELS = {
    "exercise.notified": "notified",
    "exercise.amended": "amended",
    "exercise.cancelled": "cancelled",
    "exercise.acknowledged": "acknowledged",
    "exercise.invitation": "invitation to observe changed",
  };

  document.addEventListener("hotline:event", (domEvent) => {
    const event = domEvent.detail || {};
    // An outbox event carries its kind as `type` and its payload's keys beside it.
    const kind = event.type || event.kind || "";
    if (!kind.startsWith("exercise.")) return;
    const notification = event.exercise_notification || (event.payload && event.payload.exercise_notification) || {};
    if (watched && String(notification.id) !== watched) return;
    const label = LABELS[kind] || "changed";
    const who = event.organisation ? " by " + event.organisation : "";
    what.textContent = (notification.reference || "An exercise notification") + " " + label + who + " since this page was loaded.";
    notice.hidden = false;
  });
})();
