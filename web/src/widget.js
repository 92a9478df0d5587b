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
 * The header's "Text size" buttons scale all of the widget's text (remembered in localStorage);
 * "Save answers" downloads the conversation with its sources as a text file, and "Print" prints
 * it alone (the print rules of widget.css apply while html has the class spc-printing). Icons
 * are inline SVG or CSS shapes: emoji fonts are missing on many systems.
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
  var textSizeKey = "spineChat:textSize";
  var TEXT_SIZES = ["100", "150", "200"]; /* percent of the widget's 16 px text */
  var state = restore();
  var socket = null;
  var confirmed = false;
  var pending = [];
  var unanswered = null; /* the message last sent, until a reply comes: sent again after a reconnect */
  var typingTimer = null;
  var ui = {};
  var TYPING_TIMEOUT_MS = 20000;
  var RESEND_DELAY_MS = 3000; /* a message the server could not store is sent again after this */
  var MAX_RESENDS = 5;
  var DOWNLOAD_URL_MS = 60000; /* the saved file's blob: URL is kept this long for the download */

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

  /* `text` added to `node`, with each number of `calls` ({label, number}) as a tap-to-call link:
     the href keeps only the digits (and a leading +); everything else stays text. */
  function withCalls(node, text, calls) {
    var paragraph = node;
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

  /* A message's text as paragraphs and lists: the lines that begin with "- " are a list's items
     (on SMS they stay bullet lines). */
  function messageBody(text, calls) {
    var body = element("div", "spc-body");
    var list = null;
    var lines = [];
    function endParagraph() {
      if (lines.length) body.appendChild(withCalls(element("p", "spc-text"), lines.join("\n"), calls));
      lines = [];
    }
    text.split("\n").forEach(function (line) {
      if (line.indexOf("- ") === 0) {
        endParagraph();
        if (!list) list = body.appendChild(element("ul", "spc-list"));
        list.appendChild(withCalls(element("li", "spc-text"), line.slice(2), calls));
      } else {
        list = null;
        lines.push(line);
      }
    });
    endParagraph();
    return body;
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

  var ICONS = {
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
    close: "M5.7 4.3 12 10.6l6.3-6.3 1.4 1.4-6.3 6.3 6.3 6.3-1.4 1.4-6.3-6.3-6.3 6.3-1.4-1.4 6.3-6.3-6.3-6.3z",
    thumb: "M2 10h4v11H2zM8 21h9.5a2 2 0 0 0 1.9-1.4l2-6.5A2 2 0 0 0 19.5 10H14l1-4.5A2 2 0 0 0 13 3l-5 7z",
    warning: "M12 2 1 21h22zM11 9h2v6h-2zM11 16.5h2v2h-2z",
  };

  /* An icon drawn inline (ICONS[name], 24 x 24), hidden from screen readers: the control or text
     beside it carries the meaning. `turned` draws it upside down (a thumb down). */
  function icon(name, turned) {
    var svgNs = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("class", "spc-icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(svgNs, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    path.setAttribute("fill-rule", "evenodd");
    if (turned) path.setAttribute("transform", "rotate(180 12 12)");
    svg.appendChild(path);
    return svg;
  }

  function button(className, text) {
    var node = element("button", className, text);
    node.type = "button";
    return node;
  }

  function buildHeader() {
    var header = element("header", "spc-header");
    var title = element("h2", "spc-title", config.title);
    title.id = "spc-title";
    ui.close = button("spc-close");
    ui.close.setAttribute("aria-label", "Close chat");
    ui.close.appendChild(icon("close"));
    header.appendChild(title);
    header.appendChild(ui.close);
    header.appendChild(buildTextSize());
    return header;
  }

  /* "Text size": one pressed button of TEXT_SIZES. */
  function buildTextSize() {
    var group = element("div", "spc-text-size");
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", "spc-text-size-label");
    var label = element("span", "spc-text-size-label", "Text size");
    label.id = "spc-text-size-label";
    group.appendChild(label);
    ui.textSizes = TEXT_SIZES.map(function (size) {
      var choice = button("spc-text-size-choice", size + "%");
      choice.setAttribute("data-size", size);
      choice.addEventListener("click", function () {
        setTextSize(size);
        rememberTextSize(size);
      });
      group.appendChild(choice);
      return choice;
    });
    return group;
  }

  /* Shown while the clinic's staff have the conversation, with a form to leave a call-back number. */
  function buildStaffBar() {
    ui.staffBar = element("div", "spc-staff-bar");
    ui.staffBar.hidden = true;
    ui.staffBar.appendChild(element("p", "spc-staff-note", "You are talking with the clinic's staff."));
    ui.callbackToggle = button("spc-link", "Leave a number for a call back");
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
    return ui.staffBar;
  }

  /* The conversation: a live region (the scrolling box) around the list of messages. */
  function buildLog() {
    ui.log = element("div", "spc-log");
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.setAttribute("aria-label", "Conversation");
    ui.log.tabIndex = 0;
    ui.messages = element("ol", "spc-messages");
    ui.log.appendChild(ui.messages);
    return ui.log;
  }

  function buildTyping() {
    ui.typing = element("p", "spc-typing");
    ui.typing.hidden = true;
    var dots = element("span", "spc-dots");
    dots.setAttribute("aria-hidden", "true");
    ui.typing.appendChild(dots);
    ui.typing.appendChild(visuallyHidden("The assistant is typing"));
    return ui.typing;
  }

  function buildForm() {
    ui.form = element("form", "spc-form");
    var question = labelledInput("spc-input", "text", "spc-visually-hidden", "Your question");
    ui.input = question.input;
    ui.input.autocomplete = "off";
    ui.input.maxLength = 1000;
    ui.input.placeholder = "Your question";
    ui.send = element("button", "spc-send", "Send");
    ui.send.type = "submit";
    ui.form.appendChild(question.label);
    ui.form.appendChild(ui.input);
    ui.form.appendChild(ui.send);
    return ui.form;
  }

  /* What the patient can do with the whole conversation: keep it, print it, end it. */
  function buildActions() {
    var actions = element("div", "spc-actions");
    ui.save = button("spc-action spc-save", "Save answers");
    ui.save.title = "Download this conversation, with the sources of the answers, as a text file";
    ui.print = button("spc-action spc-print", "Print");
    ui.print.title = "Print this conversation";
    ui.end = button("spc-action spc-end", "End chat");
    ui.end.title = "End this chat and clear it from this browser";
    [ui.save, ui.print, ui.end].forEach(function (node) {
      actions.appendChild(node);
    });
    return actions;
  }

  function build() {
    ui.root = element("div", "spc-root");
    ui.root.style.setProperty("--spc-primary", config.primaryColor);

    ui.bubble = button("spc-bubble");
    ui.bubble.setAttribute("aria-expanded", "false");
    ui.bubble.setAttribute("aria-controls", "spc-panel");
    ui.bubble.setAttribute("aria-label", "Open chat: " + config.title);
    ui.bubble.appendChild(icon("chat"));
    ui.bubble.appendChild(element("span", "spc-bubble-label", "Chat"));

    ui.panel = element("section", "spc-panel");
    ui.panel.id = "spc-panel";
    ui.panel.hidden = true;
    ui.panel.setAttribute("role", "dialog");
    ui.panel.setAttribute("aria-labelledby", "spc-title");

    ui.status = element("p", "spc-status");
    ui.status.setAttribute("role", "status");
    ui.status.hidden = true;

    ui.panel.appendChild(buildHeader());
    // the assistant's disclaimer, as the server words it (sent with the session)
    ui.disclaimer = element("p", "spc-disclaimer", state.disclaimer || "");
    var parts = [ui.disclaimer, buildStaffBar(), ui.status, buildLog(), buildTyping(), buildForm(), buildActions()];
    parts.forEach(function (node) {
      ui.panel.appendChild(node);
    });
    ui.root.appendChild(ui.panel);
    ui.root.appendChild(ui.bubble);
    document.body.appendChild(ui.root);
    setTextSize(savedTextSize());
    bindEvents();
  }

  function bindEvents() {
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
    ui.save.addEventListener("click", saveAnswers);
    ui.print.addEventListener("click", printConversation);
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

  function savedTextSize() {
    try {
      return window.localStorage.getItem(textSizeKey);
    } catch (error) {
      return null; /* storage disabled: the normal size */
    }
  }

  function rememberTextSize(size) {
    try {
      window.localStorage.setItem(textSizeKey, size);
    } catch (error) {
      /* storage disabled: the size holds until the page is left */
    }
  }

  /* Scales the widget's text (widget.css sizes everything in em of the root's). */
  function setTextSize(size) {
    if (TEXT_SIZES.indexOf(size) < 0) size = TEXT_SIZES[0];
    ui.root.setAttribute("data-text-size", size);
    ui.textSizes.forEach(function (choice) {
      choice.setAttribute("aria-pressed", String(choice.getAttribute("data-size") === size));
    });
    scrollToEnd();
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

  /* Shows the newest message: the log scrolls, or with large text or a short window the panel. */
  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
    ui.panel.scrollTop = ui.panel.scrollHeight;
  }

  function renderChoices(item, message) {
    var choices = element("div", "spc-choices");
    choices.setAttribute("role", "group");
    choices.setAttribute("aria-label", "Suggested replies");
    message.choices.forEach(function (choice) {
      var reply = button("spc-choice", choice.title);
      reply.addEventListener("click", function () {
        message.choices = [];
        save();
        choices.remove();
        send(choice.payload, choice.title);
      });
      choices.appendChild(reply);
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
      ["up", "Yes"],
      ["down", "No"],
    ].forEach(function (choice) {
      var rate = button(null, choice[1]);
      rate.setAttribute("data-rating", choice[0]);
      rate.insertBefore(icon("thumb", choice[0] === "down"), rate.firstChild);
      rate.addEventListener("click", function () {
        message.rating = choice[0];
        save();
        sendFeedback({ rating: choice[0], text: message.text });
        line.textContent = "Thanks for your feedback.";
        line.tabIndex = -1; // the clicked button is gone: keep the keyboard's place here
        line.focus();
      });
      line.appendChild(rate);
    });
    item.appendChild(line);
  }

  /* "Emergency" or "Urgent" for a warning-sign reply, else "". */
  function urgencyOf(message) {
    return { urgent: "Urgent", emergency: "Emergency" }[message.urgency] || "";
  }

  /* A warning-sign reply is an alert (announced at once), its label beside a warning icon. */
  function urgentContent(item, message) {
    var alert = element("div", "spc-alert");
    alert.setAttribute("role", "alert");
    var label = element("strong", "spc-urgent-label", urgencyOf(message));
    label.insertBefore(icon("warning"), label.firstChild);
    alert.appendChild(label);
    item.appendChild(alert);
    return alert;
  }

  function render(message) {
    var urgent = Boolean(urgencyOf(message));
    var item = element("li", "spc-msg spc-" + message.from + (urgent ? " spc-urgent" : ""));
    var content = urgent ? urgentContent(item, message) : item;
    if (!urgent && message.from !== "staff") {
      /* a staff message says so itself ("Clinic staff: ...") */
      item.appendChild(visuallyHidden(message.from === "user" ? "You said: " : "Assistant: "));
    }
    content.appendChild(messageBody(message.text, message.calls || []));
    if (message.source) content.appendChild(element("p", "spc-source", message.source));
    if (message.choices && message.choices.length) renderChoices(item, message);
    if (message.rateable) renderFeedback(item, message);
    ui.messages.appendChild(item);
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
    ui.messages.textContent = "";
    ui.typing.hidden = true;
    setWithStaff(false);
    addMessage({ from: "bot", text: config.greeting });
    setStatus("Chat ended and cleared from this browser.");
    if (socket && socket.connected) requestSession();
    ui.input.focus();
  }

  /* The conversation as plain text: who said what, each answer with its sources. */
  function conversationText() {
    var lines = [config.title, "Saved " + new Date().toLocaleString(), ""];
    if (state.disclaimer) lines.push(state.disclaimer, "");
    state.messages.forEach(function (message) {
      var who = { user: "You", bot: "Assistant" }[message.from] || ""; /* the staff's say so themselves */
      if (urgencyOf(message)) who += " (" + urgencyOf(message) + ")";
      lines.push((who ? who + ": " : "") + message.text);
      if (message.source) lines.push(message.source);
      lines.push("");
    });
    return lines.join("\n");
  }

  /* "YYYY-MM-DD" on the patient's calendar. */
  function localDay(date) {
    return [date.getFullYear(), date.getMonth() + 1, date.getDate()].map(function (n) {
      return String(n).padStart(2, "0");
    }).join("-");
  }

  /* Downloads the conversation as a text file (UTF-8, with a byte order mark for old editors). */
  function saveAnswers() {
    var file = new Blob(["\uFEFF" + conversationText()], { type: "text/plain;charset=utf-8" });
    var link = element("a");
    link.href = URL.createObjectURL(file);
    link.download = "recovery-assistant-answers-" + localDay(new Date()) + ".txt";
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, DOWNLOAD_URL_MS);
    setStatus("Your answers were saved as a text file (see your downloads).");
  }

  /* Prints the conversation alone: widget.css's print rules apply while html has spc-printing. */
  function printConversation() {
    var page = document.documentElement;
    page.classList.add("spc-printing");
    window.addEventListener(
      "afterprint",
      function () {
        page.classList.remove("spc-printing");
      },
      { once: true }
    );
    window.print();
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
    socket.on("not_handled", function (data) {
      /* The server could not store the message (its database did not answer): it showed nothing.
         Send it again, marked as a retry, a few times, saying so. */
      var message = unanswered;
      if (!message || !data || data.message_id !== message.id) return;
      message.retry = true;
      message.resends = (message.resends || 0) + 1;
      if (message.resends > MAX_RESENDS) {
        unanswered = null;
        ui.typing.hidden = true;
        setStatus("Your message could not be answered just now. Please send it again later, or call the clinic.");
        return;
      }
      setStatus("The assistant could not take your message just now. Sending it again\u2026");
      window.setTimeout(function () {
        if (unanswered !== message) return;
        if (confirmed) emit(message);
        else if (pending.indexOf(message) < 0) pending.push(message);
      }, RESEND_DELAY_MS);
    });
    socket.on("bot_uttered", function (data) {
      if (unanswered && unanswered.resends) setStatus("");
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
