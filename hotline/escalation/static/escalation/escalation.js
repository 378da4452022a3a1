// The console's side of escalation, on every console page once signed in:
// - alarms that do not depend on being there: on every page load and every reconnect the console asks
//   the server what waits on this organisation (/api/v1/escalation/waiting/) and raises an alert for
//   each item that has reached its deadline or is CRITICAL or HIGH (a reply clock once it has paged),
//   most urgent first (critical, high, then the others overdue; a drill after a real item of its
//   severity; then the earliest deadline). A live "page" raises (or replaces) its alert
//   at once. An alert stays until it is acknowledged, ends, or is snoozed for SNOOZE_MS (kept in
//   localStorage per organisation: it comes back after that if it still waits);
// - the alert is a non-modal alert dialog: sender, category, severity in words, title and first lines,
//   who else was told, the deadline in local time and UTC with a countdown, the escalation level, and
//   Acknowledge / Acknowledge and reply / Open / Snooze. Focus moves to its Acknowledge button when it
//   appears (Enter acknowledges) and goes back where it was after; while the person types in a field,
//   focus stays there and Alt+Shift+A reaches the top alert;
// - a beep (WebAudio, no file), repeated every REPEAT_MS while a CRITICAL alert is open unless muted for
//   MUTE_MS; desktop notifications where the person allowed them; the count in the tab title and in a
//   favicon drawn on a canvas;
// - a warning to the sender and the commission when a page could not be delivered;
// - the waiting panel reloaded, and an incident's escalation timelines fetched again, on live events.
// console.js hands each live event over once as "hotline:event", and its helpers as window.Hotline
// (el, when, formatter, countdowns, csrfToken). Text goes in with textContent only.
(function () {
  "use strict";

  const Hotline = window.Hotline;
  const { el } = Hotline;
  const body = document.body;
  const organisationId = Number(body.dataset.organisationId);
  const organisationCode = body.dataset.organisation || "";
  const STORE = "hotline.escalation.alerts." + organisationId; // per organisation: a tab may change hands
  const SNOOZE_STORE = "hotline.escalation.snoozed." + organisationId;
  const MUTE_STORE = "hotline.escalation.muted." + organisationId;
  const acknowledgeUrl = (timer) => "/api/v1/escalation/timers/" + encodeURIComponent(timer) + "/acknowledge/";
  const WAITING_URL = "/api/v1/escalation/waiting/";
  const METHODS = { console: "Console", email: "E-mail", sms: "SMS", webhook: "Webhook", phone: "Phone", api: "API", link: "link in a page" };
  const RANK = { critical: 0, high: 1 };
  const NOTE_MS = 20000;
  const MAX_NOTES = 6;
  const PUSH_GRACE_MS = 2000;
  const SNOOZE_MS = 10 * 60 * 1000;
  const MUTE_MS = 5 * 60 * 1000;
  const REPEAT_MS = 30 * 1000;
  const RECHECK_MS = 5000; // deadlines reached and snoozes ended, between server answers
  const COMPOSER = "#composer textarea, form.composer textarea";

  const capital = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : "");
  const when = (iso) => Hotline.when(iso, { year: false }); // alerts are short: the day and the time
  const baseTitle = document.title.replace(/^\(\d+\) /, "");

  function localPath(url) {
    // Pages carry absolute links (for e-mail); in the console stay on the console's own origin.
    try { const parsed = new URL(url, location.href); return parsed.pathname + parsed.search + parsed.hash; }
    catch (e) { return "/"; }
  }
  // The thread of a subject, at its composer (incidents/detail.html's "Post to the thread" form).
  const replyPath = (path) => localPath(path).split("#")[0] + "#composer";

  // "01:47 CET · 00:47 UTC": the viewer's zone as the short name Intl gives (CET, CEST, GMT+1), never a city.
  function zoned(iso) {
    const date = new Date(iso);
    const local = Hotline.formatter({ hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(date);
    const utc = Hotline.formatter({ hour: "2-digit", minute: "2-digit" }, "UTC").format(date);
    const day = Hotline.formatter({ day: "2-digit", month: "short" });
    const prefix = day.format(date) === day.format(new Date()) ? "" : day.format(date) + " ";
    return prefix + (/^(UTC|Etc\/UTC|GMT)$/.test(body.dataset.timeZone || "UTC") ? utc + " UTC" : local + " · " + utc + " UTC");
  }
  const clockTime = (ms) => Hotline.formatter({ hour: "2-digit", minute: "2-digit" }).format(new Date(ms));

  // Focus on a page that works with the focus: focus in the moved-to composer of a thread.
  function focusComposer() {
    if (location.hash !== "#composer") return;
    const field = document.querySelector(COMPOSER);
    if (!field) return;
    field.scrollIntoView({ block: "center" });
    field.focus();
  }
  focusComposer();
  window.addEventListener("hashchange", focusComposer);
  // The browser's own scroll to #composer comes later and moves the focus to the page (the form itself
  // is not focusable): focus the field again after it, unless the person has gone somewhere meanwhile.
  window.addEventListener("load", () => setTimeout(() => {
    if (!document.activeElement || document.activeElement === document.body) focusComposer();
  }, 0));

  // Countdowns to deadlines (.countdown[data-due]) are the console shell's (console.js): it ticks them every second.
  const tickDeadlines = Hotline.countdowns;

  if (!document.getElementById("live-indicator")) return; // no live channel on this page

  // --- local storage ---------------------------------------------------------------------------------
  function read(storage, key) {
    try { return JSON.parse(storage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function write(storage, key, value) {
    try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: this page only */ }
  }
  const stored = () => read(sessionStorage, STORE);
  function remember(page) { const all = stored(); all[page.timer] = page; write(sessionStorage, STORE, all); }
  function forget(timer) { const all = stored(); delete all[timer]; write(sessionStorage, STORE, all); }

  function snoozes() {
    const all = read(localStorage, SNOOZE_STORE);
    const now = Date.now();
    Object.keys(all).forEach((timer) => { if (!(all[timer].until > now)) delete all[timer]; });
    return all;
  }
  const snoozedUntil = (timer) => (snoozes()[timer] || {}).until || 0;
  function snooze(page) {
    const all = snoozes();
    all[page.timer] = { until: Date.now() + SNOOZE_MS, level: page.level };
    write(localStorage, SNOOZE_STORE, all);
  }
  function unsnooze(timer) { const all = snoozes(); delete all[timer]; write(localStorage, SNOOZE_STORE, all); }
  const mutedUntil = () => { const until = read(localStorage, MUTE_STORE).until || 0; return until > Date.now() ? until : 0; };

  // --- where alerts and notes go -----------------------------------------------------------------
  const counters = { soundsPlayed: 0, notificationsShown: 0 };
  const soundHint = el("p", { class: "escalation-sound-hint", hidden: true, "data-testid": "sound-blocked" },
    "The browser holds the alert sound back: click anywhere on this page once to allow it.");
  const muteBar = el("div", { class: "escalation-mute", hidden: true, "data-testid": "alert-mute" },
    el("span", { class: "mute-state" }), el("button", { type: "button", class: "secondary mute-toggle" }, ""));
  const typingHint = el("p", { class: "escalation-typing-hint", hidden: true, role: "status", "data-testid": "alert-typing-hint" },
    "A new alert is open. Alt+Shift+A goes to it.");
  const alertList = el("div", { class: "escalation-alert-list" });
  const moreHint = el("p", { class: "escalation-more", hidden: true, "data-testid": "alerts-more" });
  const alerts = el("div", { id: "escalation-alerts", class: "escalation-alerts", "data-testid": "escalation-alerts", "data-sounds-played": "0" },
    soundHint, typingHint, muteBar, moreHint, alertList);
  const notes = el("div", { id: "escalation-notes", class: "escalation-notes", role: "status", "aria-live": "polite", "data-testid": "escalation-notes" });
  body.append(alerts, notes);

  let waitingEntries = []; // the server's last answer: what waits on this organisation
  // When this console learnt that a timer no longer waits (an acknowledgement pushed, a reply, a close):
  // an answer of the waiting list asked for before that moment must not raise its alert again.
  const endedAt = new Map();
  let waitingAt = 0; // when it came
  const STALE_MS = 10000;
  const sounded = new Map(); // timer → when its alert last sounded on this page
  const SOUNDED_LATELY_MS = 10000; // found waiting a moment before its page arrived: one sound, not two
  const cards = () => Array.from(alertList.children);
  const cardOf = (timer) => alertList.querySelector('[data-timer="' + Number(timer) + '"]');

  // For tests and for the curious on a console.
  Hotline.alerts = {
    get soundsPlayed() { return counters.soundsPlayed; },
    get notificationsShown() { return counters.notificationsShown; },
    get open() { return cards().map((card) => Number(card.dataset.timer)); },
    repeatNow: () => repeatSound(), // what the REPEAT_MS timer does
    recheckNow: () => recheck(),
  };

  function note(content, kind, options) {
    const settings = options || {};
    const item = el("div", { class: "escalation-note note-" + kind, "data-testid": settings.testid || "escalation-note" },
      el("span", {}, content, settings.link ? " " : null, settings.link ? el("a", { href: settings.link.href }, settings.link.text) : null),
      el("button", { type: "button", class: "link", "aria-label": "Dismiss" }, "×"));
    item.querySelector("button").addEventListener("click", () => item.remove());
    notes.prepend(item);
    while (notes.children.length > MAX_NOTES) notes.lastElementChild.remove();
    if (!settings.sticky) setTimeout(() => item.remove(), NOTE_MS);
  }

  // Alerts and notes sit just below the top bar (never over Sign out), wherever it wraps to.
  const topbar = document.querySelector(".topbar");
  function place() {
    const below = topbar ? Math.max(8, Math.round(topbar.getBoundingClientRect().bottom + 8)) : 8;
    alerts.style.setProperty("--alerts-top", below + "px");
    notes.style.setProperty("--alerts-top", below + "px");
  }
  place();
  window.addEventListener("resize", place, { passive: true });
  window.addEventListener("scroll", place, { passive: true });

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

  // A CRITICAL alert sounds again until it is acknowledged; "Mute for 5 minutes" silences the repeats
  // (a new alert still sounds once) and says until when.
  const criticalOpen = () => cards().some((card) => card.dataset.severity === "critical");
  function repeatSound() {
    if (criticalOpen() && !mutedUntil()) beep("critical");
  }
  setInterval(repeatSound, REPEAT_MS);
  function showMute() {
    const until = mutedUntil();
    muteBar.hidden = !criticalOpen() && !until;
    muteBar.classList.toggle("is-muted", Boolean(until));
    muteBar.querySelector(".mute-state").textContent = until ? "Sound muted until " + clockTime(until) + " —" : "A critical alert sounds every 30 s.";
    muteBar.querySelector(".mute-toggle").textContent = until ? "Unmute" : "Mute for 5 minutes";
  }
  muteBar.querySelector(".mute-toggle").addEventListener("click", () => {
    write(localStorage, MUTE_STORE, mutedUntil() ? {} : { until: Date.now() + MUTE_MS });
    showMute();
  });

  // --- the count in the tab title and the favicon ------------------------------------------------
  const iconLink = document.querySelector('link[rel~="icon"]') || document.head.appendChild(el("link", { rel: "icon" }));
  const plainIcon = iconLink.getAttribute("href") || "";
  let shownCount = -1;
  function drawIcon(count) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 32;
    const context = canvas.getContext && canvas.getContext("2d");
    if (!context) return plainIcon;
    context.fillStyle = "#b42318";
    context.beginPath();
    context.arc(16, 16, 16, 0, 2 * Math.PI);
    context.fill();
    context.fillStyle = "#fff";
    context.font = "bold " + (count > 9 ? 17 : 22) + "px sans-serif";
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillText(count > 99 ? "99" : String(count), 16, 17);
    return canvas.toDataURL("image/png");
  }
  function showCount() {
    const count = alertList.children.length;
    document.title = (count ? "(" + count + ") " : "") + baseTitle;
    if (count === shownCount) return;
    shownCount = count;
    const icon = count ? drawIcon(count) : plainIcon;
    if (icon) iconLink.setAttribute("href", icon);
    else iconLink.removeAttribute("href");
    iconLink.dataset.count = String(count);
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
        body: (page.title ? page.title + "\n" : "") + page.recipient + " must acknowledge by " + when(page.deadline) + ".",
        tag: "hotline-timer-" + page.timer, renotify: true, requireInteraction: true,
      });
      notification.onclick = () => { window.focus(); notification.close(); focusTop(); };
      notifications.set(page.timer, notification);
      counters.notificationsShown += 1;
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  // --- alerts --------------------------------------------------------------------------------------
  // A waiting entry in the shape of a live page's payload (its `level` is the level paged last).
  function pageOf(entry) {
    return { ...entry, level: entry.paged_level, title: entry.title || "", path: entry.path || "/" };
  }
  // Due (deadline reached) or CRITICAL/HIGH. A reply clock (a substantive reply, due in hours or days) only
  // once it has paged or is due: a HIGH request for assistance does not ring two days ahead.
  const due = (entry) => new Date(entry.deadline).getTime() <= Date.now();
  const qualifies = (entry) => due(entry) || (entry.severity in RANK && (entry.clock !== "reply" || entry.paged_level !== null));
  // A drill comes after a real item of the same severity.
  const urgency = (page) => [(page.severity in RANK ? RANK[page.severity] : 2) * 2 + (page.exercise ? 1 : 0), new Date(page.deadline).getTime() || 0];

  function alertCard(page) {
    const id = "escalation-alert-" + page.timer;
    const reply = page.clock === "reply";
    const what = page.what || "message";
    const others = page.others_told || [];
    const from = page.sender ? page.sender + (page.sender_name ? " (" + page.sender_name + ")" : "") : "";
    const card = el("section", {
      id, class: "escalation-alert escalation-alert-" + page.severity + (page.exercise ? " is-drill" : ""), role: "alertdialog",
      "aria-modal": "false", "aria-labelledby": id + "-title", "aria-describedby": id + "-what", "data-timer": String(page.timer),
      "data-reference": page.reference, "data-clock": page.clock, "data-severity": page.severity, "data-deadline": page.deadline,
      "data-shown-at": String(Date.now()), "data-testid": "escalation-alert", tabindex: "-1",
    },
      page.exercise ? el("p", { class: "alert-drill", "data-testid": "alert-exercise" }, "EXERCISE · EXERCISE · EXERCISE") : null,
      el("h2", { id: id + "-title" },
        el("span", { class: "escalation-severity escalation-severity-" + page.severity, "data-testid": "alert-severity" }, capital(page.severity)), " ",
        el("span", { class: "visually-hidden" }, "alert: "),
        el("span", { "data-testid": "alert-reference" }, page.reference)),
      from || page.category ? el("p", { class: "alert-from", "data-testid": "alert-from" },
        from ? "From " + from : "", from && page.category ? " · " : "", page.category || "") : null,
      page.title ? el("p", { class: "alert-title", "data-testid": "alert-title" }, page.title) : null,
      page.excerpt ? el("p", { class: "alert-excerpt", "data-testid": "alert-excerpt" }, page.excerpt) : null,
      el("p", { id: id + "-what" }, (reply
        ? page.recipient + " owes a substantive reply to this " + what + "."
        : page.recipient + " must acknowledge this " + what + ".") + (others.length ? " Also told: " + others.join(", ") + "." : "")),
      el("p", { class: "alert-deadline" }, (reply ? "Reply due " : "Deadline ") ,
        el("time", { datetime: page.deadline, "data-testid": "alert-deadline" }, zoned(page.deadline)), " · ",
        el("span", { class: "deadline countdown", "data-due": page.deadline, "data-testid": "alert-countdown" }, "")),
      el("p", { class: "muted alert-level", "data-testid": "alert-level" }, page.level === null || page.level === undefined
        ? "Not paged yet."
        : "Escalation level " + page.level + (page.repeat ? ", repeat " + page.repeat : "") + "."),
      el("div", { class: "alert-actions" },
        reply ? null : el("button", { type: "button", class: "alert-acknowledge", "data-testid": "alert-acknowledge" }, "Acknowledge"),
        reply ? null : el("button", { type: "button", class: "alert-acknowledge-reply secondary" }, "Acknowledge and reply"),
        el("a", { href: reply ? replyPath(page.path) : localPath(page.path), class: "alert-open" }, reply ? "Open and reply" : "Open"),
        el("button", { type: "button", class: "link alert-snooze", title: "The alert comes back after 10 minutes if it still waits" }, "Snooze 10 min")),
      el("p", { class: "alert-status", role: "status" }));
    const button = card.querySelector(".alert-acknowledge");
    if (button) button.addEventListener("click", () => acknowledge(card, page, false));
    const andReply = card.querySelector(".alert-acknowledge-reply");
    if (andReply) andReply.addEventListener("click", () => acknowledge(card, page, true));
    card.querySelector(".alert-snooze").addEventListener("click", () => {
      snooze(page);
      removeAlert(page.timer, page.reference + " snoozed until " + clockTime(snoozedUntil(page.timer)) + ": it comes back then if it still waits.", "info", null, true);
    });
    card.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); giveFocusBack(); }
    });
    return card;
  }

  // --- focus ------------------------------------------------------------------------------------------
  let focusBefore = null;
  let focusedByUs = null; // the button focusTop() focused: a newer top alert may take the focus from it
  const typing = () => {
    const active = document.activeElement;
    if (!active || alerts.contains(active)) return false;
    return active.isContentEditable || (/^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)
      && !/^(button|submit|reset|checkbox|radio)$/.test(active.type || ""));
  };
  function focusTop() {
    const top = alertList.firstElementChild;
    if (!top) return false;
    if (!alerts.contains(document.activeElement)) focusBefore = document.activeElement;
    const target = top.querySelector(".alert-acknowledge") || top.querySelector(".alert-open");
    target.focus({ preventScroll: true });
    focusedByUs = target;
    typingHint.hidden = true;
    return true;
  }
  function giveFocusBack() {
    const back = focusBefore && focusBefore.isConnected ? focusBefore : null;
    focusBefore = null;
    if (back && back !== document.body) back.focus({ preventScroll: true });
    else if (document.activeElement && alerts.contains(document.activeElement)) document.activeElement.blur();
  }
  // A new alert on top takes the focus, unless the person is typing: then it says so, and the shortcut
  // Alt+Shift+A reaches it.
  function offerFocus() {
    if (typing()) {
      // A status region speaks when its text changes: say which alert, and how to reach it.
      const top = alertList.firstElementChild;
      typingHint.hidden = false;
      typingHint.textContent = "New " + (top ? capital(top.dataset.severity) + " alert " + top.dataset.reference : "alert") + ". Alt+Shift+A goes to it.";
      return;
    }
    focusTop();
  }
  document.addEventListener("keydown", (event) => {
    if (event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey && (event.code === "KeyA" || event.key.toLowerCase() === "a")) {
      if (focusTop()) event.preventDefault();
    }
  });

  function order() {
    const sorted = cards().sort((a, b) => {
      const [rankA, dueA] = urgency({ severity: a.dataset.severity, deadline: a.dataset.deadline, exercise: a.classList.contains("is-drill") });
      const [rankB, dueB] = urgency({ severity: b.dataset.severity, deadline: b.dataset.deadline, exercise: b.classList.contains("is-drill") });
      return rankA - rankB || dueA - dueB || Number(a.dataset.timer) - Number(b.dataset.timer);
    });
    const focused = document.activeElement;
    sorted.forEach((card) => alertList.append(card));
    if (focused && alerts.contains(focused) && document.activeElement !== focused) focused.focus({ preventScroll: true });
  }

  function changed() {
    showCount();
    showMute();
    showSoundHint();
    const count = alertList.children.length;
    if (!count) typingHint.hidden = true;
    moreHint.hidden = count < 2;
    moreHint.textContent = count < 2 ? "" : (count - 1) + (count === 2 ? " more alert waits" : " more alerts wait") + " after this one.";
  }

  function showAlert(page, quiet) {
    const existing = cardOf(page.timer);
    const hadFocus = existing && existing.contains(document.activeElement);
    const ourFocus = hadFocus && document.activeElement === focusedByUs;
    const card = alertCard(page);
    if (existing) existing.replaceWith(card); // a repeat replaces its alert
    else alertList.append(card);
    order();
    remember(page);
    tickDeadlines();
    if (!quiet) { beep(page.severity); notify(page); sounded.set(Number(page.timer), Date.now()); }
    changed();
    if (hadFocus) {
      const button = card.querySelector(".alert-acknowledge") || card.querySelector(".alert-open");
      button.focus({ preventScroll: true });
      if (ourFocus) focusedByUs = button;
    }
    // A more urgent alert now on top takes the focus from the outside, or from where we put it (not from
    // a control of another alert the person went to themselves).
    else if (alertList.firstElementChild === card && (!alerts.contains(document.activeElement) || document.activeElement === focusedByUs)) offerFocus();
  }

  function removeAlert(timer, text, kind, link, snoozed) {
    const card = cardOf(timer);
    // It no longer waits (or waits snoozed): not raised again from the server's last answer.
    if (!snoozed) {
      waitingEntries = waitingEntries.filter((entry) => entry.timer !== Number(timer));
      endedAt.set(Number(timer), Date.now());
    }
    const hadFocus = card && card.contains(document.activeElement);
    if (card) card.remove();
    forget(timer);
    const notification = notifications.get(Number(timer));
    if (notification) { notification.close(); notifications.delete(Number(timer)); }
    if (card && text) note(text, kind, link ? { link } : undefined);
    changed();
    if (hadFocus) { if (!focusTop()) giveFocusBack(); }
  }

  async function acknowledge(card, page, thenReply) {
    const buttons = card.querySelectorAll(".alert-acknowledge, .alert-acknowledge-reply");
    const status = card.querySelector(".alert-status");
    const focused = card.contains(document.activeElement);
    buttons.forEach((button) => { button.disabled = true; });
    if (focused) card.focus({ preventScroll: true }); // a disabled button drops the focus: keep it in the alert
    card.dataset.acknowledging = "1"; // our own ack.recorded event may arrive before the answer does
    status.textContent = "Acknowledging…";
    const failed = (text) => {
      delete card.dataset.acknowledging;
      status.textContent = text;
      buttons.forEach((button) => { button.disabled = false; });
      const again = card.querySelector(".alert-acknowledge");
      if (again) again.focus({ preventScroll: true });
    };
    let response;
    try {
      response = await fetch(acknowledgeUrl(page.timer), {
        method: "POST", credentials: "same-origin", body: "{}",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": Hotline.csrfToken() },
      });
    } catch (e) {
      failed("Not acknowledged: the server did not answer. Try again, or phone the sender.");
      return;
    }
    const thread = { href: replyPath(page.path), text: "Reply in the thread" };
    if (response.ok || response.status === 409) {
      if (thenReply) focusBefore = null; // the focus goes to the composer, not back
      removeAlert(page.timer, response.ok
        ? page.reference + " acknowledged for " + page.recipient + ": paging has stopped."
        : "Someone else already acknowledged " + page.reference + ": nothing waits any more.", response.ok ? "ok" : "info", thread);
      if (thenReply) location.assign(thread.href);
      return;
    }
    let detail = "";
    try { detail = (await response.json()).detail || ""; } catch (e) { /* not JSON */ }
    failed("Not acknowledged (" + response.status + ")" + (detail ? ": " + detail : "."));
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

  // Raise what waits and has to be seen (not snoozed, not already open); quiet when the console knew it
  // already (an alert carried over from the page before this one).
  function recheck() {
    const known = stored();
    const fresh = [];
    waitingEntries.forEach((entry) => {
      if (cardOf(entry.timer) || !qualifies(entry) || snoozedUntil(entry.timer)) return;
      fresh.push(entry);
    });
    // Found in an answer more than a moment old (a snooze ended, a deadline passed): ask again first,
    // so that what was acknowledged meanwhile does not come back.
    if (fresh.length && Date.now() - waitingAt > STALE_MS) { loadWaiting(); return; }
    fresh.sort((a, b) => { const [ra, da] = urgency(a); const [rb, db] = urgency(b); return ra - rb || da - db; });
    let loud = null;
    fresh.forEach((entry) => {
      const page = pageOf(entry);
      const wasOpen = Boolean(known[entry.timer]);
      showAlert(page, true);
      if (!wasOpen) { notify(page); sounded.set(Number(page.timer), Date.now()); if (!loud) loud = page; }
    });
    if (loud) beep(loud.severity); // one sound for what the console finds waiting, not one per item
    showMute();
  }

  // The server's word on what waits: raises the alerts due, drops those acknowledged or ended while this
  // console did not hear of it.
  let asking = null;
  async function loadWaiting() {
    if (asking) return asking;
    asking = (async () => {
      const asked = Date.now();
      let data;
      try {
        const response = await fetch(WAITING_URL, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return;
        data = await response.json();
      } catch (e) { return; }
      waitingAt = Date.now();
      waitingEntries = (data.to_acknowledge || []).filter((entry) => (entry.recipient === organisationCode || !organisationCode)
        && !(endedAt.get(entry.timer) >= asked)); // ended while the answer was on its way: it is older news
      const waitingTimers = new Set(waitingEntries.map((entry) => entry.timer));
      const ended = cards().filter((card) => !waitingTimers.has(Number(card.dataset.timer)) && Number(card.dataset.shownAt) < asked);
      // The push that says who acknowledged may be a moment behind the server's answer: give it the chance
      // to remove the alert with that news before removing it with less.
      if (ended.length) setTimeout(() => ended.forEach((card) => {
        if (card.isConnected && !card.dataset.acknowledging) {
          removeAlert(card.dataset.timer, card.dataset.reference + " no longer waits: acknowledged, or its escalation ended.", "info");
        }
      }), PUSH_GRACE_MS);
      Object.keys(stored()).forEach((timer) => { if (!waitingTimers.has(Number(timer)) && !cardOf(timer)) forget(timer); });
      recheck();
    })().finally(() => { asking = null; });
    return asking;
  }
  setInterval(recheck, RECHECK_MS);

  // A live page: its alert at once (a repeat replaces it). A snoozed alert stays snoozed for a repeat of
  // its level; a higher level breaks the snooze.
  function paged(page) {
    endedAt.delete(Number(page.timer)); // paged again: it waits after all
    const snoozed = snoozes()[page.timer];
    if (snoozed && !(page.level > snoozed.level)) return;
    if (snoozed) unsnooze(page.timer);
    const lately = cardOf(page.timer) && Date.now() - (sounded.get(Number(page.timer)) || 0) < SOUNDED_LATELY_MS;
    showAlert(page, Boolean(lately));
    const known = waitingEntries.find((entry) => entry.timer === page.timer);
    if (!known) waitingEntries.push({ ...page, paged_level: page.level });
    else Object.assign(known, { level: page.level, paged_level: page.level, repeat: page.repeat });
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

  // An escalation timeline under a message, fetched again (the server renders it as on the page, within
  // the same visibility rules) when one of its timers moves. A burst of events fetches it once.
  const timelineTimers = new WeakMap();
  function refreshTimelines(selector) {
    const blocks = new Set();
    document.querySelectorAll(".escalation-timeline .escalation-timer" + selector).forEach((timer) => blocks.add(timer.closest(".escalation-timeline")));
    blocks.forEach((block) => {
      clearTimeout(timelineTimers.get(block));
      timelineTimers.set(block, setTimeout(() => refreshTimeline(block), 250));
    });
  }
  // A message posted while this page is open (incidents.js adds it without a timeline): its first page
  // brings its timeline, and each further recipient's page adds its timer to it.
  function timelineOfNewTimer(page) {
    if (document.querySelector('.escalation-timeline .escalation-timer[data-timer="' + Number(page.timer) + '"]')) return false;
    const [path, anchor] = localPath(page.path || "").split("#");
    const message = path === location.pathname && anchor && anchor.startsWith("message-") ? document.getElementById(anchor) : null;
    if (!message) return true;
    let block = message.querySelector(".escalation-timeline, .escalation-timeline-pending");
    if (block) {
      block.dataset.url += (block.dataset.url.includes("?") ? "&" : "?") + "timer=" + Number(page.timer);
    } else {
      block = el("div", { class: "escalation-timeline-pending", hidden: true, "data-url": "/escalation/timers/" + Number(page.timer) + "/timeline/" });
      (message.querySelector(".acks") || message.lastElementChild).after(block);
    }
    clearTimeout(timelineTimers.get(block)); // the pages of one tick, one per recipient: one fetch
    timelineTimers.set(block, setTimeout(() => refreshTimeline(block), 250));
    return true;
  }
  async function refreshTimeline(block) {
    if (!block.isConnected || !block.dataset.url) return;
    let html;
    try {
      const response = await fetch(block.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      html = await response.text();
    } catch (e) { return; }
    if (!block.isConnected) return;
    const holder = document.createElement("template");
    holder.innerHTML = html; // the server's own fragment, escaped by its template
    const fresh = holder.content.querySelector(".escalation-timeline");
    if (!fresh) { if (!block.classList.contains("escalation-timeline")) block.remove(); return; }
    if (block.open) fresh.open = true; // keep what the person opened
    block.replaceWith(fresh);
    tickDeadlines();
    if (window.htmx) window.htmx.process(fresh);
  }

  const REFRESHING = new Set(["page", "ack.recorded", "incident.created", "incident.updated", "message.created"]);
  document.addEventListener("hotline:event", (domEvent) => {
    const event = domEvent.detail || {};
    if (event.type === "page" && event.page) {
      if (Number(event.page.recipient_id) === organisationId) paged(event.page);
      if (!timelineOfNewTimer(event.page)) refreshTimelines('[data-timer="' + Number(event.page.timer) + '"]');
    } else if (event.type === "ack.recorded" && event.incident) {
      acknowledgedElsewhere(event);
      if (event.message) refreshTimelines('[data-reference="' + CSS.escape(event.incident.reference + " #" + event.message.number) + '"]');
    } else if (event.type === "delivery.failed" && event.delivery) {
      deliveryFailed(event.delivery);
      refreshTimelines('[data-timer="' + Number(event.delivery.timer) + '"]');
    }
    if (event.incident) incidentEvent(event);
    if (REFRESHING.has(event.type)) refreshPanels();
  });
  // On every reconnect (and every minute's catch-up): what the pushes may have missed.
  document.addEventListener("hotline:resumed", loadWaiting);
  // The alerts open on the page before this one come back at once (quietly), before the server answers.
  Object.values(stored()).forEach((page) => { if (!snoozedUntil(page.timer)) showAlert(page, true); });
  changed();
  loadWaiting();
})();
