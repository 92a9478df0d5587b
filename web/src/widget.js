/*
 * Spine clinic chat widget. Embed with one script tag after a small config:
 *
 *   <script>window.spineChatConfig = { serverUrl: "https://chat.clinic.example" };</script>
 *   <script src="https://chat.clinic.example/widget/spine-chat.js" defer></script>
 *
 * Talks to the Rasa server's socket.io channel (websocket transport). Message text is only ever
 * set with textContent: nothing a message contains is executed or parsed as HTML. The
 * conversation survives page reloads in the same tab (sessionStorage): the server issued its
 * session id and a key proving it, and continues the conversation only for that key. "End chat"
 * leaves the conversation and clears it from the browser. Under each answer the patient can say
 * whether it helped (thumbs up or down), which the clinic's staff review. The phone numbers a
 * reply gives (listed by the server in metadata.call) are tap-to-call links (tel:).
 */
(function () {
  "use strict";

  var defaults = {
    serverUrl: window.location.origin,
    socketPath: "/socket.io",
    title: "Recovery assistant",
    primaryColor: "#0b5394",
    greeting: "Hello! Ask me about recovering from spine surgery or spinal fusion.",
  };
  var config = Object.assign({}, defaults, window.spineChatConfig || {});
  var storageKey = "spineChat:" + config.serverUrl;
  var state = restore();
  var socket = null;
  var confirmed = false;
  var pending = [];
  var unanswered = null; /* the message last sent, until a reply comes: sent again after a reconnect */
  var typingTimer = null;
  var ui = {};
  var TYPING_TIMEOUT_MS = 20000;

  function restore() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(storageKey) || "null");
      if (saved && Array.isArray(saved.messages)) return saved;
    } catch (error) {
      /* unreadable storage: start a new conversation */
    }
    return freshState(false);
  }

  function freshState(open) {
    return { sessionId: null, sessionKey: null, messages: [], open: open };
  }

  function save() {
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(state));
    } catch (error) {
      /* storage full or disabled: the conversation just won't survive a reload */
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Where `number` stands in `text` on its own (not inside a longer number), or -1. */
  function numberAt(text, number) {
    for (var at = text.indexOf(number); at >= 0; at = text.indexOf(number, at + 1)) {
      if (!/\d/.test(text.charAt(at - 1)) && !/\d/.test(text.charAt(at + number.length))) return at;
    }
    return -1;
  }

  /* A message's text, with each number of `calls` ({label, number}) as a tap-to-call link: the
     href keeps only the digits (and a leading +); everything else stays text. */
  function textWithCalls(text, calls) {
    var paragraph = element("p", "spc-text");
    var rest = text;
    for (;;) {
      var next = null;
      calls.forEach(function (call) {
        var at = call.number ? numberAt(rest, call.number) : -1;
        if (at >= 0 && (!next || at < next.at || (at === next.at && call.number.length > next.call.number.length))) {
          next = { at: at, call: call };
        }
      });
      if (!next) break;
      paragraph.appendChild(document.createTextNode(rest.slice(0, next.at)));
      var link = element("a", "spc-call", next.call.number);
      link.href = "tel:" + (next.call.number.trim().charAt(0) === "+" ? "+" : "") + next.call.number.replace(/\D/g, "");
      link.title = next.call.label;
      paragraph.appendChild(link);
      rest = rest.slice(next.at + next.call.number.length);
    }
    paragraph.appendChild(document.createTextNode(rest));
    return paragraph;
  }

  function visuallyHidden(text) {
    return element("span", "spc-visually-hidden", text);
  }

  /* A text input with the id `id`, and its label (of class `labelClass`) saying `labelText`. */
  function labelledInput(id, type, labelClass, labelText) {
    var label = element("label", labelClass, labelText);
    label.setAttribute("for", id);
    var input = element("input", "spc-input");
    input.id = id;
    input.type = type;
    return { label: label, input: input };
  }

  /* A speech-balloon icon drawn inline: emoji fonts are missing on many systems. */
  function chatIcon() {
    var svgNs = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("class", "spc-bubble-icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(svgNs, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function build() {
    var root = element("div", "spc-root");
    root.style.setProperty("--spc-primary", config.primaryColor);

    ui.bubble = element("button", "spc-bubble");
    ui.bubble.type = "button";
    ui.bubble.setAttribute("aria-expanded", "false");
    ui.bubble.setAttribute("aria-controls", "spc-panel");
    ui.bubble.setAttribute("aria-label", "Open chat: " + config.title);
    ui.bubble.appendChild(chatIcon());
    ui.bubble.appendChild(element("span", "spc-bubble-label", "Chat"));

    ui.panel = element("section", "spc-panel");
    ui.panel.id = "spc-panel";
    ui.panel.hidden = true;
    ui.panel.setAttribute("role", "dialog");
    ui.panel.setAttribute("aria-labelledby", "spc-title");

    var header = element("header", "spc-header");
    var title = element("h2", "spc-title", config.title);
    title.id = "spc-title";
    ui.end = element("button", "spc-end", "End chat");
    ui.end.type = "button";
    ui.end.title = "End this chat and clear it from this browser";
    ui.close = element("button", "spc-close", "\u00D7");
    ui.close.type = "button";
    ui.close.setAttribute("aria-label", "Close chat");
    header.appendChild(title);
    header.appendChild(ui.end);
    header.appendChild(ui.close);

    // shown while the clinic's staff have the conversation, with a form to leave a call-back number
    ui.staffBar = element("div", "spc-staff-bar");
    ui.staffBar.hidden = true;
    ui.staffBar.appendChild(element("p", "spc-staff-note", "You are talking with the clinic's staff."));
    ui.callbackToggle = element("button", "spc-link", "Leave a number for a call back");
    ui.callbackToggle.type = "button";
    ui.callbackToggle.setAttribute("aria-expanded", "false");
    ui.callbackToggle.setAttribute("aria-controls", "spc-callback");
    ui.staffBar.appendChild(ui.callbackToggle);
    ui.callbackForm = element("form", "spc-callback");
    ui.callbackForm.id = "spc-callback";
    ui.callbackForm.hidden = true;
    var number = labelledInput("spc-callback-number", "tel", "spc-callback-label", "Phone number");
    ui.callbackNumber = number.input;
    ui.callbackNumber.autocomplete = "tel";
    ui.callbackNumber.required = true;
    var consent = element("label", "spc-consent");
    ui.callbackConsent = element("input");
    ui.callbackConsent.type = "checkbox";
    ui.callbackConsent.required = true;
    consent.appendChild(ui.callbackConsent);
    consent.appendChild(document.createTextNode(" The clinic may call me back on this number. It is kept with this chat and deleted with it."));
    ui.callbackSend = element("button", "spc-send", "Send number");
    ui.callbackSend.type = "submit";
    [number.label, ui.callbackNumber, consent, ui.callbackSend].forEach(function (node) {
      ui.callbackForm.appendChild(node);
    });
    ui.staffBar.appendChild(ui.callbackForm);

    ui.status = element("p", "spc-status");
    ui.status.setAttribute("role", "status");
    ui.status.hidden = true;

    ui.log = element("ol", "spc-log");
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.setAttribute("aria-label", "Conversation");
    ui.log.tabIndex = 0;

    ui.typing = element("p", "spc-typing");
    ui.typing.hidden = true;
    ui.typing.appendChild(element("span", "spc-dots", "\u2022\u2022\u2022"));
    ui.typing.appendChild(visuallyHidden("The assistant is typing"));

    ui.form = element("form", "spc-form");
    var question = labelledInput("spc-input", "text", "spc-visually-hidden", "Your question");
    ui.input = question.input;
    ui.input.autocomplete = "off";
    ui.input.maxLength = 1000;
    ui.input.placeholder = "Type your question";
    ui.send = element("button", "spc-send", "Send");
    ui.send.type = "submit";
    ui.form.appendChild(question.label);
    ui.form.appendChild(ui.input);
    ui.form.appendChild(ui.send);

    ui.panel.appendChild(header);
    // the assistant's disclaimer, as the server words it (sent with the session)
    ui.disclaimer = element("p", "spc-disclaimer", state.disclaimer || "");
    ui.panel.appendChild(ui.disclaimer);
    ui.panel.appendChild(ui.staffBar);
    ui.panel.appendChild(ui.status);
    ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.typing);
    ui.panel.appendChild(ui.form);
    root.appendChild(ui.panel);
    root.appendChild(ui.bubble);
    document.body.appendChild(root);

    ui.bubble.addEventListener("click", function () {
      setOpen(ui.panel.hidden);
    });
    ui.close.addEventListener("click", function () {
      setOpen(false);
    });
    ui.callbackToggle.addEventListener("click", function () {
      ui.callbackForm.hidden = !ui.callbackForm.hidden;
      ui.callbackToggle.setAttribute("aria-expanded", String(!ui.callbackForm.hidden));
      if (!ui.callbackForm.hidden) ui.callbackNumber.focus();
    });
    ui.callbackForm.addEventListener("submit", function (event) {
      event.preventDefault();
      leaveCallbackNumber(ui.callbackNumber.value.trim());
    });
    ui.end.addEventListener("click", endChat);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") setOpen(false);
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) return;
      ui.input.value = "";
      send(text, text);
    });
  }

  function setOpen(open) {
    ui.panel.hidden = !open;
    ui.bubble.setAttribute("aria-expanded", String(open));
    ui.bubble.setAttribute("aria-label", (open ? "Close chat: " : "Open chat: ") + config.title);
    state.open = open;
    save();
    if (open) {
      if (!state.messages.length) addMessage({ from: "bot", text: config.greeting });
      connect();
      ui.input.focus();
      scrollToEnd();
    } else {
      ui.bubble.focus();
    }
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function renderChoices(item, message) {
    var choices = element("div", "spc-choices");
    choices.setAttribute("role", "group");
    choices.setAttribute("aria-label", "Suggested replies");
    message.choices.forEach(function (choice) {
      var button = element("button", "spc-choice", choice.title);
      button.type = "button";
      button.addEventListener("click", function () {
        message.choices = [];
        save();
        choices.remove();
        send(choice.payload, choice.title);
      });
      choices.appendChild(button);
    });
    item.appendChild(choices);
  }

  function renderFeedback(item, message) {
    var line = element("div", "spc-feedback");
    if (message.rating) {
      line.appendChild(element("span", null, "Thanks for your feedback."));
      item.appendChild(line);
      return;
    }
    line.setAttribute("role", "group");
    line.setAttribute("aria-label", "Was this helpful?");
    line.appendChild(element("span", null, "Was this helpful?"));
    [
      ["up", "\uD83D\uDC4D", "Helpful"],
      ["down", "\uD83D\uDC4E", "Not helpful"],
    ].forEach(function (choice) {
      var button = element("button", null, choice[1]);
      button.type = "button";
      button.setAttribute("data-rating", choice[0]);
      button.setAttribute("aria-label", choice[2]);
      button.addEventListener("click", function () {
        message.rating = choice[0];
        save();
        sendFeedback({ rating: choice[0], text: message.text });
        line.textContent = "Thanks for your feedback.";
        line.tabIndex = -1; // the clicked button is gone: keep the keyboard's place here
        line.focus();
      });
      line.appendChild(button);
    });
    item.appendChild(line);
  }

  function render(message) {
    var urgent = message.urgency === "urgent" || message.urgency === "emergency";
    var item = element("li", "spc-msg spc-" + message.from + (urgent ? " spc-urgent" : ""));
    if (urgent) {
      item.setAttribute("role", "alert");
      item.appendChild(element("strong", "spc-urgent-label", message.urgency === "emergency" ? "Emergency" : "Urgent"));
    } else if (message.from !== "staff") {
      /* a staff message says so itself ("Clinic staff: ...") */
      item.appendChild(visuallyHidden(message.from === "user" ? "You said: " : "Assistant: "));
    }
    item.appendChild(textWithCalls(message.text, message.calls || []));
    if (message.source) item.appendChild(element("p", "spc-source", message.source));
    if (message.choices && message.choices.length) renderChoices(item, message);
    if (message.rateable) renderFeedback(item, message);
    ui.log.appendChild(item);
    scrollToEnd();
  }

  function addMessage(message) {
    state.messages.push(message);
    save();
    render(message);
  }

  /* While the clinic's staff have the conversation the assistant does not answer: no typing dots. */
  function setWithStaff(withStaff) {
    state.withStaff = Boolean(withStaff);
    save();
    ui.staffBar.hidden = !state.withStaff;
    if (!state.withStaff) ui.callbackForm.hidden = true;
  }

  function leaveCallbackNumber(number) {
    if (!socket || !confirmed || !number || !ui.callbackConsent.checked) return;
    socket.emit("callback_number", { number: number, consent: true }, function (answer) {
      if (answer && answer.kept) {
        ui.callbackForm.hidden = true;
        ui.callbackToggle.setAttribute("aria-expanded", "false");
        setStatus("Thank you: the clinic's staff will call you back on that number.");
      } else {
        setStatus("That number could not be kept. Please check it, or call the clinic.");
      }
    });
  }

  function setStatus(text) {
    ui.status.textContent = text || "";
    ui.status.hidden = !text;
  }

  function requestSession() {
    socket.emit("session_request", { session_id: state.sessionId, session_key: state.sessionKey });
  }

  /* Leaves the conversation on the server and forgets it here; the next message starts a new one. */
  function endChat() {
    if (socket && confirmed) socket.emit("session_end");
    confirmed = false;
    pending = [];
    unanswered = null;
    state = freshState(true);
    try {
      window.sessionStorage.removeItem(storageKey);
    } catch (error) {
      /* storage disabled: nothing was kept */
    }
    ui.log.textContent = "";
    ui.typing.hidden = true;
    setWithStaff(false);
    addMessage({ from: "bot", text: config.greeting });
    setStatus("Chat ended and cleared from this browser.");
    if (socket && socket.connected) requestSession();
    ui.input.focus();
  }

  function connect() {
    if (socket) return;
    socket = window.io(config.serverUrl, {
      path: config.socketPath,
      transports: ["websocket"],
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    });
    socket.on("connect", function () {
      setStatus("");
      requestSession();
    });
    socket.on("session_confirm", function (session) {
      session = session || {};
      state.sessionId = session.session_id || null;
      state.sessionKey = session.session_key || null;
      if (session.max_length) ui.input.maxLength = Number(session.max_length);
      setWithStaff(session.with_staff);
      if (session.disclaimer) {
        state.disclaimer = String(session.disclaimer);
        ui.disclaimer.textContent = state.disclaimer;
      }
      confirmed = true;
      save();
      pending.splice(0).forEach(emit);
    });
    socket.on("bot_uttered", function (data) {
      unanswered = null;
      ui.typing.hidden = true;
      var metadata = (data && data.metadata) || {};
      if (metadata.with_staff !== undefined) setWithStaff(metadata.with_staff);
      addMessage({
        from: metadata.staff ? "staff" : "bot",
        text: String((data && data.text) || ""),
        source: metadata.source || "",
        urgency: metadata.urgency || "",
        rateable: Boolean(metadata.rateable),
        calls: (Array.isArray(metadata.call) ? metadata.call : []).map(function (call) {
          return { label: String(call.label || ""), number: String(call.number || "") };
        }),
        choices: ((data && data.quick_replies) || []).map(function (reply) {
          return { title: String(reply.title), payload: String(reply.payload) };
        }),
      });
    });
    socket.on("disconnect", function () {
      confirmed = false;
      /* The server may have died before answering: send the message again, marked as a retry,
         so that a server which did process it answers with the replies it stored, not twice. */
      if (unanswered && pending.indexOf(unanswered) < 0) {
        unanswered.retry = true;
        pending.push(unanswered);
      }
      setStatus("Connection lost. Reconnecting\u2026");
    });
    socket.on("connect_error", function () {
      setStatus("Can't reach the assistant right now. Retrying\u2026");
    });
  }

  function emit(payload) {
    if (payload && payload.feedback) socket.emit("feedback", payload.feedback);
    else socket.emit("user_uttered", { message: payload.text, message_id: payload.id, retry: payload.retry });
  }

  function messageId() {
    var random = new Uint32Array(4);
    window.crypto.getRandomValues(random);
    return Array.prototype.map.call(random, function (n) {
      return n.toString(16).padStart(8, "0");
    }).join("");
  }

  function sendFeedback(feedback) {
    connect();
    if (confirmed) emit({ feedback: feedback });
    else pending.push({ feedback: feedback });
  }

  function send(payload, shown) {
    addMessage({ from: "user", text: shown });
    ui.typing.hidden = Boolean(state.withStaff);
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () {
      ui.typing.hidden = true;
    }, TYPING_TIMEOUT_MS);
    var message = { text: payload, id: messageId(), retry: false };
    unanswered = message;
    connect();
    if (confirmed) emit(message);
    else pending.push(message);
  }

  function start() {
    build();
    state.messages.forEach(render);
    setWithStaff(state.withStaff);
    /* a conversation with the staff goes on after a reload: listen for their messages at once */
    if (state.withStaff && state.sessionId) connect();
    if (state.open) setOpen(true);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
