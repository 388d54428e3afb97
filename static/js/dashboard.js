/* nic: the dashboards (templates/dashboard/). Without this script the pages work: the
 * charts' numbers are in tables behind <details>, Refresh and Nudge are plain forms.
 * With it:
 *  - each <figure data-dash-chart> is drawn with Chart.js from the JSON beside it;
 *  - "Refresh now" asks for a roll-up without leaving the page and says what is going on;
 *  - when a roll-up finishes, the server's `rollup` event ({network, computed_at}, sent to
 *    the network's facilitators on the page's shared socket, window.nicRealtime) reloads
 *    the figures in place (the page's ?fragment=1), charts included. If the socket is not
 *    there, the page asks /dashboard/status every few seconds while a roll-up it asked
 *    for is under way;
 *  - "Updated 3 minutes ago" keeps counting;
 *  - the printable report gets a Print button.
 */
(function () {
  "use strict";

  var charts = [];
  var POLL_MS = 4000;
  var POLL_LIMIT_MS = 180000;

  function ago(iso) {
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][1]) {
        var n = Math.floor(seconds / units[i][1]);
        return n + " " + units[i][0] + (n === 1 ? "" : "s") + " ago";
      }
    }
    return "just now";
  }

  // --- charts ----------------------------------------------------------------------------

  function draw(figure) {
    var source = figure.querySelector("script[data-dash-payload]");
    var canvas = figure.querySelector("canvas");
    if (!source || !canvas || typeof window.Chart !== "function") { return null; }
    var data = JSON.parse(source.textContent);
    var line = Boolean(data.line);
    var chart = new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (ds) {
          return {
            label: ds.label, data: ds.data, borderColor: ds.color, backgroundColor: ds.color,
            borderWidth: line ? 2 : 0, borderDash: ds.dashed ? [6, 4] : [], pointRadius: line ? 2 : 0,
            tension: 0, fill: false
          };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: Boolean(data.stacked), ticks: { maxRotation: 0, autoSkip: true } },
          y: { stacked: Boolean(data.stacked), beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: function (items) {
                var i = items.length ? items[0].dataIndex : -1;
                var title = data.titles[i] || "";
                return title.charAt(0).toUpperCase() + title.slice(1);
              }
            }
          }
        }
      }
    });
    figure.setAttribute("data-state", "drawn");
    return chart;
  }

  function drawAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("figure[data-dash-chart]"), function (figure) {
      try {
        var chart = draw(figure);
        if (chart) { charts.push(chart); }
      } catch (error) {
        figure.setAttribute("data-state", "failed");
        if (window.console) { window.console.error("dashboard chart not drawn", error); }
      }
    });
  }

  function destroyAll() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
  }

  // --- live figures ----------------------------------------------------------------------

  function say(root, text) {
    var live = root.querySelector("[data-dash-live]");
    if (live) { live.textContent = text; }
  }

  function tickAges(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-dash-age][data-computed-at]"), function (el) {
      el.textContent = "Updated " + ago(el.getAttribute("data-computed-at"));
    });
  }

  function Live(root) {
    this.root = root;
    this.slug = root.getAttribute("data-network");
    this.fragmentUrl = root.getAttribute("data-fragment-url");
    this.statusUrl = root.getAttribute("data-status-url");
    this.loading = null;
    this.pollTimer = null;
  }

  Live.prototype.computedAt = function () {
    var el = this.root.querySelector("[data-computed-at]");
    return el ? el.getAttribute("data-computed-at") : null;
  };

  // Fetch the figures again and put them in place; on a page without a fragment (a
  // school's page) offer to reload instead of reloading under the reader's eyes.
  Live.prototype.reload = function (reason) {
    var self = this;
    if (!self.fragmentUrl) {
      self.offerReload();
      return Promise.resolve();
    }
    if (self.loading) { return self.loading; }
    self.loading = fetch(self.fragmentUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        destroyAll();
        self.root.innerHTML = html;
        drawAll(self.root);
        tickAges(self.root);
        var count = Number(self.root.getAttribute("data-dash-reloads") || 0) + 1;
        self.root.setAttribute("data-dash-reloads", String(count));
        self.root.setAttribute("data-state", "fresh");
        say(self.root, reason || "The figures were just updated.");
      })
      .catch(function () {
        say(self.root, "New figures are ready, but they could not be loaded. Reload the page to see them.");
      })
      .then(function () { self.loading = null; });
    return self.loading;
  };

  Live.prototype.offerReload = function () {
    var live = this.root.querySelector("[data-dash-live]");
    if (!live || live.querySelector("button")) { return; }
    live.textContent = "New figures are ready. ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--small";
    button.textContent = "Show them";
    button.addEventListener("click", function () { window.location.reload(); });
    live.appendChild(button);
  };

  // While a roll-up this page asked for is under way and no `rollup` event came, ask the
  // server now and then (the socket may be down, or Redis pub/sub lost the event).
  Live.prototype.poll = function (before) {
    var self = this;
    var started = Date.now();
    window.clearInterval(self.pollTimer);
    if (!self.statusUrl) { return; }
    self.pollTimer = window.setInterval(function () {
      if (Date.now() - started > POLL_LIMIT_MS) { window.clearInterval(self.pollTimer); return; }
      fetch(self.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) {
          if (!status || status.pending) { return; }
          window.clearInterval(self.pollTimer);
          if (status.last_job && status.last_job.state === "failed") {
            say(self.root, "The roll-up did not finish; these are still the figures of the last one that did.");
          }
          if (status.computed_at && status.computed_at !== before) { self.reload(); }
        })
        .catch(function () { /* try again at the next tick */ });
    }, POLL_MS);
  };

  Live.prototype.listen = function () {
    var self = this;
    var socket = window.nicRealtime && window.nicRealtime.socket();
    if (!socket) { return; }
    socket.on("rollup", function (payload) {
      if (!payload || payload.network !== self.slug) { return; }
      window.clearInterval(self.pollTimer);
      if (payload.computed_at && payload.computed_at === self.computedAt()) { return; } // already showing it
      self.reload("The figures were just updated by a new roll-up.");
    });
    self.root.setAttribute("data-live", "listening");
  };

  Live.prototype.refresh = function (form) {
    var self = this;
    var button = form.querySelector("button[type=submit]");
    var before = self.computedAt();
    if (button) { button.disabled = true; button.setAttribute("data-label", button.textContent); button.textContent = "Computing…"; }
    say(self.root, "Roll-up requested: computing the figures…");
    return fetch(form.action, {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: { Accept: "application/json", "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (response.status !== 202) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (job) {
        if (job.state === "done") {
          // Run at once (no separate worker): the figures are ready, event or not.
          if (self.computedAt() === before) { return self.reload(); }
          return null;
        }
        self.poll(before);
        return null;
      })
      .catch(function () {
        say(self.root, "The roll-up could not be requested. Please try again.");
        if (button) { button.disabled = false; button.textContent = button.getAttribute("data-label"); }
      });
  };

  function init() {
    var root = document.querySelector("[data-dash-body]");
    if (root) {
      drawAll(root);
      tickAges(root);
      var live = new Live(root);
      live.listen();
      document.addEventListener("submit", function (event) {
        var form = event.target;
        if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-dash-refresh")) { return; }
        if (!root.contains(form) || typeof window.fetch !== "function") { return; }
        event.preventDefault();
        live.refresh(form);
      });
      window.setInterval(function () { tickAges(root); }, 30000);
      window.nicDashboard = live;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
