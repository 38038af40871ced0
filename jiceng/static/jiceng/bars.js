// Draws the bar charts whose data the page carries as JSON (ECharts, served locally):
// <div class="chart" data-bars="ID"> reads {categories: [...], series: [{name, data: [...]}]} from #ID.
document.querySelectorAll(".chart[data-bars]").forEach(function (el) {
  var chart = JSON.parse(document.getElementById(el.dataset.bars).textContent);
  if (!chart.categories.length || !window.echarts) { el.remove(); return; }
  var long = chart.categories.join("").length > 24;
  echarts.init(el).setOption({
    tooltip: { trigger: "axis" },
    legend: { show: chart.series.length > 1 },
    grid: { containLabel: true, left: 8, right: 8, bottom: 8, top: chart.series.length > 1 ? 30 : 10 },
    xAxis: { type: "category", data: chart.categories,
             axisLabel: { interval: 0, rotate: long ? 30 : 0, width: long ? 90 : undefined, overflow: "truncate" } },
    yAxis: { type: "value", minInterval: 1 },
    series: chart.series.map(function (s) {
      return { type: "bar", name: s.name, data: s.data, label: { show: true, position: "top" } };
    }),
  });
});
