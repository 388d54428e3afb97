/* nic: a thread page that goes live. The page already works without this file: the
   messages are rendered by the server, the form posts and redirects back, Edit and
   Delete are pages of their own and the reaction buttons are a form. With it, new
   messages arrive over Socket.IO, sending does not reload the page, a message written
   while the connection is down waits and goes out on reconnect, edits, deletions and
   reactions happen in place and show up live on every open page, and the page says who
   is typing and who is viewing.

   Delivery from the server is at most once (Redis pub/sub), so the page never trusts
   the live stream alone: on every (re)connect it joins the thread, then fetches what
   came after the last message it shows (and, after a reconnect, the reaction counts).
   Sends carry a client_id the server uses to drop duplicates, so a retry after a lost
   ack cannot post the same message twice.

   templates/discussion/_message.html renders a message on the server; renderMessage
   below builds the same markup for messages that arrive live: keep the two in step. */
(function () {
  "use strict";

  var root = document.getElementById("discussion-thread");
  if (!root || !window.nicRealtime || !window.nicRealtime.available()) { return; }

  var threadId = Number(root.getAttribute("data-thread-id"));
  var apiUrl = root.getAttribute("data-messages-url");           // .../threads/<id>/messages
  var threadApiUrl = apiUrl.replace(/\/messages$/, "");           // .../threads/<id>
  var pageUrl = root.getAttribute("data-page-url");               // /n/<slug>/threads/<id>
  var myId = Number(root.getAttribute("data-my-id"));
  var emojiSet = JSON.parse(root.getAttribute("data-emoji") || "[]");  // [[emoji, label], ...]
  var list = document.getElementById("thread-messages");
  var pendingList = document.getElementById("thread-pending");
  var form = document.getElementById("message-form");
  var textarea = form.querySelector("textarea[name=body]");
  var statusLine = document.getElementById("thread-connection");
  var typingLine = document.getElementById("thread-typing");
  var viewersLine = document.getElementById("thread-viewers");
  var emptyNote = document.getElementById("thread-empty");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";

  var ACK_TIMEOUT_MS = 8000;
  var TYPING_SEND_EVERY_MS = 2000;   // the server ignores more anyway
  var TYPING_SHOWN_FOR_MS = 4000;    // without a new `typing`, the name goes

  var lastShown = 0;          // the greatest message id on the page
  var joined = false;         // true between a successful join ack and the next disconnect
  var everJoined = false;     // a later join is a reconnect: refresh reaction counts too
  var queue = [];             // bubbles written while disconnected, sent on reconnect
  var knownBodies = {};       // message id -> Markdown of my own messages, for inline edits
  var editing = {};           // message id -> Markdown of an edit saved from this page
  var typers = {};            // user id -> {name, until}
  var lastTypingSent = 0;
  var viewersSeq = 0;

  Array.prototype.forEach.call(list.querySelectorAll("[data-message-id]"), function (item) {
    lastShown = Math.max(lastShown, Number(item.getAttribute("data-message-id")));
  });

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context; plain http on a school LAN may not be one.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function setStatus(text) { statusLine.textContent = text; }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return ""; }
    return date.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function findMessage(id) { return list.querySelector('[data-message-id="' + Number(id) + '"]'); }

  // JSON to the API with the browser session (the CSRF token goes in a header).
  function api(method, url, body) {
    var headers = { Accept: "application/json", "X-CSRFToken": csrfToken };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(url, {
      method: method, credentials: "same-origin", headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = (data && data.error) || {};
          throw new Error(error.message || ("The server answered " + response.status + "."));
        }
        return data;
      });
    });
  }

  // --- showing messages --------------------------------------------------------------

  function reactionLabel(label, count) { return label + ": " + count; }

  function renderReactions(messageId) {
    var bar = el("form", "reactions");
    bar.method = "post";
    bar.action = pageUrl + "/messages/" + messageId + "/reactions";
    bar.setAttribute("aria-label", "Reactions to this message");
    var csrf = el("input");
    csrf.type = "hidden";
    csrf.name = "csrf_token";
    csrf.value = csrfToken;
    bar.appendChild(csrf);
    emojiSet.forEach(function (pair) {
      var button = el("button", "reaction reaction--none");
      button.type = "submit";
      button.name = "emoji";
      button.value = pair[0];
      button.title = pair[1].charAt(0).toUpperCase() + pair[1].slice(1);
      button.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-label", reactionLabel(pair[1], 0));
      var face = el("span", "", pair[0]);
      face.setAttribute("aria-hidden", "true");
      var count = el("span", "reaction__count", "");
      count.setAttribute("aria-hidden", "true");
      button.appendChild(face);
      button.appendChild(count);
      bar.appendChild(button);
    });
    return bar;
  }

  function renderActions(messageId) {
    var actions = el("p", "message__actions");
    [["edit", "Edit"], ["delete", "Delete"]].forEach(function (pair) {
      var link = el("a", "message__" + pair[0], pair[1]);
      link.href = pageUrl + "/messages/" + messageId + "/" + pair[0];
      var hidden = el("span", "visually-hidden", " your message");
      link.appendChild(hidden);
      actions.appendChild(link);
      actions.appendChild(document.createTextNode(" "));
    });
    if (knownBodies[messageId] !== undefined) {
      actions.querySelector(".message__edit").setAttribute("data-body", knownBodies[messageId]);
    }
    return actions;
  }

  // `previous`: the element this one replaces (an edit keeps its reaction counts).
  function renderMessage(message, previous) {
    var mine = message.author && Number(message.author.id) === myId;
    var item = el("li", "message" + (message.deleted_at ? " message--deleted" : "") + (mine ? " message--mine" : ""));
    item.id = "message-" + message.id;
    item.setAttribute("data-message-id", String(message.id));
    if (mine) { item.setAttribute("data-mine", "1"); }
    var meta = el("p", "message__meta");
    meta.appendChild(el("strong", "message__author", (message.author && message.author.name) || "Former member"));
    meta.appendChild(document.createTextNode(" "));
    var time = el("time", "", formatTime(message.created_at));
    time.setAttribute("datetime", message.created_at || "");
    meta.appendChild(time);
    if (message.edited_at && !message.deleted_at) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("span", "message__edited muted", "(edited)"));
    }
    item.appendChild(meta);
    var body = el("div", message.deleted_at ? "message__body" : "message__body prose");
    if (message.deleted_at) {
      body.appendChild(el("p", "message__deleted muted", "This message was deleted."));
      item.appendChild(body);
      return item;
    }
    // body_html is rendered and sanitised by the server (nic.services.markdown).
    body.innerHTML = message.body_html || "";
    item.appendChild(body);
    var tools = el("div", "message__tools");
    var oldBar = previous && previous.querySelector("form.reactions");
    tools.appendChild(oldBar || renderReactions(message.id));
    if (mine) { tools.appendChild(renderActions(message.id)); }
    item.appendChild(tools);
    return item;
  }

  // Adds a message once, in id order, and retires the pending bubble it confirms.
  function showMessage(message) {
    var id = Number(message.id);
    if (!id || Number(message.thread_id || threadId) !== threadId) { return; }
    if (message.author) { stopTyping(Number(message.author.id)); }
    if (findMessage(id)) { return; }
    var bubble = pendingList.querySelector('[data-acked-id="' + id + '"]');
    if (bubble) { knownBodies[id] = bubble._nic.body; }
    var item = renderMessage(message);
    if (id > lastShown) {
      list.appendChild(item);
      lastShown = id;
    } else {
      // A late arrival (two server processes can deliver out of order): slot it in.
      var later = Array.prototype.find.call(list.querySelectorAll("[data-message-id]"), function (other) {
        return Number(other.getAttribute("data-message-id")) > id;
      });
      list.insertBefore(item, later || null);
    }
    if (emptyNote) { emptyNote.hidden = true; }
    if (bubble) { bubble.remove(); }
  }

  // An edit or a deletion (from this page or any other): redraw the message in place.
  function changeMessage(message) {
    if (!message || Number(message.thread_id) !== threadId) { return; }
    var old = findMessage(message.id);
    if (!old) { return; }
    // An edit from another tab: the Markdown here is stale, so Edit opens the edit page.
    if (editing[message.id] !== undefined) { knownBodies[message.id] = editing[message.id]; }
    else { delete knownBodies[message.id]; }
    if (old.querySelector(".message-edit") && !message.deleted_at) {
      old.setAttribute("data-stale", "1");  // being edited here: redraw when the editor closes
      old._nicLatest = message;
      return;
    }
    list.replaceChild(renderMessage(message, old), old);
  }

  function catchUp() {
    var url = apiUrl + "?after=" + encodeURIComponent(lastShown) + "&limit=200";
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("catch-up answered " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var items = data.items || [];
        items.forEach(showMessage);
        // A full page means there may be more after it.
        if (data.next && items.length) { return catchUp(); }
        return null;
      })
      .catch(function () {
        setStatus("Could not load the newest messages. Reload the page to see them.");
      });
  }

  // --- reactions ----------------------------------------------------------------------

  function setReaction(messageId, emoji, count, mine) {
    var item = findMessage(messageId);
    if (!item) { return; }
    var button = Array.prototype.find.call(item.querySelectorAll("form.reactions button[name=emoji]"),
      function (b) { return b.value === emoji; });
    if (!button) { return; }
    if (mine !== undefined && mine !== null) {
      button.setAttribute("aria-pressed", mine ? "true" : "false");
      button.classList.toggle("reaction--mine", !!mine);
    }
    button.classList.toggle("reaction--none", !count);
    button.querySelector(".reaction__count").textContent = count ? String(count) : "";
    var label = (emojiSet.find(function (pair) { return pair[0] === emoji; }) || [emoji, emoji])[1];
    button.setAttribute("aria-label", reactionLabel(label, count || 0));
  }

  function toggleReaction(messageId, button) {
    button.disabled = true;
    api("POST", apiUrl + "/" + messageId + "/reactions", { emoji: button.value })
      .then(function (state) { setReaction(messageId, state.emoji, state.count, state.reacted); })
      .catch(function (error) { setStatus("Your reaction was not saved: " + error.message); })
      .then(function () { button.disabled = false; });
  }

  // After a reconnect: reactions added or taken back while the page was not listening.
  function refreshReactions() {
    var first = list.querySelector("[data-message-id]");
    if (!first) { return; }
    var after = Number(first.getAttribute("data-message-id")) - 1;
    fetch(threadApiUrl + "/reactions?limit=200&after=" + after,
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var counts = {};
        (data.items || []).forEach(function (row) { counts[row.message_id] = row.reactions; });
        Array.prototype.forEach.call(list.querySelectorAll("[data-message-id]"), function (item) {
          var id = Number(item.getAttribute("data-message-id"));
          emojiSet.forEach(function (pair) {
            var found = (counts[id] || []).find(function (r) { return r.emoji === pair[0]; });
            setReaction(id, pair[0], found ? found.count : 0, found ? found.mine : false);
          });
        });
      })
      .catch(function () { /* the counts stay as they were; a reload shows them */ });
  }

  list.addEventListener("submit", function (event) {
    var bar = event.target.closest("form.reactions");
    var button = event.submitter;
    // An old browser without `submitter` simply posts the form (the page without script).
    if (!bar || !button || button.name !== "emoji") { return; }
    event.preventDefault();
    toggleReaction(Number(bar.closest("[data-message-id]").getAttribute("data-message-id")), button);
  });

  // --- editing and deleting my own messages ----------------------------------------------

  function closeEditor(item) {
    var editor = item.querySelector(".message-edit");
    if (editor) { editor.remove(); }
    item.querySelector(".message__body").hidden = false;
    item.querySelector(".message__tools").hidden = false;
    if (item.getAttribute("data-stale") && item._nicLatest) {
      var latest = item._nicLatest;
      item.removeAttribute("data-stale");
      changeMessage(latest);
    }
  }

  function openEditor(item, link) {
    var id = Number(item.getAttribute("data-message-id"));
    var editor = el("form", "message-edit stack");
    var label = el("label", "", "Edit your message");
    label.setAttribute("for", "edit-body-" + id);
    var box = el("textarea");
    box.id = "edit-body-" + id;
    box.name = "body";
    box.rows = 4;
    box.maxLength = 10000;
    box.value = link.getAttribute("data-body");
    var problem = el("p", "field-error");
    problem.setAttribute("role", "alert");
    problem.hidden = true;
    var buttons = el("div", "form-actions");
    var save = el("button", "button button--small", "Save");
    save.type = "submit";
    var cancel = el("button", "button button--secondary button--small", "Cancel");
    cancel.type = "button";
    buttons.appendChild(save);
    buttons.appendChild(cancel);
    [label, box, problem, buttons].forEach(function (node) { editor.appendChild(node); });
    item.querySelector(".message__body").hidden = true;
    item.querySelector(".message__tools").hidden = true;
    item.appendChild(editor);
    box.focus();

    cancel.addEventListener("click", function () { closeEditor(item); link.focus(); });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); closeEditor(item); link.focus(); }
    });
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = box.value.trim();
      if (!text) {
        problem.textContent = "Write a message, or delete it instead.";
        problem.hidden = false;
        return;
      }
      save.disabled = true;
      editing[id] = text;
      api("PATCH", apiUrl + "/" + id, { body: text }).then(function (message) {
        knownBodies[id] = text;
        window.setTimeout(function () { delete editing[id]; }, 10000);  // its broadcast is in by then
        item.removeAttribute("data-stale");
        var current = findMessage(id);
        if (current) { list.replaceChild(renderMessage(message, current), current); }
        var again = findMessage(id);
        var edit = again && again.querySelector(".message__edit");
        if (edit) { edit.focus(); }
      }).catch(function (error) {
        delete editing[id];
        save.disabled = false;
        problem.textContent = "Not saved: " + error.message;
        problem.hidden = false;
      });
    });
  }

  list.addEventListener("click", function (event) {
    var link = event.target.closest("a.message__edit, a.message__delete");
    if (!link) { return; }
    var item = link.closest("[data-message-id]");
    var id = Number(item.getAttribute("data-message-id"));
    if (link.classList.contains("message__edit")) {
      // Without the Markdown at hand (a message sent from another tab), the edit page.
      if (!link.hasAttribute("data-body")) { return; }
      event.preventDefault();
      openEditor(item, link);
      return;
    }
    event.preventDefault();
    if (!window.confirm("Delete this message? Everyone will see that a message was deleted.")) { return; }
    api("DELETE", apiUrl + "/" + id).then(function (message) {
      changeMessage(message);
    }).catch(function (error) {
      setStatus("The message was not deleted: " + error.message);
    });
  });

  // --- sending ------------------------------------------------------------------------

  function makeBubble(body, clientId) {
    var item = el("li", "message message--pending");
    item.setAttribute("data-client-id", clientId);
    var meta = el("p", "message__meta");
    var state = el("span", "message__state muted");
    meta.appendChild(el("strong", "message__author", root.getAttribute("data-my-name") || "You"));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(state);
    // Shown as typed until the server's rendering arrives.
    var text = el("p", "message__body message__body--plain", body);
    item.appendChild(meta);
    item.appendChild(text);
    item._nic = { body: body, clientId: clientId, state: state };
    pendingList.appendChild(item);
    return item;
  }

  function markBubble(bubble, status) {
    var state = bubble._nic.state;
    bubble.classList.remove("message--failed");
    var oldRetry = bubble.querySelector(".message__retry");
    if (oldRetry) { oldRetry.remove(); }
    if (status === "sending") {
      state.textContent = "Sending…";
    } else if (status === "queued") {
      state.textContent = "Waiting for the connection…";
    } else if (status === "sent") {
      state.textContent = "Sent";
    } else if (status === "failed") {
      bubble.classList.add("message--failed");
      state.textContent = "Not sent.";
      var retry = el("button", "button button--secondary button--small message__retry", "Retry");
      retry.type = "button";
      retry.addEventListener("click", function () { deliver(bubble); });
      bubble.appendChild(retry);
    }
  }

  function deliver(bubble) {
    if (!socket.connected || !joined) {
      if (queue.indexOf(bubble) === -1) { queue.push(bubble); }
      markBubble(bubble, "queued");
      return;
    }
    markBubble(bubble, "sending");
    var payload = { thread_id: threadId, body: bubble._nic.body, client_id: bubble._nic.clientId };
    socket.timeout(ACK_TIMEOUT_MS).emit("send", payload, function (err, ack) {
      if (err || !ack || !ack.ok) {
        markBubble(bubble, "failed");
        if (ack && ack.error) { bubble._nic.state.textContent = "Not sent: " + (ack.message || ack.error); }
        return;
      }
      var id = Number(ack.id);
      knownBodies[id] = bubble._nic.body;
      var shown = findMessage(id);
      if (shown) {
        // The broadcast beat the ack: the message is there; give it its Edit text.
        var edit = shown.querySelector(".message__edit");
        if (edit) { edit.setAttribute("data-body", bubble._nic.body); }
        bubble.remove();
        return;
      }
      bubble.setAttribute("data-acked-id", String(id));
      markBubble(bubble, "sent");
      // The broadcast may have been lost; fetch it if it has not shown up shortly.
      window.setTimeout(function () {
        if (bubble.isConnected) { catchUp(); }
      }, 1500);
    });
  }

  function flushQueue() {
    var waiting = queue;
    queue = [];
    waiting.forEach(deliver);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = textarea.value.trim();
    if (!body) {
      setStatus("Write a message first.");
      textarea.focus();
      return;
    }
    textarea.value = "";
    lastTypingSent = 0;
    deliver(makeBubble(body, newClientId()));
    textarea.focus();
  });

  // Enter sends; Shift+Enter keeps the new line (and IME composition is left alone).
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") { form.requestSubmit(); }
      else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
    }
  });

  // --- typing and viewing -----------------------------------------------------------------

  textarea.addEventListener("input", function () {
    var now = Date.now();
    if (!joined || !textarea.value.trim() || now - lastTypingSent < TYPING_SEND_EVERY_MS) { return; }
    lastTypingSent = now;
    socket.emit("typing", { thread_id: threadId });
  });

  function renderTyping() {
    var now = Date.now();
    var names = [];
    Object.keys(typers).forEach(function (userId) {
      if (typers[userId].until > now) { names.push(typers[userId].name); } else { delete typers[userId]; }
    });
    if (!names.length) { typingLine.textContent = ""; return; }
    names.sort();
    typingLine.textContent = names.length === 1 ? names[0] + " is typing…"
      : names.length === 2 ? names[0] + " and " + names[1] + " are typing…"
      : "Several people are typing…";
  }

  function stopTyping(userId) {
    if (typers[userId]) { delete typers[userId]; renderTyping(); }
  }

  function showViewers(data) {
    if (!data || Number(data.thread_id) !== threadId || Number(data.seq || 0) < viewersSeq) { return; }
    viewersSeq = Number(data.seq || 0);
    var names = (data.users || []).map(function (user) {
      return Number(user.id) === myId ? user.name + " (you)" : user.name;
    });
    viewersLine.textContent = names.length ? "Viewing now: " + names.join(", ") : "";
    viewersLine.hidden = !names.length;
  }

  // --- the connection -----------------------------------------------------------------

  var socket = window.nicRealtime.socket();

  function join() {
    viewersSeq = 0;  // a restarted server process counts again from the start
    socket.timeout(ACK_TIMEOUT_MS).emit("join", { thread_id: threadId }, function (err, ack) {
      if (err || !ack || !ack.ok) {
        setStatus("Live updates are unavailable. Reload the page to see new messages.");
        return;
      }
      joined = true;
      setStatus("");
      if (everJoined) { refreshReactions(); }
      everJoined = true;
      // Joined first, so nothing posted from now on is missed; then fill any gap.
      var needed = Number(ack.last_id || 0) > lastShown ? catchUp() : Promise.resolve();
      needed.then(flushQueue);
    });
  }

  socket.on("connect", join);
  socket.on("disconnect", function () {
    joined = false;
    typers = {};
    renderTyping();
    viewersLine.hidden = true;  // no longer live; the next join sends the list again
    setStatus("Connection lost. Reconnecting… Messages you write will be sent when it is back.");
  });
  socket.on("connect_error", function () {
    joined = false;
    setStatus("Not connected. Retrying… Messages you write will be sent when it is back.");
  });
  socket.on("message", showMessage);
  socket.on("message_changed", changeMessage);
  socket.on("reaction", function (data) {
    if (!data || Number(data.thread_id) !== threadId) { return; }
    setReaction(data.message_id, data.emoji, data.count,
                Number(data.user_id) === myId ? data.reacted : undefined);
  });
  socket.on("typing", function (data) {
    if (!data || Number(data.thread_id) !== threadId || !data.user || Number(data.user.id) === myId) { return; }
    typers[data.user.id] = { name: data.user.name, until: Date.now() + TYPING_SHOWN_FOR_MS };
    renderTyping();
    window.setTimeout(renderTyping, TYPING_SHOWN_FOR_MS + 100);
  });
  socket.on("viewers", showViewers);
  // If the socket was already connected (another script on the page opened it), join now.
  if (socket.connected) { join(); }

  root.classList.add("is-live");
})();
