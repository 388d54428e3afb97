/* nic: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Buttons with data-confirm ask before their form is sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Copy buttons: <button data-copy="element-id" hidden>. Shown only when copying can work.
  // The old execCommand route still works where the async Clipboard API is missing or
  // refused (plain http on a LAN address, some embedded browsers).
  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyWithSelection(text); });
    }
    return copyWithSelection(text);
  }

  function selectContents(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function setUpCopyButton(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    var label = button.textContent;
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    button.insertAdjacentElement("afterend", status);
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(target.textContent.trim()).then(function () {
        button.textContent = button.getAttribute("data-copied-label") || "Copied";
        status.textContent = "Copied to the clipboard.";
        window.setTimeout(function () {
          button.textContent = label;
          status.textContent = "";
        }, 2500);
      }, function () {
        selectContents(target);
        status.textContent = "Could not copy. The text is selected: press Control+C or Command+C.";
      });
    });
  }

  // The network switcher (<details>): close it on Escape or a click elsewhere.
  function setUpMenus() {
    var menus = document.querySelectorAll("details[data-menu]");
    if (!menus.length) { return; }
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      menus.forEach(function (menu) {
        if (menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
  }

  function ready() {
    document.querySelectorAll("button[data-copy]").forEach(setUpCopyButton);
    setUpMenus();
    // After a failed submit, take keyboard and screen-reader users to the list of problems.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
