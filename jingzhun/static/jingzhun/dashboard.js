// Draws the decision-dashboard charts from their data-dashboard-chart attribute (ECharts from npm).
// Kinds: "ranking" (bars sorted by the server; a click opens the bar's url), "years", "pie", "rates",
// "trend" (two series on two axes).
document.addEventListener("DOMContentLoaded", function () {
  if (typeof echarts === "undefined") { return; }
  // No growing bars for people who asked their system for less motion (and for the browser tests).
  var animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("[data-dashboard-chart]").forEach(function (el) {
    var data = JSON.parse(el.dataset.dashboardChart);
    var chart = echarts.init(el);
    var title = { text: data.title, left: 8, top: 6, textStyle: { fontSize: 14 } };
    var empty = data.values.length === 0;
    if (data.kind === "trend") {
      // two measures over the days of the stored refreshes: persons (left axis) and a rate (right axis)
      chart.setOption({
        animation: animation, title: title, tooltip: { trigger: "axis", renderMode: "richText" }, legend: { top: 30, right: 8 },
        grid: { left: 56, right: 56, top: 64, bottom: 40 },
        xAxis: { type: "category", data: data.names },
        yAxis: [{ type: "value" }, { type: "value", axisLabel: { formatter: "{value}%" } }],
        series: data.series.map(function (s, i) {
          return { type: "line", name: s.name, yAxisIndex: i, data: s.values, symbolSize: 6 };
        })
      });
    } else if (data.kind === "pie") {
      chart.setOption({
        animation: animation, title: title, tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", renderMode: "richText" },
        legend: { type: "scroll", orient: "vertical", right: 4, top: 36 },
        // slice labels only when few enough to stay clear of each other and of the legend
        series: [{ type: "pie", radius: ["30%", "62%"], center: ["40%", "56%"],
                   label: { show: data.names.length <= 5, formatter: "{d}%" },
                   data: data.names.map(function (n, i) { return { name: n, value: data.values[i] }; }) }]
      });
    } else {
      var percent = data.kind === "ranking" || data.kind === "rates";
      // many bars, or long names (通村公路硬化率 …), are written at a slant so they do not overlap
      var tilted = data.names.length > 6 || data.names.some(function (n) { return n.length > 5; });
      chart.setOption({
        animation: animation, title: title,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText",
                   valueFormatter: function (v) { return v == null ? "—" : (percent ? v.toFixed(2) + "%" : v); } },
        grid: { left: 50, right: 20, top: 44, bottom: tilted ? 84 : 60 },
        xAxis: { type: "category", data: data.names, axisLabel: { rotate: tilted ? 30 : 0, interval: 0 } },
        yAxis: { type: "value", max: data.kind === "rates" ? 100 : null, minInterval: data.kind === "years" ? 1 : 0 },
        dataZoom: data.names.length > 20 ? [{ type: "slider", xAxisIndex: 0, start: 0, end: 100 * 20 / data.names.length }] : [],
        color: [data.kind === "years" ? "#2e8b57" : "#c0392b"],
        series: [{ type: data.kind === "years" ? "line" : "bar", name: data.series || data.title, data: data.values,
                   cursor: data.urls ? "pointer" : "default", label: { show: data.names.length <= 12, position: "top" } }]
      });
      if (data.urls) {
        chart.on("click", function (params) {
          var url = data.urls[params.dataIndex];
          if (url) { window.location.href = url; }
        });
      }
    }
    if (empty) {
      chart.setOption({ graphic: { type: "text", left: "center", top: "middle", style: { text: "—", fontSize: 20, fill: "#999" } } });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
