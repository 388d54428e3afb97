/* nic: a thread page that goes live. The page already works without this file: the
   messages are rendered by the server and the form posts and redirects back. With it,
   new messages arrive over Socket.IO, sending does not reload the page, and a message
   written while the connection is down waits and goes out on reconnect.

   Delivery from the server is at most once (Redis pub/sub), so the page never trusts
   the live stream alone: on every (re)connect it joins the thread, then fetches what
   came after the last message it shows. Sends carry a client_id the server uses to
   drop duplicates, so a retry after a lost ack cannot post the same message twice. */
(function () {
  "use strict";

  var root = document.getElementById("discussion-thread");
  if (!root || typeof window.io !== "function") { return; }

  var threadId = Number(root.getAttribute("data-thread-id"));
  var apiUrl = root.getAttribute("data-messages-url");
  var list = document.getElementById("thread-messages");
  var pendingList = document.getElementById("thread-pending");
  var form = document.getElementById("message-form");
  var textarea = form.querySelector("textarea[name=body]");
  var statusLine = document.getElementById("thread-connection");
  var emptyNote = document.getElementById("thread-empty");

  var ACK_TIMEOUT_MS = 8000;

  var lastShown = 0;          // the greatest message id on the page
  var joined = false;         // true between a successful join ack and the next disconnect
  var queue = [];             // bubbles written while disconnected, sent on reconnect

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

  // --- showing messages --------------------------------------------------------------

  function renderMessage(message) {
    var item = document.createElement("li");
    item.className = "message";
    item.id = "message-" + message.id;
    item.setAttribute("data-message-id", String(message.id));
    var meta = document.createElement("p");
    meta.className = "message__meta";
    var author = document.createElement("strong");
    author.className = "message__author";
    author.textContent = (message.author && message.author.name) || "Former member";
    var time = document.createElement("time");
    time.setAttribute("datetime", message.created_at || "");
    time.textContent = formatTime(message.created_at);
    meta.appendChild(author);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    var body = document.createElement("div");
    body.className = "message__body prose";
    if (message.deleted_at) {
      body.innerHTML = "";
      var trace = document.createElement("p");
      trace.className = "message__deleted muted";
      trace.textContent = "This message was deleted.";
      body.appendChild(trace);
    } else {
      // body_html is rendered and sanitised by the server (nic.services.markdown).
      body.innerHTML = message.body_html || "";
    }
    item.appendChild(meta);
    item.appendChild(body);
    return item;
  }

  // Adds a message once, in id order, and retires the pending bubble it confirms.
  function showMessage(message) {
    var id = Number(message.id);
    if (!id || Number(message.thread_id || threadId) !== threadId) { return; }
    if (list.querySelector('[data-message-id="' + id + '"]')) { return; }
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
    var bubble = pendingList.querySelector('[data-acked-id="' + id + '"]');
    if (bubble) { bubble.remove(); }
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

  // --- sending ------------------------------------------------------------------------

  function makeBubble(body, clientId) {
    var item = document.createElement("li");
    item.className = "message message--pending";
    item.setAttribute("data-client-id", clientId);
    var meta = document.createElement("p");
    meta.className = "message__meta";
    var who = document.createElement("strong");
    who.className = "message__author";
    who.textContent = root.getAttribute("data-my-name") || "You";
    var state = document.createElement("span");
    state.className = "message__state muted";
    meta.appendChild(who);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(state);
    var text = document.createElement("p");
    text.className = "message__body message__body--plain";
    text.textContent = body;  // shown as typed until the server's rendering arrives
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
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button button--secondary button--small message__retry";
      retry.textContent = "Retry";
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
        if (ack && ack.error) { bubble._nic.state.textContent = "Not sent: " + ack.error; }
        return;
      }
      var id = Number(ack.id);
      if (list.querySelector('[data-message-id="' + id + '"]')) {
        bubble.remove();  // the broadcast beat the ack
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


  // --- the connection -----------------------------------------------------------------

  var socket = window.io({ withCredentials: true });

  function join() {
    socket.timeout(ACK_TIMEOUT_MS).emit("join", { thread_id: threadId }, function (err, ack) {
      if (err || !ack || !ack.ok) {
        setStatus("Live updates are unavailable. Reload the page to see new messages.");
        return;
      }
      joined = true;
      setStatus("");
      // Joined first, so nothing posted from now on is missed; then fill any gap.
      var needed = Number(ack.last_id || 0) > lastShown ? catchUp() : Promise.resolve();
      needed.then(flushQueue);
    });
  }

  socket.on("connect", join);
  socket.on("disconnect", function () {
    joined = false;
    setStatus("Connection lost. Reconnecting… Messages you write will be sent when it is back.");
  });
  socket.on("connect_error", function () {
    joined = false;
    setStatus("Not connected. Retrying… Messages you write will be sent when it is back.");
  });
  socket.on("message", showMessage);
  // An edit or a deletion: redraw the message in place (a deleted one leaves its trace).
  socket.on("message_changed", function (message) {
    if (!message || Number(message.thread_id) !== threadId) { return; }
    var old = list.querySelector('[data-message-id="' + Number(message.id) + '"]');
    if (old) { list.replaceChild(renderMessage(message), old); }
  });

  root.classList.add("is-live");
})();
