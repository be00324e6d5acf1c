// Bar charts for pages that carry their data in <script type="application/json" data-chart> blocks.
// Data: {"title": "...", "categories": [...], "series": [{"name": "...", "data": [...]}, ...], "unit": "..."}
(function () {
  function draw(block) {
    var spec = JSON.parse(block.textContent);
    var box = document.getElementById(block.dataset.chart);
    if (!box || !window.echarts) { return; }
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
    document.querySelectorAll("script[data-chart]").forEach(draw);
  });
})();
