// Draws the stacked status chart of a division page from the data-chart attribute (ECharts from npm).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    if (typeof echarts === "undefined") { return; }
    var data = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el);
    chart.setOption({
      // richText: the tooltip is drawn on the canvas, not as HTML with style attributes the CSP would block
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 4 },
      // every name shown, one under the other, cut with "…" past 96 px; ECharts 6 widens the margin to fit
      grid: { left: 8, right: data.names.length > 15 ? 40 : 20, top: 36, bottom: 30 },  // the slider's room
      xAxis: { type: "value" },
      yAxis: { type: "category", data: data.names, inverse: true,
               axisLabel: { interval: 0, width: 96, overflow: "truncate", ellipsis: "…" } },
      dataZoom: data.names.length > 15 ? [{ type: "slider", yAxisIndex: 0, start: 0, end: 100 * 15 / data.names.length, right: 0 }] : [],
      color: ["#c0392b", "#2e8b57", "#d68910", "#7f8c8d"],
      series: data.series.map(function (s) { return { name: s.name, type: "bar", stack: "total", data: s.data }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
