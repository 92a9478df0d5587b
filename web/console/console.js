/*
 * Staff console for the spine clinic assistant: dashboard, the live queue of warning-sign alerts
 * (server-sent events; a header badge counts them), patients enrolled in check-ins (enrol, stop),
 * inbox of messages to label, conversations,
 * replies the messaging channels lost (with a header badge counting lost escalations), models
 * (train, compare, promote, roll back) and the audit log.
 *
 * Talks to the console's JSON API on the same origin with a cookie session; every state-changing
 * request carries the session's CSRF token. Server-provided text is only ever set with
 * textContent (never parsed as HTML). Chart.js (bundled before this file) provides `Chart`.
 */
(function () {
  "use strict";

  const JOB_POLL_MS = 2000;
  const LOST_POLL_MS = 30000;
  const UNANSWERED_FOR_STAFF = 2; // check-ins in a row without an answer: the row is marked (bot/check_ins)
  const DASHBOARD_DAYS = 30;
  const OUTCOMES = [
    { key: "answered", label: "Answered", color: "#1b7f3b" },
    { key: "clarified", label: "Clarified", color: "#0b5394" },
    { key: "declined", label: "Declined", color: "#b35c00" },
    { key: "fallback", label: "Not understood", color: "#6b7785" },
    { key: "escalated", label: "Escalated", color: "#b3261e" },
  ];
  const COLORS = { primary: "#0b5394", up: "#1b7f3b", down: "#b3261e" };

  const session = { user: null, csrf: null };
  const charts = {};
  let labelOptions = null; // a promise, fetched once per sign-in
  let jobTimer = null;
  let lostTimer = null;
  let alertStream = null; // the live queue: server-sent events from /api/alerts/stream
  const listedAlerts = new Map(); // the listed alerts by id, for the row buttons
  const lostReplies = new Map(); // the listed lost replies by id, for the row buttons
  let openConversationId = null;

  /* ---------- DOM helpers ---------- */

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  /* Creates an element. props: text, className, boolean attributes, other attributes; children:
     nodes or strings (strings become text nodes, never HTML). */
  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "className") node.className = value;
      else if (typeof value === "boolean") node.toggleAttribute(key, value);
      else node.setAttribute(key, String(value));
    }
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  }

  const td = (content, className) => el("td", { className }, [content]);

  function renderList(container, emptyNote, nodes) {
    $(container).replaceChildren(...nodes);
    $(emptyNote).hidden = nodes.length > 0;
  }

  function chip(value, prefix) {
    return el("span", { className: `chip chip-${prefix}-${value}`, text: humanize(value) });
  }

  const chips = (values, prefix) => el("span", { className: "chips" }, (values || []).map((v) => chip(v, prefix)));

  /* Icons are inline SVG (24 x 24 paths), hidden from screen readers: emoji and symbol fonts are
     missing on many systems, and the text beside an icon says what it means. */
  const ICONS = {
    warning: "M12 2 1 21h22zM11 9h2v6h-2zM11 16.5h2v2h-2z",
    arrow: "M4 11h12.2l-5.6-5.6L12 4l8 8-8 8-1.4-1.4 5.6-5.6H4z",
  };

  function svgElement(tag, attributes) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attributes).forEach(([key, value]) => node.setAttribute(key, value));
    return node;
  }

  function icon(name) {
    const svg = svgElement("svg", { class: "icon", viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" });
    svg.append(svgElement("path", { d: ICONS[name], fill: "currentColor", "fill-rule": "evenodd" }));
    return svg;
  }

  /* ---------- formatting ---------- */

  const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

  function formatDateTime(iso) {
    const date = new Date(iso);
    return iso && !Number.isNaN(date.getTime()) ? dateTimeFormat.format(date) : "—";
  }

  const timeEl = (iso) => el("time", { datetime: iso || undefined, text: formatDateTime(iso) });

  /* "YYYY-MM-DD" as a local calendar day (new Date("YYYY-MM-DD") would be UTC midnight). */
  function parseDay(day) {
    const [year, month, date] = String(day).split("-").map(Number);
    return new Date(year, month - 1, date);
  }

  const formatDay = (day) => dayFormat.format(parseDay(day));
  const isoDay = (date) =>
    [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((n) => String(n).padStart(2, "0")).join("-");

  const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
  const percent = (share) => (isNumber(share) ? `${(share * 100).toFixed(1)}%` : "—");
  const points = (delta) => (isNumber(delta) ? `${delta > 0 ? "+" : ""}${(delta * 100).toFixed(1)} pts` : "—");
  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const shortId = (id) => String(id).slice(0, 8);
  const orDash = (value) => (value === null || value === undefined || value === "" ? "—" : String(value));

  function humanize(value) {
    const text = String(value).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  /* ---------- messages ---------- */

  function notify(text, kind = "error", details = []) {
    const box = $("#message");
    box.replaceChildren(el("p", { text }));
    if (details.length) box.append(el("ul", {}, details.map((detail) => el("li", { text: detail }))));
    box.className = `message message-${kind}`;
    box.hidden = false;
  }

  function clearMessage() {
    const box = $("#message");
    box.hidden = true;
    box.replaceChildren();
  }

  function showError(error) {
    if (!(error instanceof ApiError)) console.error(error);
    notify(error.message || "Something went wrong.", "error", error.reasons || []);
  }

  /* Wraps an (async) handler so that any error it throws is shown in #message. */
  function withErrors(task) {
    return async (...args) => {
      try {
        return await task(...args);
      } catch (error) {
        showError(error);
        return undefined;
      }
    };
  }

  /* Runs a request with its button disabled, so a double click doesn't send it twice. */
  async function whileDisabled(button, task) {
    button.disabled = true;
    try {
      return await task();
    } finally {
      button.disabled = false;
    }
  }

  /* ---------- API ---------- */

  class ApiError extends Error {
    constructor(status, data) {
      const retry = isNumber(data.retry_after) ? ` Try again in ${Math.ceil(data.retry_after)} s.` : "";
      super(`${data.error || `The server answered ${status}.`}${retry}`);
      this.status = status;
      this.reasons = Array.isArray(data.reasons) ? data.reasons.map(String) : [];
    }
  }

  async function api(method, path, body) {
    const isLogin = method === "POST" && path === "/api/session";
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && !isLogin) headers["X-CSRF-Token"] = session.csrf || "";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, { error: "Can't reach the server. Check the connection and try again." });
    }
    const data = await response.json().catch(() => ({}));
    if (response.status === 401 && !isLogin) signedOut();
    if (!response.ok) throw new ApiError(response.status, data || {});
    return data;
  }

  /* An API path with an id in it (conversation ids hold ":"). */
  const itemPath = (base, id, rest = "") => `${base}/${encodeURIComponent(id)}${rest}`;

  /* ---------- session ---------- */

  const isAdmin = () => Boolean(session.user && session.user.role === "admin");
  const actsOnAlerts = () => Boolean(session.user && ["nurse", "admin"].includes(session.user.role));

  async function boot() {
    bindEvents();
    try {
      startSession(await api("GET", "/api/session"));
    } catch (error) {
      if (error.status !== 401) showError(error);
      signedOut();
    }
  }

  function startSession(info) {
    session.user = { username: info.username, role: info.role };
    session.csrf = info.csrf_token;
    $("#whoami").textContent = `${info.username} (${info.role})`;
    $$(".admin-only").forEach((node) => {
      node.hidden = !isAdmin();
    });
    $$(".nurse-only").forEach((node) => {
      node.hidden = !actsOnAlerts();
    });
    $("#login-view").hidden = true;
    $("#session").hidden = false;
    $("#app").hidden = false;
    withErrors(checkLostReplies)();
    watchAlerts();
    withErrors(openTab)(window.location.hash.slice(1));
  }

  function signedOut() {
    window.clearTimeout(jobTimer);
    window.clearTimeout(lostTimer);
    if (alertStream) alertStream.close();
    alertStream = null;
    $("#lost-badge").hidden = true;
    $("#alerts-badge").hidden = true;
    Object.keys(charts).forEach((id) => {
      charts[id].destroy();
      delete charts[id];
    });
    session.user = null;
    session.csrf = null;
    labelOptions = null;
    $("#report").hidden = true;
    $("#app").hidden = true;
    $("#session").hidden = true;
    $("#login-view").hidden = false;
    $("#username").focus();
  }

  async function login() {
    clearMessage();
    const credentials = { username: $("#username").value.trim(), password: $("#password").value };
    const info = await whileDisabled($("#login"), () => api("POST", "/api/session", credentials));
    $("#password").value = "";
    startSession(info);
  }

  async function logout() {
    clearMessage();
    try {
      await api("DELETE", "/api/session");
    } finally {
      signedOut();
    }
  }

  /* ---------- tabs ---------- */

  const loaders = {
    dashboard: loadDashboard,
    inbox: loadInbox,
    conversations: loadConversations,
    alerts: loadAlerts,
    checkins: loadCheckIns,
    lost: loadLostReplies,
    models: loadModels,
    audit: loadAudit,
  };

  function openTab(name) {
    const tab = loaders[name] && (name !== "audit" || isAdmin()) ? name : "dashboard";
    $$("[data-tab]").forEach((button) => {
      if (button.dataset.tab === tab) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    });
    Object.keys(loaders).forEach((key) => {
      $(`#tab-${key}`).hidden = key !== tab;
    });
    window.history.replaceState(null, "", `#${tab}`);
    return loaders[tab]();
  }

  /* ---------- dashboard ---------- */

  function setDefaultPeriod() {
    const until = new Date();
    const since = new Date(until.getFullYear(), until.getMonth(), until.getDate() - (DASHBOARD_DAYS - 1));
    $("#dash-since").value = isoDay(since);
    $("#dash-until").value = isoDay(until);
  }

  async function loadDashboard() {
    if (!$("#dash-since").value || !$("#dash-until").value) setDefaultPeriod();
    const query = new URLSearchParams({ since: $("#dash-since").value, until: $("#dash-until").value });
    const data = await api("GET", `/api/dashboard?${query}`);
    const days = data.days || [];
    drawCountChart("chart-messages", "Messages", "messages", days);
    drawOutcomesChart(days);
    drawTopicsChart(data.top_faq || []);
    drawFeedbackChart(data.feedback || { up: 0, down: 0, days: [] });
    drawAlertsChart(data.alerts || []);
    drawCountChart("chart-handoffs", "Handoffs", "handoffs", data.handoffs || []);
    const rate = data.check_ins || { sent: 0, answered: 0 };
    $("#check-in-rate").textContent = rate.sent
      ? `· check-ins answered: ${rate.answered} of ${rate.sent} (${Math.round((100 * rate.answered) / rate.sent)}%)`
      : "· no check-ins sent";
    renderUnanswered(data.top_unanswered || []);
  }

  function drawChart(id, config) {
    if (charts[id]) charts[id].destroy();
    const options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options);
    charts[id] = new window.Chart($(`#${id}`), Object.assign({}, config, { options }));
  }

  /* A fresh axis each time: Chart.js keeps the options objects it is given. */
  const countAxis = () => ({ beginAtZero: true, ticks: { precision: 0 } });

  /* One count per day as bars: `key` of each day, named `label`. */
  function drawCountChart(canvasId, label, key, days) {
    drawChart(canvasId, {
      type: "bar",
      data: {
        labels: days.map((day) => formatDay(day.date)),
        datasets: [{ label, data: days.map((day) => day[key]), backgroundColor: COLORS.primary }],
      },
      options: { scales: { y: countAxis() }, plugins: { legend: { display: false } } },
    });
  }

  /* Alerts as bars, the median minutes to acknowledge them as a line on its own axis. */
  function drawAlertsChart(days) {
    drawChart("chart-alerts", {
      type: "bar",
      data: {
        labels: days.map((day) => formatDay(day.date)),
        datasets: [
          { label: "Alerts", data: days.map((day) => day.alerts), backgroundColor: COLORS.down, yAxisID: "y" },
          {
            type: "line",
            label: "Median minutes to acknowledge",
            data: days.map((day) => day.median_minutes_to_acknowledge),
            borderColor: COLORS.primary,
            backgroundColor: COLORS.primary,
            yAxisID: "minutes",
          },
        ],
      },
      options: {
        scales: {
          y: countAxis(),
          minutes: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "minutes" } },
        },
      },
    });
  }

  /* Each day's outcomes as shares of that day's outcome total, so every bar stacks to 100%. */
  function drawOutcomesChart(days) {
    const totals = days.map((day) => OUTCOMES.reduce((sum, outcome) => sum + (day[outcome.key] || 0), 0));
    drawChart("chart-outcomes", {
      type: "bar",
      data: {
        labels: days.map((day) => formatDay(day.date)),
        datasets: OUTCOMES.map((outcome) => ({
          label: outcome.label,
          backgroundColor: outcome.color,
          counts: days.map((day) => day[outcome.key] || 0),
          data: days.map((day, i) => (totals[i] ? ((day[outcome.key] || 0) / totals[i]) * 100 : 0)),
        })),
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, max: 100, ticks: { callback: (value) => `${value}%` } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label}: ${item.parsed.y.toFixed(1)}% (${item.dataset.counts[item.dataIndex]})`,
            },
          },
        },
      },
    });
  }

  function drawTopicsChart(topics) {
    drawChart("chart-topics", {
      type: "bar",
      data: {
        labels: topics.map((topic) => topic.title),
        datasets: [{ label: "Questions", data: topics.map((topic) => topic.count), backgroundColor: COLORS.primary }],
      },
      options: { indexAxis: "y", scales: { x: countAxis() }, plugins: { legend: { display: false } } },
    });
  }

  function drawFeedbackChart(feedback) {
    const days = feedback.days || [];
    $("#feedback-total").textContent = `(helpful ${feedback.up || 0} · not helpful ${feedback.down || 0})`;
    drawChart("chart-feedback", {
      type: "bar",
      data: {
        labels: days.map((day) => formatDay(day.date)),
        datasets: [
          { label: "Helpful", data: days.map((day) => day.up), backgroundColor: COLORS.up },
          { label: "Not helpful", data: days.map((day) => day.down), backgroundColor: COLORS.down },
        ],
      },
      options: { scales: { y: countAxis() } },
    });
  }

  function renderUnanswered(questions) {
    renderList(
      "#top-unanswered",
      "#top-unanswered-empty",
      questions.map((question) =>
        el("li", {}, [
          el("span", { className: "unanswered-text", text: question.text }),
          el("span", { className: "count", text: plural(question.count, "time") }),
        ]),
      ),
    );
  }

  /* ---------- inbox ---------- */

  function getLabelOptions() {
    if (!labelOptions) {
      labelOptions = api("GET", "/api/label-options").catch((error) => {
        labelOptions = null;
        throw error;
      });
    }
    return labelOptions;
  }

  async function loadInbox() {
    const [inbox, options] = await Promise.all([api("GET", "/api/inbox"), getLabelOptions()]);
    renderList("#inbox", "#inbox-empty", (inbox.items || []).map((item) => inboxItem(item, options)));
  }

  function inboxItem(item, options) {
    const labelSlot = el("div", { className: "inbox-label-slot", role: "status" });
    showLabel(labelSlot, item.label);
    return el("li", { className: "inbox-item card", "data-text": item.text }, [
      el("p", { className: "inbox-text", text: item.text }),
      el("p", { className: "inbox-meta" }, [
        chips(item.reasons, "reason"),
        el("span", { className: "inbox-count", text: plural(item.count, "time") }),
        el("span", { className: "inbox-last" }, ["last ", timeEl(item.last_at)]),
      ]),
      answerSummary(item),
      labelForm(item, options, labelSlot),
      labelSlot,
    ]);
  }

  function answerSummary(item) {
    const intent = item.intent ? ` · intent ${item.intent} (${percent(item.confidence)})` : "";
    const open = el("button", { type: "button", className: "button-link", text: "Open conversation" });
    open.addEventListener("click", withErrors(() => showConversation(item.conversation_id)));
    return el("p", { className: "inbox-answer" }, [
      "Assistant answered: ",
      el("span", { className: "inbox-response", text: orDash(item.response) }),
      intent,
      item.conversation_id ? " · " : null,
      item.conversation_id ? open : null,
    ]);
  }

  function select(className, choices, selected, props = {}) {
    const node = el("select", Object.assign({ className }, props), choices.map((c) => el("option", { value: c.value, text: c.text })));
    if (choices.some((choice) => choice.value === selected)) node.value = selected;
    return node;
  }

  /* A select's choices from a list of objects, after an empty placeholder. */
  const choicesOf = (list, valueKey, textKey, placeholder) => [
    { value: "", text: placeholder },
    ...(list || []).map((entry) => ({ value: entry[valueKey], text: entry[textKey] })),
  ];

  const labelled = (text, control) => el("label", { className: "field" }, [el("span", { text }), control]);

  /* The label form's selects, showing the item's label if it has one. */
  function labelControls(item, options) {
    const label = item.label || {};
    const entities = label.entities || {};
    const required = { required: true };
    return {
      kind: select("label-kind", choicesOf(options.kinds, "value", "title", "Choose…"), label.kind, required),
      faq: select("label-faq", choicesOf(options.faq, "key", "title", "Choose a topic…"), label.faq, required),
      intent: select("label-intent", choicesOf(options.intents, "name", "title", "Choose a question…"), label.intent || item.intent, required),
      entities: Object.entries(options.entities || {}).map(([name, values]) => {
        const choices = [{ value: "", text: "—" }, ...values.map((value) => ({ value, text: value }))];
        return select("label-entity", choices, entities[name], { "data-entity": name });
      }),
    };
  }

  function labelForm(item, options, labelSlot) {
    const controls = labelControls(item, options);
    const faqGroup = el("fieldset", { className: "label-group" }, [labelled("FAQ topic", controls.faq)]);
    const timelineGroup = el("fieldset", { className: "label-group" }, [
      labelled("Timeline question", controls.intent),
      ...controls.entities.map((control) => labelled(humanize(control.dataset.entity), control)),
    ]);
    const save = el("button", { type: "submit", className: "label-save button-primary", text: "Save label" });
    const form = el("form", { className: "label-form" }, [labelled("Label as", controls.kind), faqGroup, timelineGroup, save]);
    const showGroups = () => {
      toggleGroup(faqGroup, controls.kind.value === "faq");
      toggleGroup(timelineGroup, controls.kind.value === "timeline");
    };
    controls.kind.addEventListener("change", showGroups);
    showGroups();
    onSubmit(form, () => saveLabel(item, controls, save, labelSlot));
    return form;
  }

  async function saveLabel(item, controls, button, labelSlot) {
    clearMessage();
    const result = await whileDisabled(button, () => api("POST", "/api/labels", labelPayload(item.text, controls)));
    item.label = result.label;
    showLabel(labelSlot, result.label);
  }

  /* A hidden group is also disabled, so its required selects don't block the form. */
  function toggleGroup(group, shown) {
    group.hidden = !shown;
    group.disabled = !shown;
  }

  function labelPayload(text, controls) {
    const payload = { text, kind: controls.kind.value };
    if (payload.kind === "faq") payload.faq = controls.faq.value;
    if (payload.kind === "timeline") {
      payload.intent = controls.intent.value;
      const chosen = controls.entities.filter((control) => control.value);
      if (chosen.length) payload.entities = Object.fromEntries(chosen.map((c) => [c.dataset.entity, c.value]));
    }
    return payload;
  }

  function showLabel(slot, label) {
    slot.replaceChildren();
    if (label) slot.append(el("p", { className: "inbox-label", title: formatDateTime(label.at), text: labelText(label) }));
  }

  function labelText(label) {
    let what = label.kind;
    if (label.kind === "faq" && label.faq) what += `/${label.faq}`;
    if (label.kind === "timeline" && label.intent) what += `/${label.intent}`;
    const entities = Object.entries(label.entities || {}).map(([name, value]) => `${name}=${value}`);
    if (entities.length) what += ` (${entities.join(", ")})`;
    return `Labelled ${what} by ${label.by}`;
  }

  /* ---------- conversations ---------- */

  function filterQuery() {
    const query = new URLSearchParams();
    ["since", "until", "channel", "outcome"].forEach((name) => {
      const value = $(`#filter-${name}`).value;
      if (value) query.set(name, value);
    });
    return query.toString();
  }

  /* Replaces a filter's options, keeping the "all" option and the current choice. */
  function fillFilter(id, values) {
    const node = $(id);
    const current = node.value;
    node.replaceChildren(node.options[0], ...(values || []).map((value) => el("option", { value, text: humanize(value) })));
    node.value = (values || []).includes(current) ? current : "";
  }

  async function loadConversations() {
    showConversationList();
    const query = filterQuery();
    const data = await api("GET", `/api/conversations${query ? `?${query}` : ""}`);
    fillFilter("#filter-channel", data.channels);
    fillFilter("#filter-outcome", data.outcomes);
    renderList("#conversations", "#conversations-empty", (data.conversations || []).map(conversationRow));
  }

  function conversationRow(conversation) {
    const open = el("button", {
      type: "button",
      className: "button-link",
      text: formatDateTime(conversation.started_at),
      "aria-label": `Open the conversation started ${formatDateTime(conversation.started_at)}`,
    });
    const row = el("tr", { className: "conversation-row", "data-id": conversation.id }, [
      td(open),
      td(timeEl(conversation.last_at)),
      td(humanize(conversation.channel || "unknown")),
      td(String(conversation.messages), "num"),
      td(chips(conversation.outcomes, "outcome")),
    ]);
    row.addEventListener("click", withErrors(() => showConversation(conversation.id)));
    return row;
  }

  function showConversationList() {
    openConversationId = null;
    $("#transcript").hidden = true;
    $("#conversation-list").hidden = false;
  }

  /* Opens a transcript, from the list or from elsewhere (the inbox). */
  async function showConversation(id) {
    clearMessage();
    const conversation = await api("GET", itemPath("/api/conversations", id));
    if ($("#tab-conversations").hidden) await openTab("conversations");
    openConversationId = conversation.id || id;
    renderTranscript(conversation);
    $("#conversation-list").hidden = true;
    $("#transcript").hidden = false;
    $("#transcript-title").focus();
  }

  function renderTranscript(conversation) {
    const turns = conversation.turns || [];
    $("#transcript-title").textContent = `Conversation on ${humanize(conversation.channel || "unknown")}`;
    $("#transcript-meta").textContent = `${openConversationId} · ${plural(turns.length, "turn")}`;
    $("#turns").replaceChildren(...turns.map(turnItem));
    renderHandoff(conversation.with_staff);
  }

  const SPEAKERS = { bot: "Assistant", patient: "Patient" };

  function turnItem(turn) {
    const bot = turn.from === "bot";
    const who = turn.from === "staff" ? `Staff (${turn.staff})` : SPEAKERS[turn.from] || turn.from;
    return el("li", { className: `turn turn-${turn.from}` }, [
      el("p", { className: "turn-head" }, [el("strong", { text: who }), " · ", timeEl(turn.at)]),
      el("p", { className: "turn-text", text: turn.text }),
      bot ? turnDetails(turn) : null,
    ]);
  }

  /* ---------- handoff: the staff answer a conversation themselves ---------- */

  let openHandoff = null; // the open transcript's handoff, if the staff have it

  function renderHandoff(handoff) {
    openHandoff = handoff || null;
    const staff = actsOnAlerts();
    $("#handoff-bar").hidden = !staff;
    const byPatient = openHandoff && openHandoff.started_by === "patient";
    $("#handoff-state").textContent = !openHandoff
      ? "The assistant answers this conversation."
      : byPatient
        ? "The patient asked for a person: the assistant no longer answers (except warning signs)."
        : `With the staff since ${formatDateTime(openHandoff.started_at)} (${openHandoff.started_by}).` +
          (openHandoff.callback_number ? ` Call-back number: ${openHandoff.callback_number}.` : "");
    $("#take-over").hidden = !staff || (openHandoff && !byPatient);
    $("#hand-back").hidden = !staff || !openHandoff;
    $("#staff-reply-form").hidden = !staff || !openHandoff;
  }

  async function refreshTranscript() {
    if (!openConversationId || $("#transcript").hidden) return;
    renderTranscript(await api("GET", itemPath("/api/conversations", openConversationId)));
  }

  async function takeOver() {
    clearMessage();
    await whileDisabled($("#take-over"), () => api("POST", itemPath("/api/conversations", openConversationId, "/handoff")));
    await refreshTranscript();
    $("#staff-reply").focus();
    notify("You have the conversation: the patient was told a person is answering.", "ok");
  }

  async function sendStaffReply() {
    clearMessage();
    const text = $("#staff-reply").value.trim();
    if (!text) return;
    await whileDisabled($("#staff-reply-send"), () =>
      api("POST", itemPath("/api/conversations", openConversationId, "/messages"), { text }),
    );
    $("#staff-reply").value = "";
    await refreshTranscript();
  }

  async function handBack() {
    clearMessage();
    await whileDisabled($("#hand-back"), () => api("POST", itemPath("/api/conversations", openConversationId, "/handback")));
    await refreshTranscript();
    notify("Handed back: the assistant answers this conversation again.", "ok");
  }

  async function loadWaiting() {
    const data = await api("GET", "/api/handoffs");
    const items = (data.handoffs || []).map((handoff) =>
      el("li", {}, [
        el("button", {
          type: "button",
          className: "button-link open-waiting",
          "data-conversation": handoff.conversation_id,
          text: `${humanize(handoff.channel)} conversation`,
        }),
        ` · ${handoff.started_by === "patient" ? "asked for a person" : `with ${handoff.started_by}`} · since `,
        timeEl(handoff.started_at),
        handoff.callback_number ? ` · call back: ${handoff.callback_number}` : "",
      ]),
    );
    renderList("#waiting", "#waiting-empty", items);
  }

  function detail(term, className, content) {
    return el("div", {}, [el("dt", { text: term }), el("dd", { className }, [content])]);
  }

  function turnDetails(turn) {
    const intent = turn.intent ? `${turn.intent} (${percent(turn.intent_confidence)})` : "—";
    const cites = el("ul", {}, (turn.cites || []).map((cite) => el("li", { title: cite.id, text: cite.title || cite.id })));
    const model = turn.model_id ? el("code", { title: turn.model_id, text: shortId(turn.model_id) }) : "—";
    return el("dl", { className: "turn-details" }, [
      detail("Response", "turn-response", orDash(turn.response)),
      detail("Intent", "turn-intent", intent),
      detail("Answer confidence", "turn-confidence", percent(turn.answer_confidence)),
      detail("Sources", "turn-cites", (turn.cites || []).length ? cites : "—"),
      detail("Model", "turn-model", model),
      detail("Outcome", "turn-outcome", turn.outcome ? chip(turn.outcome, "outcome") : "—"),
      turn.feedback ? detail("Feedback", "turn-feedback", turn.feedback === "up" ? "Helpful" : "Not helpful") : null,
    ]);
  }

  async function eraseConversation() {
    const id = openConversationId;
    if (!id || !window.confirm("Erase this conversation permanently? This cannot be undone.")) return;
    clearMessage();
    const result = await api("DELETE", itemPath("/api/conversations", id));
    await loadConversations();
    notify(`Erased the conversation (${plural(result.erased || 0, "stored event")}).`, "ok");
  }

  /* ---------- alerts ---------- */

  /* The live queue: the server sends the open and unresolved counts whenever an alert changes
     (EventSource reconnects by itself); the badge shows them, an open Alerts tab reloads. */
  function watchAlerts() {
    if (alertStream) alertStream.close();
    alertStream = new EventSource("/api/alerts/stream");
    alertStream.addEventListener("alerts", (event) => {
      const counts = JSON.parse(event.data);
      const badge = $("#alerts-badge");
      badge.hidden = !counts.unresolved;
      if (counts.open) badge.replaceChildren(icon("warning"), ` ${plural(counts.open, "new alert")}`);
      else badge.replaceChildren(`${plural(counts.unresolved, "alert")} in progress`);
      if (!$("#tab-alerts").hidden) withErrors(loadAlerts)();
    });
    alertStream.addEventListener("handoffs", () => {
      if (!$("#tab-alerts").hidden) withErrors(loadWaiting)();
      if (openHandoff || !$("#transcript").hidden) withErrors(refreshTranscript)();
    });
  }

  async function loadAlerts() {
    await loadWaiting();
    const data = await api("GET", "/api/alerts");
    const alerts = data.alerts || [];
    listedAlerts.clear();
    alerts.forEach((alert) => listedAlerts.set(String(alert.id), alert));
    renderList("#alerts", "#alerts-empty", alerts.map(alertRow));
    $("#alerts-status").textContent = `${plural(data.open || 0, "new alert")}, ${plural(data.unresolved || 0, "alert")} not resolved`;
  }

  function alertRow(alert) {
    const sign = `${alert.urgency === "emergency" ? "Emergency: " : ""}${humanize(alert.sign)}`;
    const who = alert.resolved_by
      ? `resolved by ${alert.resolved_by}`
      : alert.acknowledged_by ? `acknowledged by ${alert.acknowledged_by}` : `paged ${plural(alert.pages, "time")}`;
    const buttons = [el("button", { type: "button", className: "open-conversation button-quiet", text: "Conversation" })];
    if (actsOnAlerts() && alert.state === "open") {
      buttons.push(el("button", { type: "button", className: "acknowledge button-primary", text: "Acknowledge" }));
    }
    if (actsOnAlerts() && alert.state !== "resolved") {
      buttons.push(el("button", { type: "button", className: "resolve button-quiet", text: "Resolve" }));
    }
    const repeats = alert.escalations > 1 ? ` (${plural(alert.escalations, "message")})` : "";
    return el("tr", { className: `alert-row alert-${alert.state} alert-${alert.urgency}`, "data-id": alert.id }, [
      td(timeEl(alert.at)),
      td(sign),
      td(humanize(alert.channel)),
      td(`${alert.text}${repeats}`),
      td(chip(alert.state, "alert")),
      td(who),
      td(el("div", { className: "row-actions" }, buttons)),
    ]);
  }

  async function alertStep(alert, step, button) {
    clearMessage();
    await whileDisabled(button, () => api("POST", itemPath("/api/alerts", alert.id, `/${step}`)));
    await loadAlerts();
    notify(`Alert ${alert.id} ${step === "acknowledge" ? "acknowledged" : "resolved"}.`, "ok");
  }

  /* A table's button clicks, by delegation: the row (of class `rowClass`) gives the item
     (`find(row)`), and the button's first class named in `actions` the step taken on it. */
  function onRowButton(rowClass, find, actions) {
    return (event) => {
      const button = event.target.closest("button");
      const row = button && button.closest(rowClass);
      const item = row && find(row);
      const step = item && Object.keys(actions).find((name) => button.classList.contains(name));
      return step ? actions[step](item, button) : undefined;
    };
  }

  /* ---------- lost replies ---------- */

  /* Refreshes the header's count of lost escalations (and returns the list), again every
     LOST_POLL_MS while signed in. */
  async function checkLostReplies() {
    window.clearTimeout(lostTimer);
    try {
      const data = await api("GET", "/api/lost-replies");
      const badge = $("#lost-badge");
      badge.hidden = !data.escalations;
      badge.replaceChildren(icon("warning"), ` ${plural(data.escalations || 0, "lost escalation")}`);
      return data;
    } finally {
      if (session.user) lostTimer = window.setTimeout(withErrors(checkLostReplies), LOST_POLL_MS);
    }
  }

  async function loadLostReplies() {
    const data = await checkLostReplies();
    const replies = data.replies || [];
    lostReplies.clear();
    replies.forEach((reply) => lostReplies.set(String(reply.id), reply));
    renderList("#lost-replies", "#lost-empty", replies.map(lostRow));
  }

  function lostRow(reply) {
    const open = el("button", {
      type: "button",
      className: "open-conversation button-link",
      text: reply.reference,
      "aria-label": `Open conversation ${reply.reference}`,
    });
    const resend = isAdmin() ? el("button", { type: "button", className: "resend button-primary", text: "Re-send" }) : null;
    return el("tr", { className: reply.escalation ? "lost-row lost-escalation" : "lost-row", "data-id": reply.id }, [
      td(timeEl(reply.at)),
      td(humanize(reply.channel)),
      td(open),
      td(el("span", { className: "chips" }, [reply.escalation ? chip("escalation", "delivery") : null, chip(reply.status, "delivery")])),
      td(orDash(reply.problem)),
      td(String(reply.attempts), "num"),
      td(resend),
    ]);
  }

  async function resendReply(reply, button) {
    clearMessage();
    await whileDisabled(button, () => api("POST", itemPath("/api/lost-replies", reply.id, "/resend")));
    await loadLostReplies();
    notify(`Queued the reply to ${reply.reference} to be sent again; it is listed again if it is lost again.`, "ok");
  }

  /* ---------- check-ins ---------- */

  const enrolments = new Map(); // the listed enrolments by id, for the row buttons

  async function loadCheckIns() {
    const data = await api("GET", "/api/enrolments");
    const listed = data.enrolments || [];
    enrolments.clear();
    listed.forEach((enrolment) => enrolments.set(String(enrolment.id), enrolment));
    renderList("#enrolments", "#enrolments-empty", listed.map(enrolmentRow));
  }

  function enrolmentRow(enrolment) {
    const messages = enrolment.messages || [];
    const sent = messages.filter((m) => m.sent_at).length;
    const answered = messages.filter((m) => m.answered_at).length;
    const next = enrolment.stopped_at ? null : messages.find((m) => m.status === "scheduled");
    const stop =
      actsOnAlerts() && !enrolment.stopped_at
        ? el("button", { type: "button", className: "stop-enrolment button-quiet", text: "Stop" })
        : null;
    const state = enrolment.stopped_at ? `Stopped (${humanize(enrolment.stop_reason)})` : "Running";
    const silent = enrolment.unanswered_in_a_row >= UNANSWERED_FOR_STAFF;
    const answers = [`${sent} sent, ${answered} answered, of ${messages.length}`];
    if (silent) answers.push(" ", chip("no_answer", "enrolment"), ` to the last ${enrolment.unanswered_in_a_row}`);
    return el("tr", { className: `enrolment-row${silent ? " enrolment-silent" : ""}`, "data-id": enrolment.id }, [
      td(enrolment.address),
      td(humanize(enrolment.procedure)),
      td(formatDay(enrolment.surgery_date)),
      td(`${enrolment.hour}:00 ${enrolment.timezone}`),
      td(el("span", {}, answers)),
      td(next ? el("span", {}, [`Day ${next.day}, `, patientTime(next.due_at, enrolment.timezone)]) : "—"),
      td(state),
      td(stop),
    ]);
  }

  /* A due time as the patient's clock shows it (their hour, in their time zone). */
  function patientTime(iso, timeZone) {
    const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone });
    return el("time", { datetime: iso, text: format.format(new Date(iso)), title: `${timeZone} time` });
  }

  async function enrol() {
    clearMessage();
    const body = {
      channel: $("#enrol-channel").value,
      address: $("#enrol-address").value.trim(),
      procedure: $("#enrol-procedure").value.trim(),
      surgery_date: $("#enrol-date").value,
      timezone: $("#enrol-timezone").value.trim(),
      hour: Number($("#enrol-hour").value),
      consent: $("#enrol-consent").checked,
    };
    const data = await whileDisabled($("#enrol"), () => api("POST", "/api/enrolments", body));
    $("#enrol-form").reset();
    await loadCheckIns();
    notify(`Enrolled ${data.enrolment.address}: ${plural(data.enrolment.messages.length, "check-in")} scheduled.`, "ok");
  }

  /* Enrols the patients of a CSV file; the rows refused are listed with their line and reason. */
  async function importEnrolments() {
    clearMessage();
    const [file] = $("#import-file").files;
    const text = await file.text();
    const data = await whileDisabled($("#import"), () => api("POST", "/api/enrolments/import", { csv: text }));
    $("#import-form").reset();
    await loadCheckIns();
    const refused = data.refused.map((row) => `Line ${row.line}: ${row.error}`);
    const summary = `Enrolled ${plural(data.enrolled.length, "patient")}; ${plural(refused.length, "row")} refused.`;
    notify(summary, refused.length ? "error" : "ok", refused);
  }

  async function stopEnrolment(enrolment, button) {
    clearMessage();
    await whileDisabled(button, () => api("DELETE", itemPath("/api/enrolments", enrolment.id)));
    await loadCheckIns();
    notify(`Stopped the check-ins of ${enrolment.address}.`, "ok");
  }

  /* ---------- models ---------- */

  async function loadModels() {
    const data = await refreshModels();
    if (isRunning(data.job)) pollJob();
  }

  function renderModels(data) {
    $("#production-model").replaceChildren(
      "Production model: ",
      data.production ? el("code", { text: data.production }) : "none",
    );
    $("#models tbody").replaceChildren(...(data.models || []).map(modelRow));
  }

  function modelRow(model) {
    const gate = model.gate ? (model.gate.passed ? "Passed" : "Refused") : "—";
    const promoted = model.promoted_at ? [timeEl(model.promoted_at), ` by ${orDash(model.promoted_by)}`] : ["—"];
    const actions = el("div", { className: "row-actions" }, [
      el("button", { type: "button", className: "show-report button-quiet", text: "Report" }),
    ]);
    if (isAdmin() && model.status !== "production") {
      actions.append(el("button", { type: "button", className: "promote button-primary", text: "Promote" }));
    }
    return el("tr", { className: "model-row", "data-model-id": model.id }, [
      el("td", { className: "model-id" }, [
        el("code", { title: model.id, text: shortId(model.id) }),
        model.file ? el("span", { className: "model-file", text: model.file }) : null,
      ]),
      td(timeEl(model.created_at)),
      td(orDash(model.created_by)),
      td(orDash(model.source)),
      td(chip(model.status, "status")),
      el("td", { title: model.gate ? (model.gate.reasons || []).join("\n") : undefined, text: gate }),
      el("td", {}, promoted),
      td(actions),
    ]);
  }

  async function refreshModels() {
    const data = await api("GET", "/api/models");
    renderModels(data);
    renderJob(data.job);
    return data;
  }

  async function promote(id, button) {
    notify(`Promoting ${id}: loading it beside the running model\u2026`, "info");
    const result = await whileDisabled(button, () => api("POST", itemPath("/api/models", id, "/promote")));
    await refreshModels();
    notify(`Promoted ${result.production} in ${Number(result.swap_seconds || 0).toFixed(1)} s`, "ok");
  }

  async function rollback() {
    notify("Rolling back to the previous production model\u2026", "info");
    const result = await whileDisabled($("#rollback"), () => api("POST", "/api/models/rollback"));
    await refreshModels();
    notify(`Rolled back: the production model is now ${result.production || "none"}.`, "ok");
  }

  /* ---------- training job ---------- */

  const isRunning = (job) => Boolean(job && (job.state === "training" || job.state === "evaluating"));

  async function train() {
    clearMessage();
    const result = await api("POST", "/api/models/train");
    renderJob(result.job);
    pollJob();
  }

  function pollJob() {
    window.clearTimeout(jobTimer);
    jobTimer = window.setTimeout(withErrors(checkJob), JOB_POLL_MS);
  }

  async function checkJob() {
    const data = await api("GET", "/api/job");
    const job = data.job || data; // the job object, bare or wrapped like POST /api/models/train's
    renderJob(job);
    if (isRunning(job)) pollJob();
    else await refreshModels();
  }

  function jobText(job) {
    switch (job && job.state) {
      case "training":
        return `Training: ${job.step || "starting"} (${Math.round((job.progress || 0) * 100)}%)`;
      case "evaluating":
        return "Evaluating the new model\u2026";
      case "done":
        return `Done: model ${job.model_id}`;
      case "failed":
        return `Failed: ${job.error || "unknown error"}`;
      default:
        return "No training running.";
    }
  }

  function renderJob(job) {
    const state = job ? job.state : "idle";
    const bar = $("#job-progress");
    $("#job-status").textContent = jobText(job);
    bar.hidden = state === "idle";
    bar.value = state === "done" ? 1 : (job && job.progress) || 0;
    $("#train").disabled = isRunning(job);
  }

  /* ---------- evaluation report ---------- */

  async function showReport(id) {
    clearMessage();
    const report = await api("GET", itemPath("/api/models", id, "/report"));
    renderReport(report);
    $("#report").hidden = false;
    $("#report-title").focus();
  }

  function renderReport(report) {
    const changed = report.changed || [];
    $("#report-title").textContent = `Evaluation report: ${report.model_id}`;
    $("#report-subtitle").textContent = report.production_id
      ? `Compared with the production model ${report.production_id}`
      : "No production model to compare with.";
    const verdict = $("#report .gate-verdict");
    verdict.textContent = report.passed ? "Passed" : "Refused";
    verdict.className = `gate-verdict ${report.passed ? "verdict-passed" : "verdict-refused"}`;
    $("#gate-reasons").replaceChildren(...(report.reasons || []).map((reason) => el("li", { className: "gate-reason", text: reason })));
    $("#metrics").replaceChildren(...(report.metrics || []).map(metricRow));
    $("#changed-count").textContent = `${plural(changed.length, "answer")} changed`;
    $("#changed").replaceChildren(...changed.map(changedRow));
  }

  function metricRow(metric) {
    const result = typeof metric.passed === "boolean" ? chip(metric.passed ? "pass" : "fail", "metric") : "—";
    return el("tr", { className: "metric-row" }, [
      el("th", { scope: "row", title: metric.key, text: metric.title || metric.key }),
      td(percent(metric.candidate), "num"),
      td(percent(metric.production), "num"),
      td(points(metric.delta), "num"),
      td(orDash(metric.threshold)),
      td(result),
    ]);
  }

  function changedRow(change) {
    return el("tr", { className: "changed-answer" }, [
      td(orDash(change.set)),
      el("td", { title: change.case || undefined, text: change.text }),
      td(el("span", {}, [
        el("span", { className: "answer-production", text: orDash(change.production) }),
        " ",
        icon("arrow"),
        el("span", { className: "visually-hidden", text: "became" }),
        " ",
        el("span", { className: "answer-candidate", text: orDash(change.candidate) }),
      ])),
    ]);
  }

  /* ---------- audit ---------- */

  async function loadAudit() {
    const data = await api("GET", "/api/audit");
    const display = (value) => (value !== null && typeof value === "object" ? JSON.stringify(value) : orDash(value));
    renderList(
      "#audit",
      "#audit-empty",
      (data.entries || []).map((entry) =>
        el("tr", { className: "audit-row" }, [td(timeEl(entry.at)), td(display(entry.user)), td(display(entry.action)), td(display(entry.target))]),
      ),
    );
  }

  /* ---------- wiring ---------- */

  /* Handles a form's submit in the page (form: an element or a selector), errors in #message. */
  function onSubmit(form, task) {
    const handler = withErrors(task);
    (typeof form === "string" ? $(form) : form).addEventListener("submit", (event) => {
      event.preventDefault();
      handler(event);
    });
  }

  function bindEvents() {
    onSubmit("#login-form", login);
    onSubmit("#dash-form", () => {
      clearMessage();
      return loadDashboard();
    });
    onSubmit("#filter-form", () => {
      clearMessage();
      return loadConversations();
    });
    $("#logout").addEventListener("click", withErrors(logout));
    $$("[data-tab]").forEach((button) => {
      button.addEventListener("click", () => {
        clearMessage();
        withErrors(openTab)(button.dataset.tab);
      });
    });
    $("#transcript-back").addEventListener("click", showConversationList);
    $("#erase-conversation").addEventListener("click", withErrors(eraseConversation));
    $("#train").addEventListener("click", withErrors(train));
    $("#rollback").addEventListener("click", withErrors(rollback));
    const modelsClick = onRowButton(".model-row", (row) => row.dataset.modelId, {
      "show-report": showReport,
      promote,
    });
    $("#models tbody").addEventListener("click", withErrors(modelsClick));
    const openConversation = (item) => showConversation(item.conversation_id);
    const lostClick = onRowButton(".lost-row", (row) => lostReplies.get(row.dataset.id), {
      "open-conversation": openConversation,
      resend: resendReply,
    });
    $("#lost-replies").addEventListener("click", withErrors(lostClick));
    const enrolmentsClick = onRowButton(".enrolment-row", (row) => enrolments.get(row.dataset.id), {
      "stop-enrolment": stopEnrolment,
    });
    $("#enrolments").addEventListener("click", withErrors(enrolmentsClick));
    onSubmit("#enrol-form", enrol);
    onSubmit("#import-form", importEnrolments);
    const alertsClick = onRowButton(".alert-row", (row) => listedAlerts.get(row.dataset.id), {
      "open-conversation": openConversation,
      acknowledge: (alert, button) => alertStep(alert, "acknowledge", button),
      resolve: (alert, button) => alertStep(alert, "resolve", button),
    });
    $("#alerts").addEventListener("click", withErrors(alertsClick));
    $("#waiting").addEventListener("click", (event) => {
      const button = event.target.closest(".open-waiting");
      if (button) withErrors(showConversation)(button.dataset.conversation);
    });
    $("#take-over").addEventListener("click", withErrors(takeOver));
    $("#hand-back").addEventListener("click", withErrors(handBack));
    onSubmit("#staff-reply-form", sendStaffReply);
    $("#alerts-badge").addEventListener("click", () => {
      clearMessage();
      withErrors(openTab)("alerts");
    });
    $("#lost-badge").addEventListener("click", () => {
      clearMessage();
      withErrors(openTab)("lost");
    });
  }

  function configureCharts() {
    const Chart = window.Chart;
    Chart.defaults.color = "#3c4652";
    Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    Chart.defaults.animation = false; // figures, not a show: charts appear complete at once
  }

  function start() {
    configureCharts();
    boot();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
