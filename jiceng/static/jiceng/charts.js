// Draws the charts whose data the page carries in data-series (ECharts, served locally).
document.querySelectorAll(".chart[data-series]").forEach(function (el) {
  var data = JSON.parse(el.dataset.series).filter(function (d) { return d.value > 0; });
  if (!data.length || !window.echarts) { el.remove(); return; }
  echarts.init(el).setOption({
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data, label: { formatter: "{b}\n{c}" } }],
  });
});
