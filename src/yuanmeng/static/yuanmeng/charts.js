// Bar charts: <div class="chart" data-chart="ID"> draws the JSON in <script id="ID" type="application/json">
// (Django's json_script, which escapes <, > and & so that no name can end the block).
// Data: {"title": "...", "categories": [...], "series": [{"name": "...", "data": [...]}, ...], "unit": "..."}
// Bars lie across the page (names stay readable on a phone) and carry their value. The scale follows the data:
// counts get whole-number steps (no 0.5 worker), and values that span two orders of magnitude or more (a
// 20,000-yuan budget beside a 15-million one) a logarithmic scale, on which a zero has no bar — unless the data
// says "linear": true (percentages of a target, where 0.1 % beside 90 % must look that far apart).
(function () {
  var LOG_SPAN = 100;
  var lang = document.documentElement.lang || "zh-hans";
  var compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  var full = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

  function values(spec) {
    return spec.series.reduce(function (all, s) { return all.concat(s.data); }, []);
  }

  function valueAxis(spec) {
    var all = values(spec);
    var positive = all.filter(function (v) { return v > 0; });
    var log = !spec.linear && positive.length > 1 &&
      Math.max.apply(null, positive) >= LOG_SPAN * Math.min.apply(null, positive);
    var whole = all.every(function (v) { return Number.isInteger(v); });
    return {
      type: log ? "log" : "value",
      minInterval: whole ? 1 : undefined,
      axisLabel: { hideOverlap: true, formatter: function (v) { return compact.format(v); } }
    };
  }

  function bars(s, log) {
    return {
      name: s.name, type: "bar", stack: s.stack,
      // on a log scale a zero has no place: no bar, and the label and tooltip read the real value
      data: s.data.map(function (v) { return { value: log && v <= 0 ? null : v, real: v }; }),
      label: { show: true, position: "right", formatter: function (p) { return compact.format(p.data.real); } }
    };
  }

  function tooltip(points) {
    return points.map(function (p) {
      return p.marker + p.seriesName + ": " + full.format(p.data.real);
    }).join("<br>");
  }

  // Lines ({"kind": "line", "title", "series": [{"name", "data": [["2026-03-01", 12], ...], "tone": 0, "dashed"}],
  // "caps": [{"name", "value", "tone"}]}): counts to date over days, each cap a horizontal line in its series'
  // colour, a dashed series for a projection. The value axis reaches the highest cap.
  var TONES = ["#c8102e", "#1849a9"];

  function drawLine(box, spec) {
    box.style.height = "320px";
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    var top = Math.max.apply(null, [0].concat(spec.caps.map(function (c) { return c.value; })));
    var series = spec.series.map(function (s) {
      return { name: s.name, type: "line", showSymbol: s.data.length < 3, data: s.data,
               color: TONES[s.tone], lineStyle: { type: s.dashed ? "dashed" : "solid" } };
    });
    spec.caps.forEach(function (cap) {
      series.push({ name: cap.name, type: "line", data: [], color: TONES[cap.tone],
                    markLine: { symbol: "none", silent: true, lineStyle: { type: "dotted", width: 2 },
                                label: { position: "insideStartTop", formatter: cap.name + ": " + full.format(cap.value) },
                                data: [{ yAxis: cap.value }] } });
    });
    chart.setOption({
      title: { text: spec.title, textStyle: { fontSize: 14, width: box.clientWidth - 16, overflow: "truncate" } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 40, bottom: 48, containLabel: true },
      xAxis: { type: "time", minInterval: 86400000, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1, max: function (v) { return Math.max(v.max, Math.ceil(top * 1.05)); },
               axisLabel: { formatter: function (v) { return compact.format(v); } } },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function draw(box) {
    var block = document.getElementById(box.dataset.chart);
    if (!block || !window.echarts) { return; }
    var spec = JSON.parse(block.textContent);
    if (spec.kind === "line") { drawLine(box, spec); return; }
    var axis = valueAxis(spec);
    box.style.height = Math.max(240, spec.categories.length * (spec.series.length * 18 + 14) + 100) + "px";
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      title: { text: spec.unit ? spec.title + " (" + spec.unit + ")" : spec.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: tooltip },
      legend: { bottom: 0 },
      grid: { left: 8, right: 48, top: 40, bottom: 40, containLabel: true },
      yAxis: { type: "category", inverse: true, data: spec.categories,
               axisLabel: { interval: 0, width: 96, overflow: "break" } },
      xAxis: axis,
      color: ["#c8102e", "#d0d5dd", "#b8860b", "#1849a9", "#067647"],
      series: spec.series.map(function (s) { return bars(s, axis.type === "log"); })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
