/* nic: run and Shewhart charts, drawn with Chart.js (static/vendor/chart.umd.min.js).
 *
 * Each <figure data-spc-chart="ID"> names a <script type="application/json" id="ID">
 * holding what the server analysed (nic/web/charts/display.py: chart_payload): values,
 * center and limits per point, the phases, the signal points and the PDSA cycles. This
 * file only draws; every number comes from the server, and the page's table carries the
 * same data for readers without JavaScript or a screen.
 *
 * The x axis is linear in point index, so a cycle that started mid-week sits between
 * two weekly points (its x is fractional) without a date adapter.
 * PDSA cycle markers are real links laid over the canvas: keyboard-focusable, with the
 * cycle's title and phase as their name and in a tooltip.
 */
(function () {
  "use strict";

  var COLORS = {
    data: "#1d4ed8",
    center: "#374151",
    limit: "#b91c1c",
    goal: "#15803d",
    shift: "#ea580c",
    trend: "#7c3aed",
    outside: "#dc2626",
    phase: "#6b7280",
    cycle: "#b45309",
    grid: "#e5e7eb"
  };
  // What each canvas draws beyond its datasets, set before Chart.js first renders.
  var STATE = new WeakMap();
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function parseDay(iso) {
    var parts = iso.split("-");
    return { year: +parts[0], month: +parts[1] - 1, day: +parts[2] };
  }

  function shortDate(iso, monthly) {
    var d = parseDay(iso);
    return monthly ? MONTHS[d.month] + " " + d.year : d.day + " " + MONTHS[d.month];
  }

  function longDate(iso) {
    var d = parseDay(iso);
    return d.day + " " + MONTHS[d.month] + " " + d.year;
  }

  function formatter(data) {
    return function (value) {
      if (value === null || value === undefined || isNaN(value)) { return "—"; }
      if (data.percent) { return (value * 100).toFixed(1).replace(/\.0$/, "") + "%"; }
      var text = Math.abs(value - Math.round(value)) < 1e-9 ? String(Math.round(value))
        : value.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
      if (data.unit === "%") { return text + "%"; }
      return data.unit ? text + " " + data.unit : text;
    };
  }

  function axisNumber(value, unit) {
    var text = Math.abs(value - Math.round(value)) < 1e-9 ? String(Math.round(value)) : String(+value.toFixed(3));
    return unit === "%" ? text + "%" : text;
  }

  // A per-point series (center, limits) as step lines that break between phases and
  // run the full width of each phase.
  function phased(data, series) {
    var out = [];
    data.phases.forEach(function (phase, k) {
      var start = phase[0], end = phase[1];
      if (k > 0) { out.push({ x: start - 0.5, y: null }); }
      var first = null, last = null;
      for (var i = start; i < end; i++) {
        if (series[i] !== null && series[i] !== undefined) {
          if (first === null) { first = i; out.push({ x: start - 0.5, y: series[i] }); }
          last = i;
        }
        out.push({ x: i, y: series[i] === undefined ? null : series[i] });
      }
      if (last !== null) { out.push({ x: end - 0.5, y: series[last] }); }
    });
    return out;
  }

  function excludedAt(data, i) { return (data.excluded || []).indexOf(i) >= 0; }

  function signalPoints(data, indices) {
    return indices.filter(function (i) { return data.values[i] !== null; })
      .map(function (i) { return { x: i, y: data.values[i] }; });
  }

  function datasets(data) {
    var n = data.periods.length;
    var run = data.chart === "run";
    var excluded = {};
    (data.excluded || []).forEach(function (i) { excluded[i] = true; });
    var sets = [{
      label: data.chart === "p" ? "Proportion" : (data.chart === "u" ? "Rate" : "Value"),
      key: "data",
      data: data.values.map(function (y, i) { return { x: i, y: y }; }),
      borderColor: COLORS.data, backgroundColor: COLORS.data,
      // A pooled period too few schools reported is drawn hollow (white inside): it is
      // shown but not judged (docs/SIGNALS.md, "Pooled series").
      pointBackgroundColor: data.values.map(function (_, i) { return excluded[i] ? "#ffffff" : COLORS.data; }),
      pointRadius: data.values.map(function (_, i) { return excluded[i] ? 4 : 3; }),
      pointBorderWidth: data.values.map(function (_, i) { return excluded[i] ? 2 : 1; }),
      borderWidth: 2, pointHoverRadius: 5, spanGaps: false, order: 4
    }, {
      label: run ? "Median" : "Center line",
      key: "center",
      data: phased(data, data.center),
      borderColor: COLORS.center, borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0,
      stepped: "middle", spanGaps: false, order: 5
    }];
    if (!run) {
      [["Upper limit", "upper", data.upper], ["Lower limit", "lower", data.lower]].forEach(function (item) {
        sets.push({
          label: item[0], key: item[1], data: phased(data, item[2]),
          borderColor: COLORS.limit, borderWidth: 1.25, borderDash: [6, 4], pointRadius: 0, pointHitRadius: 0,
          stepped: "middle", spanGaps: false, order: 5
        });
      });
    }
    if (data.goal !== null && data.goal !== undefined) {
      sets.push({
        label: "Goal", key: "goal", data: [{ x: -0.5, y: data.goal }, { x: n - 0.5, y: data.goal }],
        borderColor: COLORS.goal, borderWidth: 2, borderDash: [2, 4], pointRadius: 0, pointHitRadius: 0, order: 6
      });
    }
    // A point is marked once: a red diamond ring (outside the limits), an orange disc (a
    // rule of this chart type fired on it) or a small purple triangle (an IHI shift or
    // trend no rule backs: a pattern, not a signal). Chart.js draws higher `order` first.
    [
      { label: "Signal", key: "signal", style: "circle", radius: 6.5, fill: COLORS.shift, line: "#ffffff", width: 1.5, order: 2 },
      { label: "Pattern, not a signal", key: "pattern", style: "triangle", radius: 4, fill: COLORS.trend, line: COLORS.trend, width: 1, order: 1 },
      { label: "Outside the limits", key: "outside_limits", style: "rectRot", radius: 11, fill: "rgba(255, 255, 255, 0.6)",
        line: COLORS.outside, width: 2.5, order: 3 }
    ].forEach(function (signal) {
      var indices = data[signal.key] || [];
      if (indices.length === 0) { return; }
      sets.push({
        label: signal.label, key: signal.key, data: signalPoints(data, indices), showLine: false,
        pointStyle: signal.style, pointRadius: signal.radius, pointHoverRadius: signal.radius + 2,
        backgroundColor: signal.fill, borderColor: signal.line, borderWidth: signal.width, order: signal.order
      });
    });
    return sets;
  }

  // Phase boundaries and cycle start lines, drawn on the canvas; cycle flags are links.
  var annotations = {
    id: "nicAnnotations",
    afterDatasetsDraw: function (chart) {
      var state = STATE.get(chart.canvas);
      if (!state) { return; }
      var data = state.data, x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.lineWidth = 1;
      ctx.strokeStyle = COLORS.cycle;
      ctx.setLineDash([2, 3]);
      data.markers.forEach(function (m) {
        var px = x.getPixelForValue(m.x);
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
      });
      ctx.setLineDash([]);
      ctx.strokeStyle = COLORS.phase;
      ctx.fillStyle = COLORS.phase;
      ctx.lineWidth = 1.5;
      ctx.font = "12px system-ui, sans-serif";
      ctx.textBaseline = "top";
      data.splits.forEach(function (split) {
        var px = x.getPixelForValue(split.index - 0.5);
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        phaseLabel(ctx, split.label, px, area);
      });
      ctx.restore();
    },
    afterDraw: function (chart) {
      var state = STATE.get(chart.canvas);
      var layer = state && state.layer;
      if (!layer) { return; }
      var x = chart.scales.x, top = chart.chartArea.top;
      Array.prototype.forEach.call(layer.children, function (link) {
        link.style.left = x.getPixelForValue(+link.getAttribute("data-x")) + "px";
        link.style.top = (top - 20 - 17 * +link.getAttribute("data-row")) + "px";
      });
    }
  };

  // A phase's name beside its boundary: to the right when there is room, else to the
  // left, shortened with an ellipsis to what fits, on a light background over the data.
  function phaseLabel(ctx, text, px, area) {
    var pad = 4, right = area.right - px - 2 * pad, left = px - area.left - 2 * pad;
    var toRight = right >= Math.min(ctx.measureText(text).width, 120) || right >= left;
    var room = Math.max(toRight ? right : left, 0);
    var shown = text;
    while (shown.length > 1 && ctx.measureText(shown).width > room) { shown = shown.slice(0, -2) + "…"; }
    if (shown.length <= 1) { return; }
    var width = ctx.measureText(shown).width;
    var x = toRight ? px + pad : px - pad - width;
    ctx.save();
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillRect(x - 2, area.top + 2, width + 4, 16);
    ctx.restore();
    ctx.fillText(shown, x, area.top + 4);
  }

  // Ticks at the first period of each month (weekly charts) or every month (monthly),
  // thinned to about a dozen labels.
  function tickIndices(periods, monthly) {
    var picked = [];
    periods.forEach(function (iso, i) {
      if (monthly || i === 0 || parseDay(iso).month !== parseDay(periods[i - 1]).month) { picked.push(i); }
    });
    var step = Math.max(1, Math.ceil(picked.length / 12));
    return picked.filter(function (_, k) { return k % step === 0; });
  }

  // Cycles that start within a few pixels of each other stack in rows (at most three)
  // so each flag stays visible and clickable. Estimated from the frame's width before
  // the first layout; the rows stay as they are when the window is resized.
  function markerRows(markers, n, width) {
    var perPoint = Math.max(width - 70, 100) / Math.max(n, 1);
    var gap = 18 / perPoint, lastInRow = [];
    return markers.map(function (m) {
      for (var row = 0; row < 3; row++) {
        if (lastInRow[row] === undefined || m.x - lastInRow[row] >= gap) { lastInRow[row] = m.x; return row; }
      }
      return 2;
    });
  }

  function markerLinks(layer, data, rows) {
    layer.textContent = "";
    data.markers.forEach(function (m, index) {
      var link = document.createElement("a");
      link.className = "spc-marker";
      link.href = m.url;
      link.setAttribute("data-x", m.x);
      link.setAttribute("data-row", rows[index]);
      link.setAttribute("data-cycle-id", m.id);
      var name = "PDSA cycle: " + m.title + " (" + m.phase + ", started " + longDate(m.date) +
        (data.markers.some(function (o) { return o.school !== m.school; }) ? ", " + m.school : "") + ")";
      link.setAttribute("aria-label", name);
      var flag = document.createElement("span");
      flag.className = "spc-marker__flag";
      flag.setAttribute("aria-hidden", "true");
      var tip = document.createElement("span");
      tip.className = "spc-marker__tip";
      tip.setAttribute("aria-hidden", "true");
      var strong = document.createElement("strong");
      strong.textContent = m.title;
      tip.appendChild(strong);
      tip.appendChild(document.createTextNode(m.phase + " · started " + longDate(m.date) + " · " + m.school));
      link.appendChild(flag);
      link.appendChild(tip);
      layer.appendChild(link);
    });
  }

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-spc-chart"));
    var canvas = figure.querySelector("canvas");
    if (!source || !canvas || typeof window.Chart === "undefined") { return null; }
    var data = JSON.parse(source.textContent);
    var n = data.periods.length;
    var fmt = formatter(data);
    var monthly = n > 1 && parseDay(data.periods[1]).day === 1 && parseDay(data.periods[0]).day === 1;
    var layer = figure.querySelector("[data-spc-markers]");
    var rows = markerRows(data.markers, n, figure.clientWidth);
    var stacked = rows.length ? Math.max.apply(null, rows) : 0;
    if (layer) { markerLinks(layer, data, rows); }
    STATE.set(canvas, { data: data, layer: layer });
    var chart = new window.Chart(canvas, {
      type: "line",
      data: { datasets: datasets(data) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        layout: { padding: { top: data.markers.length ? 24 + 17 * stacked : 8, right: 8 } },
        interaction: { mode: "nearest", intersect: true },
        scales: {
          x: {
            type: "linear", min: -0.5, max: Math.max(n - 0.5, 0.5), grid: { color: COLORS.grid },
            afterBuildTicks: function (scale) {
              scale.ticks = tickIndices(data.periods, monthly).map(function (i) { return { value: i }; });
            },
            ticks: {
              autoSkip: false, maxRotation: 0,
              callback: function (value) {
                return Number.isInteger(value) && data.periods[value] ? shortDate(data.periods[value], monthly) : "";
              }
            }
          },
          y: {
            grace: "8%",
            grid: { color: COLORS.grid },
            title: { display: Boolean(data.unit) && !data.percent && data.unit !== "%", text: data.unit },
            ticks: { callback: function (value) { return data.percent ? fmt(value) : axisNumber(value, data.unit); } }
          }
        },
        plugins: {
          legend: { display: false }, // the figure's caption is the legend, in HTML
          tooltip: {
            filter: function (item) { return ["data", "signal", "pattern", "outside_limits"].indexOf(item.dataset.key) >= 0; },
            callbacks: {
              title: function (items) {
                var i = items.length ? Math.round(items[0].parsed.x) : -1;
                return data.periods[i] ? (monthly ? shortDate(data.periods[i], true) : "Week of " + longDate(data.periods[i])) : "";
              },
              label: function (item) {
                var i = Math.round(item.parsed.x);
                if (item.dataset.key !== "data") { return item.dataset.label; }
                var lines = [item.dataset.label + ": " + fmt(data.values[i])];
                if (data.center[i] !== null) { lines.push((data.chart === "run" ? "Median" : "Center") + ": " + fmt(data.center[i])); }
                if (data.upper[i] !== null && data.upper[i] !== undefined) {
                  lines.push("Limits: " + fmt(data.lower[i]) + " to " + fmt(data.upper[i]));
                }
                if (data.reporting && data.reporting[i]) {
                  lines.push(data.reporting[i] + " of " + data.expected + " schools reported");
                }
                if (excludedAt(data, i)) { lines.push("Too few schools: left out of the center, limits and rules"); }
                return lines;
              }
            }
          }
        }
      },
      plugins: [annotations]
    });
    figure.setAttribute("data-state", "drawn");
    figure.setAttribute("data-datasets", chart.data.datasets.map(function (s) { return s.key; }).join(" "));
    return chart;
  }

  function init() {
    window.nicCharts = window.nicCharts || {};
    Array.prototype.forEach.call(document.querySelectorAll("figure[data-spc-chart]"), function (figure) {
      try {
        var chart = draw(figure);
        if (chart) { window.nicCharts[figure.id] = chart; }
      } catch (error) {
        figure.setAttribute("data-state", "failed");
        if (window.console) { window.console.error("chart not drawn", error); }
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
