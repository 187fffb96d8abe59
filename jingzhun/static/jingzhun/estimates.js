// The estimates page's chart: each rate's 95% interval as a floating bar, its estimate as a dot and its
// standard as a tick (ECharts from npm; data from the json_script "estimate-chart-data").
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("estimate-chart");
  var source = document.getElementById("estimate-chart-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    // richText: the tooltip is drawn on the canvas, not as HTML with style attributes the CSP would block
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
    legend: { top: 4, data: [data.names.interval, data.names.point, data.names.threshold] },
    grid: { left: 8, right: 24, top: 36, bottom: 24 },
    xAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      { name: "base", type: "bar", stack: "interval", data: data.lower, barMaxWidth: 28, itemStyle: { color: "transparent" },
        tooltip: { show: false }, silent: true },
      { name: data.names.interval, type: "bar", stack: "interval", data: data.width, barMaxWidth: 28,
        itemStyle: { color: "#9ecae1" } },
      { name: data.names.point, type: "scatter", data: data.point, symbolSize: 10, itemStyle: { color: "#08519c" } },
      { name: data.names.threshold, type: "scatter", data: data.threshold, symbol: "rect", symbolSize: [3, 22],
        itemStyle: { color: "#c0392b" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
