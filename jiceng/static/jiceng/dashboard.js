// Draws a dashboard's charts (stats/dashboard.py) with ECharts, served locally. Each <div class="chart"
// data-chart="ID"> reads {key, kind, categories, series: [{name, data}], links} from the JSON script #ID;
// a click on a bar or cell opens the list behind it; the toolbox saves the chart as an image (offline).
(function () {
  if (!window.echarts) { return; }
  var charts = [];
  function linkOf(chart, params) {
    if (chart.kind === "heatmap") { return (chart.links[0] || [])[params.value[1]]; }
    return ((chart.links[params.seriesIndex] || [])[params.dataIndex]) || "";
  }
  function option(chart) {
    var toolbox = { right: 4, top: 0, feature: { saveAsImage: { title: chart.title, name: chart.key } } };
    var grid = { containLabel: true, left: 8, right: 8, bottom: 8, top: chart.series.length > 2 ? 64 : 40 };
    var legend = { top: 0, left: 0, right: 36, show: chart.series.length > 1 };  // clear of the toolbox
    if (chart.kind === "pyramid") {
      return {
        toolbox: toolbox, legend: legend, grid: grid,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                   valueFormatter: function (v) { return Math.abs(v); } },
        xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return Math.abs(v); } } },
        yAxis: { type: "category", data: chart.categories, axisTick: { show: false } },
        series: chart.series.map(function (s, i) {
          return { type: "bar", name: s.name, stack: "all", barCategoryGap: "15%",
                   data: s.data.map(function (v) { return i === 0 ? -v : v; }),
                   label: { show: true, position: "inside",
                            formatter: function (p) { return p.value ? Math.abs(p.value) : ""; } } };
        }),
      };
    }
    if (chart.kind === "heatmap") {
      return {
        toolbox: toolbox, grid: { containLabel: true, left: 8, right: 8, bottom: 40, top: 30 },
        tooltip: { position: "top", formatter: function (p) {
          return chart.rows[p.value[1]] + " · " + chart.categories[p.value[0]] + "：" + (p.value[2] === null ? "–" : p.value[2] + "%");
        } },
        xAxis: { type: "category", data: chart.categories, splitArea: { show: true } },
        yAxis: { type: "category", data: chart.rows, inverse: true,
                 axisLabel: { width: 110, overflow: "truncate" }, splitArea: { show: true } },
        visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                     itemHeight: 120, inRange: { color: ["#f8d7da", "#fff3cd", "#d1e7dd", "#198754"] } },
        series: [{ type: "heatmap", name: chart.series[0].name, data: chart.series[0].data,
                   label: { show: true, formatter: function (p) { return p.value[2] === null ? "" : p.value[2]; } } }],
      };
    }
    var long = chart.categories.join("").length > 24;
    var axes = { xAxis: { type: "category", data: chart.categories,
                          axisLabel: { interval: 0, rotate: long ? 30 : 0, width: long ? 90 : undefined, overflow: "truncate" } },
                 yAxis: [{ type: "value", minInterval: 1 }] };
    var series;
    if (chart.kind === "trend") {
      axes.yAxis.push({ type: "value", splitLine: { show: false } });  // the average age: named in the legend
      series = [
        { type: "line", name: chart.series[0].name, data: chart.series[0].data, label: { show: true } },
        { type: "bar", name: chart.series[1].name, data: chart.series[1].data, label: { show: true, position: "top" } },
        { type: "line", name: chart.series[2].name, yAxisIndex: 1, data: chart.series[2].data, lineStyle: { type: "dashed" } },
      ];
    } else {
      series = chart.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, stack: chart.stacked ? "all" : undefined,
                 label: { show: true, position: chart.stacked ? "inside" : "top",
                          formatter: function (p) { return p.value || ""; } } };
      });
    }
    return { toolbox: toolbox, legend: legend, grid: grid, tooltip: { trigger: "axis" },
             xAxis: axes.xAxis, yAxis: axes.yAxis, series: series };
  }
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var chart = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    if (!chart.categories.length) { return; }
    var c = echarts.init(el);
    c.setOption(option(chart));
    c.on("click", function (params) {
      var url = linkOf(chart, params);
      if (url) { window.location.href = url; }
    });
    el.dataset.rendered = "1";
    charts.push(c);
  });
  var resize = function () { charts.forEach(function (c) { c.resize(); }); };
  var printing = function (on) {  // on paper: no toolbox, each chart redrawn to the printed width
    return function () { charts.forEach(function (c) { c.setOption({ toolbox: { show: !on } }); c.resize(); }); };
  };
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", printing(true));
  window.addEventListener("afterprint", printing(false));
})();
