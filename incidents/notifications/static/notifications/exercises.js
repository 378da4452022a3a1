// Exercise pages: when an "exercise.*" event arrives (console.js dispatches each once, as
// "hotline:event"), the page's live parts ([data-live-part]) are fetched again and swapped
// (Hotline.refreshParts). A part the reader is working in is not rebuilt under their hands (a
// half-typed reply or cancellation reason stays as it is): then, and only then, the page's notice says
// that it changed, with a reload link. On a notification's page (data-exercise = its id) only that
// notification's events count.
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
    // A new version of the notification open here changes its map too: the page is loaded again whole,
    // unless the reader is writing in it.
    const wholePage = watched && (kind === "exercise.amended" || kind === "exercise.cancelled");
    const refreshing = wholePage ? Promise.resolve(window.Hotline.reloadUnlessWriting()) : window.Hotline.refreshParts();
    refreshing.then((all) => {
      if (all) return;
      what.textContent = (notification.reference || "An exercise notification") + " " + label + who
        + " while you were writing here; your text is kept.";
      notice.hidden = false;
    });
  });
})();
