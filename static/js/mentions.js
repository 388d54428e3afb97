/* nic: @mention suggestions, an enhancement: without this file names are typed by hand
   (the server recognises them either way, nic.services.mentions).

   Attaches to every `textarea[data-mentions]` and to the discussion composers
   (`textarea[name=body]` in a `.message-form` or `.message-edit`), including ones added
   later: typing "@Ma" lists matching members of the network (GET .../members?q=); arrow
   keys move, Enter or Tab picks, Escape closes. The members URL is the textarea's
   `data-mentions` value when it is a path, else the current network's (from the bell). */
(function () {
  "use strict";

  var bell = document.querySelector("[data-notification-bell]");

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + " answered " + response.status); }
        return response.json();
      });
  }

  var COMPOSERS = "textarea[data-mentions], .message-form textarea[name=body], .message-edit textarea[name=body]";
  // "@" at the start or after a non-word character, then up to two words of a name.
  var TRIGGER = /(?:^|[^\w@])@([^\s@]{1,40}(?: [^\s@]{0,40})?)$/;

  function membersUrl(textarea) {
    var own = textarea.getAttribute("data-mentions");
    if (own && own.charAt(0) === "/") { return own; }
    var slug = bell ? bell.getAttribute("data-network") : null;
    return slug ? (bell.getAttribute("data-api-url").replace(/\/notifications$/, "") + "/members") : null;
  }

  var suggest = {
    box: null, textarea: null, items: [], active: -1, start: -1, query: "", timer: null, cache: {}, seq: 0,
    quiet: false,

    listbox: function () {
      if (!this.box) {
        var box = document.createElement("ul");
        box.id = "mention-suggestions";
        box.className = "mention-suggest";
        box.setAttribute("role", "listbox");
        box.setAttribute("aria-label", "People to mention");
        box.hidden = true;
        box.addEventListener("mousedown", function (event) {
          var option = event.target.closest("[role=option]");
          if (option) {
            event.preventDefault();  // keep the focus in the textarea
            suggest.pick(Number(option.getAttribute("data-index")));
          }
        });
        document.body.appendChild(box);
        this.box = box;
      }
      return this.box;
    },

    attach: function (textarea) {
      if (textarea.getAttribute("aria-controls") === "mention-suggestions") { return; }
      textarea.setAttribute("aria-autocomplete", "list");
      textarea.setAttribute("aria-controls", "mention-suggestions");
      textarea.setAttribute("aria-expanded", "false");
    },

    close: function () {
      if (this.box) { this.box.hidden = true; this.box.textContent = ""; }
      if (this.textarea) {
        this.textarea.setAttribute("aria-expanded", "false");
        this.textarea.removeAttribute("aria-activedescendant");
      }
      this.items = [];
      this.active = -1;
      clearTimeout(this.timer);
    },

    isOpen: function () { return this.box && !this.box.hidden && this.items.length > 0; },

    check: function (textarea) {
      var url = membersUrl(textarea);
      if (!url) { return; }
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = textarea.selectionStart === textarea.selectionEnd ? TRIGGER.exec(before) : null;
      if (!match || !match[1].trim()) { this.close(); return; }
      this.attach(textarea);
      this.textarea = textarea;
      this.query = match[1];
      this.start = before.length - match[1].length - 1;  // where the "@" is
      clearTimeout(this.timer);
      var query = this.query.trim();
      this.timer = setTimeout(function () { suggest.fetch(url, query); }, 120);
    },

    fetch: function (url, query) {
      var seq = ++this.seq;
      var key = url + "|" + query.toLowerCase();
      var cached = this.cache[key];
      var load = cached ? Promise.resolve(cached) : getJSON(url + "?limit=8&q=" + encodeURIComponent(query))
        .then(function (data) { suggest.cache[key] = data.items || []; return suggest.cache[key]; });
      load.then(function (items) {
        if (seq === suggest.seq) { suggest.show(items); }
      }).catch(function () { suggest.close(); });
    },

    show: function (items) {
      var box = this.listbox();
      box.textContent = "";
      this.items = items;
      if (!items.length) { this.close(); return; }
      items.forEach(function (member, index) {
        var option = document.createElement("li");
        option.id = "mention-option-" + index;
        option.className = "mention-suggest__option";
        option.setAttribute("role", "option");
        option.setAttribute("data-index", String(index));
        option.setAttribute("aria-selected", "false");
        option.textContent = member.name;
        box.appendChild(option);
      });
      var rect = this.textarea.getBoundingClientRect();
      box.style.left = (window.scrollX + rect.left) + "px";
      box.style.top = (window.scrollY + rect.bottom + 2) + "px";
      box.style.minWidth = Math.min(rect.width, 320) + "px";
      box.hidden = false;
      this.textarea.setAttribute("aria-expanded", "true");
      this.move(0);
    },

    move: function (index) {
      if (!this.items.length) { return; }
      this.active = (index + this.items.length) % this.items.length;
      var box = this.box, active = this.active;
      Array.prototype.forEach.call(box.children, function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
        option.classList.toggle("is-active", i === active);
      });
      this.textarea.setAttribute("aria-activedescendant", "mention-option-" + active);
      box.children[active].scrollIntoView({ block: "nearest" });
    },

    pick: function (index) {
      var member = this.items[index];
      var textarea = this.textarea;
      if (!member || !textarea) { return; }
      var value = textarea.value;
      var end = this.start + 1 + this.query.length;
      var insert = "@" + member.name + " ";
      textarea.value = value.slice(0, this.start) + insert + value.slice(end).replace(/^ /, "");
      var caret = this.start + insert.length;
      textarea.setSelectionRange(caret, caret);
      this.close();
      textarea.focus();
      this.quiet = true;  // our own input event: not a new "@"
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      this.quiet = false;
    }
  };

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!suggest.quiet && target && target.matches && target.matches(COMPOSERS)) { suggest.check(target); }
  });
  // Capture phase: runs before the composer's own Enter-to-send handler, so picking a
  // name with Enter does not also send the message.
  document.addEventListener("keydown", function (event) {
    if (!suggest.isOpen() || event.target !== suggest.textarea) { return; }
    var key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      suggest.move(suggest.active + (key === "ArrowDown" ? 1 : -1));
    } else if ((key === "Enter" && !event.shiftKey) || key === "Tab") {
      suggest.pick(suggest.active);
    } else if (key === "Escape") {
      suggest.close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, true);
  document.addEventListener("focusout", function (event) {
    if (event.target === suggest.textarea) { setTimeout(function () { suggest.close(); }, 150); }
  });

})();
