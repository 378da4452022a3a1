// The console's side of escalation, on every console page once signed in:
// - the alert when a page reaches this organisation: a non-modal alert dialog with the reference,
//   severity, deadline countdown and an Acknowledge button, a beep (WebAudio, no file), and a desktop
//   notification where the person allowed them. A repeat of the same timer replaces its alert; an
//   acknowledgement given elsewhere removes it. Open alerts survive moving between pages (sessionStorage,
//   checked against the server's waiting list), so an officer cannot lose one by clicking a link;
// - a warning to the sender and the commission when a page could not be delivered;
// - live countdowns to deadlines (.countdown[data-due]), the waiting panel reloaded on live events, and a
//   "reload" hint on an incident's escalation timeline when its escalation moves on.
// console.js hands each live event over once as "hotline:event", and its helpers as window.Hotline
// (el, when, countdowns, csrfToken). Text goes in with textContent only.
(function () {
  "use strict";

  const Hotline = window.Hotline;
  const { el } = Hotline;
  const body = document.body;
  const organisationId = Number(body.dataset.organisationId);
  const organisationCode = body.dataset.organisation || "";
  const STORE = "hotline.escalation.alerts." + organisationId; // per organisation: a tab may change hands
  const acknowledgeUrl = (timer) => "/api/v1/escalation/timers/" + encodeURIComponent(timer) + "/acknowledge/";
  const WAITING_URL = "/api/v1/escalation/waiting/";
  const METHODS = { console: "Console", email: "E-mail", sms: "SMS", webhook: "Webhook", phone: "Phone", api: "API", link: "link in a page" };
  const NOTE_MS = 20000;
  const MAX_NOTES = 6;
  const PUSH_GRACE_MS = 2000;

  const capital = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : "");
  const when = (iso) => Hotline.when(iso, { year: false }); // alerts are short: the day and the time

  function localPath(url) {
    // Pages carry absolute links (for e-mail); in the console stay on the console's own origin.
    try { const parsed = new URL(url, location.href); return parsed.pathname + parsed.search + parsed.hash; }
    catch (e) { return "/"; }
  }

  // Countdowns to deadlines (.countdown[data-due]) are the console shell's (console.js): it ticks them every second.
  const tickDeadlines = Hotline.countdowns;

  if (!document.getElementById("live-indicator")) return; // no live channel on this page

  // --- where alerts and notes go -----------------------------------------------------------------
  const counters = { soundsPlayed: 0, notificationsShown: 0 };
  const soundHint = el("p", { class: "escalation-sound-hint", hidden: true, "data-testid": "sound-blocked" },
    "The browser holds the alert sound back: click anywhere on this page once to allow it.");
  const alertList = el("div", { class: "escalation-alert-list", "aria-live": "assertive" });
  const alerts = el("div", { id: "escalation-alerts", class: "escalation-alerts", "data-testid": "escalation-alerts", "data-sounds-played": "0" }, soundHint, alertList);
  const notes = el("div", { id: "escalation-notes", class: "escalation-notes", role: "status", "aria-live": "polite", "data-testid": "escalation-notes" });
  body.append(alerts, notes);

  // For tests and for the curious on a console.
  Hotline.alerts = {
    get soundsPlayed() { return counters.soundsPlayed; },
    get notificationsShown() { return counters.notificationsShown; },
    get open() { return Array.from(alertList.children).map((card) => Number(card.dataset.timer)); },
  };

  function note(text, kind, options) {
    const settings = options || {};
    const item = el("div", { class: "escalation-note note-" + kind, "data-testid": settings.testid || "escalation-note" },
      el("span", {}, text), el("button", { type: "button", class: "link", "aria-label": "Dismiss" }, "×"));
    item.querySelector("button").addEventListener("click", () => item.remove());
    notes.prepend(item);
    while (notes.children.length > MAX_NOTES) notes.lastElementChild.remove();
    if (!settings.sticky) setTimeout(() => item.remove(), NOTE_MS);
  }

  // --- sound ---------------------------------------------------------------------------------------
  let audio = null;
  let soundWaiting = false;
  function audioContext() {
    if (!audio) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return null;
      try { audio = new Context(); } catch (e) { return null; }
    }
    return audio;
  }
  function showSoundHint() { soundHint.hidden = !(audio && audio.state !== "running" && alertList.children.length); }
  // Browsers hold sound back until the person has used the page: the first click or key frees it.
  ["pointerdown", "keydown"].forEach((type) => document.addEventListener(type, () => {
    const context = audioContext();
    if (context && context.state === "suspended") context.resume().then(showSoundHint).catch(() => {});
  }, { capture: true, passive: true }));

  // [start s, frequency Hz, length s]: the more urgent, the more insistent.
  const PATTERNS = {
    critical: [[0, 880, 0.16], [0.22, 660, 0.16], [0.44, 880, 0.16], [0.66, 660, 0.16], [0.88, 880, 0.3]],
    high: [[0, 880, 0.2], [0.3, 660, 0.2], [0.6, 880, 0.2]],
    other: [[0, 740, 0.25], [0.4, 740, 0.25]],
  };
  function tones(context, pattern) {
    const start = context.currentTime + 0.02;
    pattern.forEach(([offset, frequency, length]) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "square";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + length);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + length + 0.05);
    });
  }
  function beep(severity) {
    const context = audioContext();
    if (!context) return;
    const play = () => {
      tones(context, PATTERNS[severity] || PATTERNS.other);
      counters.soundsPlayed += 1;
      alerts.dataset.soundsPlayed = String(counters.soundsPlayed);
      showSoundHint();
    };
    if (context.state === "running") { play(); return; }
    if (soundWaiting) return; // one beep when sound is freed, not one per page held back
    soundWaiting = true;
    context.resume().then(() => { soundWaiting = false; if (context.state === "running") play(); }).catch(() => { soundWaiting = false; });
    setTimeout(showSoundHint, 500);
  }

  // --- desktop notifications -------------------------------------------------------------------------
  const notifications = new Map();
  const enableButton = document.getElementById("enable-desktop-alerts");
  function showEnableButton() {
    if (enableButton) enableButton.hidden = !("Notification" in window) || Notification.permission !== "default";
  }
  if (enableButton) {
    // Browsers ask for permission only from a click.
    enableButton.addEventListener("click", () => {
      Promise.resolve(Notification.requestPermission()).then(showEnableButton).catch(showEnableButton);
    });
    showEnableButton();
  }
  function notify(page) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const drill = page.exercise ? "[EXERCISE] " : "";
    try {
      const notification = new Notification(drill + page.severity.toUpperCase() + " " + page.reference, {
        body: page.recipient + " must acknowledge by " + when(page.deadline) + ".", tag: "hotline-timer-" + page.timer,
        renotify: true, requireInteraction: true,
      });
      notification.onclick = () => { window.focus(); notification.close(); };
      notifications.set(page.timer, notification);
      counters.notificationsShown += 1;
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  // --- alerts --------------------------------------------------------------------------------------
  function stored() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || "{}"); } catch (e) { return {}; }
  }
  function store(all) {
    try { sessionStorage.setItem(STORE, JSON.stringify(all)); } catch (e) { /* private mode: alerts live on this page only */ }
  }
  function remember(page) { const all = stored(); all[page.timer] = page; store(all); }
  function forget(timer) { const all = stored(); delete all[timer]; store(all); }
  const cardOf = (timer) => alertList.querySelector('[data-timer="' + Number(timer) + '"]');

  function alertCard(page) {
    const id = "escalation-alert-" + page.timer;
    const reply = page.clock === "reply";
    const what = page.what || "message";
    const card = el("section", {
      id, class: "escalation-alert escalation-alert-" + page.severity + (page.exercise ? " is-drill" : ""), role: "alertdialog",
      "aria-modal": "false", "aria-labelledby": id + "-title", "aria-describedby": id + "-what", "data-timer": String(page.timer),
      "data-reference": page.reference, "data-clock": page.clock, "data-shown-at": String(Date.now()), "data-testid": "escalation-alert",
    },
      page.exercise ? el("p", { class: "alert-drill", "data-testid": "alert-exercise" }, "EXERCISE · EXERCISE · EXERCISE") : null,
      el("h2", { id: id + "-title" },
        el("span", { class: "escalation-severity escalation-severity-" + page.severity }, capital(page.severity)), " ",
        el("span", { "data-testid": "alert-reference" }, page.reference)),
      el("p", { id: id + "-what" }, reply
        ? page.recipient + " owes a substantive reply to this " + what + (page.title ? ": " + page.title : "") + "."
        : page.recipient + " must acknowledge this " + what + (page.title ? ": " + page.title : "") + "."),
      el("p", {}, (reply ? "Reply due " : "Deadline ") + when(page.deadline) + " · ",
        el("span", { class: "deadline countdown", "data-due": page.deadline, "data-testid": "alert-countdown" }, "")),
      el("p", { class: "muted" }, "Escalation level " + page.level + (page.repeat ? ", repeat " + page.repeat : "") + "."),
      el("div", { class: "alert-actions" },
        reply ? null : el("button", { type: "button", class: "alert-acknowledge" }, "Acknowledge"),
        el("a", { href: localPath(page.path) }, reply ? "Open and reply" : "Open")),
      el("p", { class: "alert-status", role: "status" }));
    const button = card.querySelector(".alert-acknowledge");
    if (button) button.addEventListener("click", () => acknowledge(card, page));
    return card;
  }

  function showAlert(page, quiet) {
    const card = alertCard(page);
    const existing = cardOf(page.timer);
    if (existing) existing.replaceWith(card); // a repeat replaces its alert
    else alertList.prepend(card);
    remember(page);
    tickDeadlines();
    if (!quiet) { beep(page.severity); notify(page); }
    showSoundHint();
  }

  function removeAlert(timer, text, kind) {
    const card = cardOf(timer);
    if (card) card.remove();
    forget(timer);
    const notification = notifications.get(Number(timer));
    if (notification) { notification.close(); notifications.delete(Number(timer)); }
    if (card && text) note(text, kind);
    showSoundHint();
  }

  async function acknowledge(card, page) {
    const button = card.querySelector(".alert-acknowledge");
    const status = card.querySelector(".alert-status");
    button.disabled = true;
    card.dataset.acknowledging = "1"; // our own ack.recorded event may arrive before the answer does
    status.textContent = "Acknowledging…";
    let response;
    try {
      response = await fetch(acknowledgeUrl(page.timer), {
        method: "POST", credentials: "same-origin", body: "{}",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": Hotline.csrfToken() },
      });
    } catch (e) {
      delete card.dataset.acknowledging;
      status.textContent = "Not acknowledged: the server did not answer. Try again, or phone the sender.";
      button.disabled = false;
      return;
    }
    if (response.ok) {
      removeAlert(page.timer, page.reference + " acknowledged for " + page.recipient + ": paging has stopped.", "ok");
      return;
    }
    if (response.status === 409) {
      removeAlert(page.timer, "Someone else already acknowledged " + page.reference + ": nothing waits any more.", "info");
      return;
    }
    let detail = "";
    try { detail = (await response.json()).detail || ""; } catch (e) { /* not JSON */ }
    delete card.dataset.acknowledging;
    status.textContent = "Not acknowledged (" + response.status + ")" + (detail ? ": " + detail : ".");
    button.disabled = false;
  }

  // Someone of this organisation acknowledged elsewhere (another console, the API, a link, the phone).
  function acknowledgedElsewhere(event) {
    const acknowledgement = event.acknowledgement;
    if (!acknowledgement || !acknowledgement.acknowledged_at || acknowledgement.organisation !== organisationCode || !event.message) return;
    const reference = event.incident.reference + " #" + event.message.number;
    alertList.querySelectorAll('[data-clock="ack"][data-reference="' + CSS.escape(reference) + '"]').forEach((card) => {
      if (card.dataset.acknowledging) return;
      const by = acknowledgement.acknowledged_by || "someone";
      const method = METHODS[acknowledgement.method] || acknowledgement.method || "";
      removeAlert(card.dataset.timer, reference + " was acknowledged by " + by + (method ? " (" + method + ")" : "") + ": paging has stopped.", "info");
    });
  }

  function incidentAlerts(reference, clock) {
    const clockFilter = clock ? '[data-clock="' + clock + '"]' : "";
    return Array.from(alertList.querySelectorAll(".escalation-alert" + clockFilter)).filter((card) => card.dataset.reference.startsWith(reference + " #"));
  }

  function incidentEvent(event) {
    const incident = event.incident;
    if (!incident) return;
    // A message from this organisation in the thread is the reply its reply clocks wait for.
    if (event.type === "message.created" && event.message && event.message.organisation === organisationCode) {
      incidentAlerts(incident.reference, "reply").forEach((card) => removeAlert(card.dataset.timer, incident.reference + ": replied in the thread.", "info"));
    }
    if (event.type === "incident.updated" && (incident.status === "resolved" || incident.status === "closed")) {
      incidentAlerts(incident.reference).forEach((card) => removeAlert(card.dataset.timer, incident.reference + " is " + incident.status + ": paging stopped.", "info"));
    }
  }

  function deliveryFailed(delivery) {
    const method = METHODS[delivery.method] || delivery.method;
    note(method + " to " + delivery.to + " failed: " + (delivery.error || "no reason given") + " (page for " + delivery.recipient + ").",
      "warning", { sticky: true, testid: "delivery-failed" });
  }

  // The server's word on what still waits: drops alerts acknowledged or ended while this console did not
  // hear of it, and brings back, quietly, the alerts open on the page before this one.
  async function reconcile() {
    const kept = stored();
    if (!alertList.children.length && !Object.keys(kept).length) return;
    const asked = Date.now();
    let data;
    try {
      const response = await fetch(WAITING_URL, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      data = await response.json();
    } catch (e) { return; }
    const waitingTimers = new Set((data.to_acknowledge || []).map((entry) => entry.timer));
    const ended = Array.from(alertList.children).filter((card) =>
      !waitingTimers.has(Number(card.dataset.timer)) && Number(card.dataset.shownAt) < asked);
    // The push that says who acknowledged may be a moment behind the server's answer: give it the chance
    // to remove the alert with that news before removing it with less.
    if (ended.length) setTimeout(() => ended.forEach((card) => {
      if (card.isConnected && !card.dataset.acknowledging) {
        removeAlert(card.dataset.timer, card.dataset.reference + " no longer waits: acknowledged, or its escalation ended.", "info");
      }
    }), PUSH_GRACE_MS);
    const now = stored();
    Object.values(now).forEach((page) => {
      if (cardOf(page.timer)) return;
      if (waitingTimers.has(page.timer)) showAlert(page, true);
      else forget(page.timer);
    });
  }

  // --- the waiting panel and the timelines -------------------------------------------------------------
  let refreshTimer = null;
  function refreshPanels() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      document.querySelectorAll("[data-waiting-panel][data-url]").forEach((panel) => {
        if (window.htmx) { window.htmx.ajax("GET", panel.dataset.url, { target: panel, swap: "outerHTML" }); return; }
        fetch(panel.dataset.url, { credentials: "same-origin" }).then((response) => (response.ok ? response.text() : null))
          .then((html) => { if (html && panel.isConnected) { panel.outerHTML = html; tickDeadlines(); } }).catch(() => {});
      });
    }, 300); // a burst of events (one per message acknowledged) reloads the panel once
  }

  function markTimelineStale(selector) {
    document.querySelectorAll(".escalation-timer" + selector).forEach((timer) => {
      const hint = timer.closest(".escalation-timeline").querySelector(".escalation-stale");
      if (hint) hint.hidden = false;
    });
  }

  const REFRESHING = new Set(["page", "ack.recorded", "incident.created", "incident.updated", "message.created"]);
  document.addEventListener("hotline:event", (domEvent) => {
    const event = domEvent.detail || {};
    if (event.type === "page" && event.page) {
      if (Number(event.page.recipient_id) === organisationId) showAlert(event.page, false);
      markTimelineStale('[data-timer="' + Number(event.page.timer) + '"]');
    } else if (event.type === "ack.recorded" && event.incident) {
      acknowledgedElsewhere(event);
      if (event.message) markTimelineStale('[data-reference="' + CSS.escape(event.incident.reference + " #" + event.message.number) + '"]');
    } else if (event.type === "delivery.failed" && event.delivery) {
      deliveryFailed(event.delivery);
      markTimelineStale('[data-timer="' + Number(event.delivery.timer) + '"]');
    }
    if (event.incident) incidentEvent(event);
    if (REFRESHING.has(event.type)) refreshPanels();
  });
  // After each catch-up (on every reconnect, and every minute): what the pushes may have missed.
  document.addEventListener("hotline:resumed", () => { if (alertList.children.length) reconcile(); });
  reconcile();
})();
