// Draws the decision-dashboard charts from their data-dashboard-chart attribute (ECharts from npm).
// The options are built on the server (dashboard/charts.py) and used as they are; added here is only what
// JSON cannot carry: a percentage formatter for tooltips, the click that opens a bar's unit (`urls`), the
// height the bars need (`height`), the "—" of an empty chart, and no animation for reduced motion.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof echarts === "undefined") { return; }
  // No growing bars for people who asked their system for less motion (and for the browser tests).
  var animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("[data-dashboard-chart]").forEach(function (el) {
    var data = JSON.parse(el.dataset.dashboardChart);
    var option = data.option;
    option.animation = animation;
    if (data.percent) {
      option.tooltip.valueFormatter = function (v) { return v == null ? "—" : v.toFixed(2) + "%"; };
    }
    if (data.height) { el.style.height = data.height + "px"; }  // CSSOM, which the CSP allows
    var chart = echarts.init(el);
    chart.setOption(option);
    if (data.urls) {
      chart.on("click", function (params) {
        var url = data.urls[params.dataIndex];
        if (url) { window.location.href = url; }
      });
    }
    if (data.empty) {
      chart.setOption({ graphic: { type: "text", left: "center", top: "middle", style: { text: "—", fontSize: 20, fill: "#999" } } });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
