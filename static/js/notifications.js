/* nic: the notifications bell, an enhancement: without this file it is a link to the
   notifications page.

   The bell becomes a button that opens a panel of the latest notifications (loaded from
   the API when first opened). New ones arrive over the page's one shared socket
   (window.nicRealtime.socket(), event `notification`), and reads in another tab arrive as
   `notifications_read`; after a reconnect the count is fetched again, since live delivery
   is at most once. Opening an item marks it read, and so does one that arrives about
   the thread the page is showing. (@mention suggestions: mentions.js.) */
(function () {
  "use strict";

  var bell = document.querySelector("[data-notification-bell]");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + " answered " + response.status); }
        return response.json();
      });
  }

  function postJSON(url) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken }
    }).then(function (response) {
      if (!response.ok) { throw new Error(url + " answered " + response.status); }
      return response.json();
    });
  }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return ""; }
    return date.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  // --- the bell ---------------------------------------------------------------------------

  function setUpBell() {
    var slug = bell.getAttribute("data-network");
    var apiUrl = bell.getAttribute("data-api-url");
    var pageUrl = bell.getAttribute("data-page-url");
    var link = bell.querySelector("[data-bell-toggle]");
    var countBox = bell.querySelector("[data-bell-count]");
    var number = bell.querySelector("[data-bell-number]");
    var SHOWN = 10;

    // The link becomes a button that opens the panel; its contents (icon, count) move over.
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "bell-panel");
    while (link.firstChild) { button.appendChild(link.firstChild); }
    link.replaceWith(button);

    var panel = document.createElement("div");
    panel.className = "bell__panel";
    panel.id = "bell-panel";
    panel.hidden = true;
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-labelledby", "bell-title");

    var head = document.createElement("div");
    head.className = "bell__head";
    var title = document.createElement("p");
    title.className = "bell__title";
    title.id = "bell-title";
    title.textContent = "Notifications";
    var readAll = document.createElement("button");
    readAll.type = "button";
    readAll.className = "button button--quiet button--small";
    readAll.textContent = "Mark all read";
    head.appendChild(title);
    head.appendChild(readAll);

    var list = document.createElement("ul");
    list.className = "bell__list";
    list.setAttribute("aria-labelledby", "bell-title");
    var note = document.createElement("p");
    note.className = "bell__note muted";
    note.setAttribute("role", "status");
    note.textContent = "Loading…";
    var all = document.createElement("a");
    all.className = "bell__all";
    all.href = pageUrl;
    all.textContent = "See all notifications";

    panel.appendChild(head);
    panel.appendChild(note);
    panel.appendChild(list);
    panel.appendChild(all);
    bell.appendChild(panel);

    var loaded = false;
    var unread = Number(number.textContent) || 0;

    function setCount(n) {
      unread = Math.max(0, Number(n) || 0);
      number.textContent = String(unread);
      countBox.classList.toggle("is-zero", unread === 0);
      readAll.disabled = unread === 0;
    }
    setCount(unread);

    function showNote(text) {
      note.textContent = text;
      note.hidden = !text;
    }

    function itemFor(id) { return list.querySelector('[data-notification-id="' + id + '"]'); }

    function markShownRead(ids) {
      Array.prototype.forEach.call(list.querySelectorAll(".bell__item"), function (item) {
        if (!ids || ids.indexOf(Number(item.getAttribute("data-notification-id"))) !== -1) {
          item.classList.remove("is-unread");
        }
      });
    }

    function render(n) {
      var item = document.createElement("li");
      item.className = "bell__item" + (n.read_at ? "" : " is-unread");
      item.setAttribute("data-notification-id", String(n.id));
      var a = document.createElement("a");
      a.className = "bell__link";
      a.href = n.url;
      var text = document.createElement("span");
      text.className = "bell__text";
      text.textContent = n.text;
      a.appendChild(text);
      if (!n.read_at) {
        var flag = document.createElement("span");
        flag.className = "visually-hidden";
        flag.textContent = " (unread)";
        a.appendChild(flag);
      }
      if (n.excerpt) {
        var excerpt = document.createElement("span");
        excerpt.className = "bell__excerpt";
        excerpt.textContent = n.excerpt;
        a.appendChild(excerpt);
      }
      var time = document.createElement("time");
      time.className = "bell__time";
      time.setAttribute("datetime", n.created_at || "");
      time.textContent = formatTime(n.created_at);
      a.appendChild(time);
      a.addEventListener("click", function () {
        if (item.classList.contains("is-unread")) {
          item.classList.remove("is-unread");
          // keepalive: the request outlives the page the click is leaving.
          postJSON(apiUrl + "/" + n.id + "/read").then(function (data) { setCount(data.unread_count); })
            .catch(function () { /* the thread page marks it read as well */ });
        }
      });
      item.appendChild(a);
      return item;
    }

    function add(n, atTop) {
      if (itemFor(n.id)) { return; }
      var item = render(n);
      if (atTop) { list.insertBefore(item, list.firstChild); } else { list.appendChild(item); }
      while (list.children.length > SHOWN) { list.removeChild(list.lastChild); }
      showNote("");
    }

    function load() {
      showNote("Loading…");
      return getJSON(apiUrl + "?limit=" + SHOWN).then(function (data) {
        list.textContent = "";
        (data.items || []).forEach(function (n) { add(n, false); });
        loaded = true;
        showNote(list.children.length ? "" : "No notifications yet. Mentions, replies and activity on your cycles show up here.");
      }).catch(function () {
        showNote("Could not load your notifications. The link below still works.");
      });
    }

    function refreshCount() {
      getJSON(apiUrl + "/count").then(function (data) { setCount(data.unread_count); }).catch(function () {});
      if (loaded) { load(); }
    }

    function open() {
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      bell.classList.add("is-open");
      if (!loaded) { load(); }
    }

    function close(focusButton) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      bell.classList.remove("is-open");
      if (focusButton) { button.focus(); }
    }

    button.addEventListener("click", function () {
      if (panel.hidden) { open(); } else { close(false); }
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (panel.hidden) { open(); }
        var first = panel.querySelector(".bell__link, .bell__all");
        if (first) { first.focus(); }
      }
    });
    panel.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(panel.querySelectorAll(".bell__link, .bell__all"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "Escape") {
        event.preventDefault();
        close(true);
      } else if (event.key === "ArrowDown" && at !== -1) {
        event.preventDefault();
        links[Math.min(at + 1, links.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at !== -1) {
        event.preventDefault();
        if (at === 0) { button.focus(); } else { links[at - 1].focus(); }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden && bell.contains(document.activeElement)) { close(true); }
    });
    document.addEventListener("click", function (event) {
      if (!panel.hidden && !bell.contains(event.target)) { close(false); }
    });
    readAll.addEventListener("click", function () {
      readAll.disabled = true;
      postJSON(apiUrl + "/read").then(function (data) {
        setCount(data.unread_count);
        markShownRead(null);
      }).catch(function () {
        readAll.disabled = false;
        showNote("Could not mark them read. Try again, or use the notifications page.");
      });
    });

    if (!window.nicRealtime || !window.nicRealtime.available()) { return; }
    var socket = window.nicRealtime.socket();
    var connectedBefore = false;
    socket.on("connect", function () {
      if (connectedBefore) { refreshCount(); }  // what came while the connection was down
      connectedBefore = true;
    });
    function onThisPage(n) {
      var path = String(n.url || "").split("#")[0];
      return path === window.location.pathname && document.visibilityState === "visible";
    }

    socket.on("notification", function (n) {
      if (!n || n.network !== slug) { return; }  // another network's: its own bell shows it
      if (onThisPage(n)) {
        // The message has just appeared in the thread in front of them: already read.
        postJSON(apiUrl + "/" + n.id + "/read").then(function (data) { setCount(data.unread_count); })
          .catch(function () { setCount(n.unread_count); });
        return;
      }
      setCount(n.unread_count);
      if (loaded) { add(n, true); }
      bell.classList.remove("is-new");
      void bell.offsetWidth;  // restart the highlight animation
      bell.classList.add("is-new");
    });
    socket.on("notifications_read", function (data) {
      if (!data || data.network !== slug) { return; }
      setCount(data.unread_count);
      markShownRead(data.ids || null);
    });
  }

  if (bell) { setUpBell(); }
})();
