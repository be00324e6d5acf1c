// Bar charts: <div class="chart" data-chart="ID"> draws the JSON in <script id="ID" type="application/json">
// (Django's json_script, which escapes <, > and & so that no name can end the block).
// Data: {"title": "...", "categories": [...], "series": [{"name": "...", "data": [...]}, ...], "unit": "..."}
(function () {
  function draw(box) {
    var block = document.getElementById(box.dataset.chart);
    if (!block || !window.echarts) { return; }
    var spec = JSON.parse(block.textContent);
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      title: { text: spec.unit ? spec.title + " (" + spec.unit + ")" : spec.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 40, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      color: ["#c8102e", "#d0d5dd", "#b8860b", "#1849a9"],
      series: spec.series.map(function (s) { return { name: s.name, type: "bar", stack: s.stack, data: s.data }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
