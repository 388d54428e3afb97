/* nic: the leadership view (templates/leadership/network.html). Without this script the
 * page works: it is a plain table. With it, when a roll-up of the network finishes (the
 * server's `rollup` event {network, computed_at} on the page's shared socket,
 * window.nicRealtime), the heatmap and the spread per practice are fetched again (the
 * page's ?fragment=1) and put in place, so levels agreed elsewhere appear without a
 * reload. The reader's keyboard focus is kept when it was inside the figures. */
(function () {
  "use strict";

  function reload(root) {
    var url = root.getAttribute("data-fragment-url");
    if (!url || typeof window.fetch !== "function") { return Promise.resolve(); }
    if (root.nicLoading) { return root.nicLoading; }
    var focused = document.activeElement && root.contains(document.activeElement)
      ? document.activeElement.getAttribute("href") : null;
    root.nicLoading = fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        root.innerHTML = html;
        var count = Number(root.getAttribute("data-lead-reloads") || 0) + 1;
        root.setAttribute("data-lead-reloads", String(count));
        if (focused) {
          var again = root.querySelector('a[href="' + focused.replace(/"/g, '\\"') + '"]');
          if (again) { again.focus(); }
        }
        var live = root.querySelector("[data-lead-live]");
        if (live) { live.textContent = "Updated with the latest agreed levels."; }
      })
      .catch(function () {
        var live = root.querySelector("[data-lead-live]");
        if (live) { live.textContent = "New levels were agreed, but they could not be loaded. Reload the page to see them."; }
      })
      .then(function () { root.nicLoading = null; });
    return root.nicLoading;
  }

  function init() {
    var root = document.querySelector("[data-leadership-body]");
    if (!root) { return; }
    var socket = window.nicRealtime && window.nicRealtime.socket();
    if (!socket) { return; }
    var slug = root.getAttribute("data-network");
    socket.on("rollup", function (payload) {
      if (!payload || payload.network !== slug) { return; }
      reload(root);
    });
    root.setAttribute("data-live", "listening");
    window.nicLeadership = { reload: function () { return reload(root); } };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
