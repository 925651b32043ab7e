/* Charts over data tables: every <table data-chart="bar|hbar"> gets a chart drawn from its own rows (row header =
   label, the cell with data-value = value) with the chart library the platform serves itself (Chart.js, installed
   by `npm ci`, decision 052). The table stays in the page: it is what screen readers read and what shows without
   JavaScript or when the library is missing; once the chart is drawn it is only hidden from sight. */
(function () {
  "use strict";

  function cssColour(name, fallback) {
    var value = window.getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // Row header = label; each cell with data-value = one series (a column). A table with several value columns
  // (their headers marked data-series, toned by data-tone) is drawn as grouped bars.
  function rowsOf(table) {
    var labels = [];
    var series = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var head = row.querySelector("th");
      var cells = row.querySelectorAll("[data-value]");
      if (!head || !cells.length) {
        return;
      }
      labels.push(head.textContent.trim());
      cells.forEach(function (cell, index) {
        series[index] = series[index] || [];
        series[index].push(Number(cell.getAttribute("data-value")));
      });
    });
    return { labels: labels, series: series };
  }

  function toneColour(tone) {
    if (tone === "negative") {
      return cssColour("--negative", "#b4232a");
    }
    if (tone === "positive") {
      return cssColour("--positive", "#1f7a4d");
    }
    return cssColour("--link", "#1d5fb4");
  }

  function draw(table) {
    if (table.getAttribute("data-chart-drawn")) {
      return;
    }
    var data = rowsOf(table);
    if (!data.labels.length) {
      return;
    }
    var anchor = table.closest(".table-scroll") || table;
    var figure = anchor.parentNode;
    var caption = figure.querySelector("figcaption, h2, h3");
    var horizontal = table.getAttribute("data-chart") === "hbar";
    var headers = table.querySelectorAll("thead th[data-series]");
    var valueHeading = table.querySelector("thead th:last-child");
    var datasets = data.series.map(function (values, index) {
      var header = headers[index];
      return {
        label: header ? header.textContent.trim() : (valueHeading ? valueHeading.textContent.trim() : ""),
        data: values,
        backgroundColor: toneColour(header ? header.getAttribute("data-tone") : table.getAttribute("data-chart-tone")),
        borderRadius: 3,
        maxBarThickness: 28
      };
    });

    var box = document.createElement("div");
    box.className = "chart-canvas";
    // Set through the CSSOM (not a style attribute): the content security policy allows it.
    box.style.height = (horizontal ? Math.max(140, data.labels.length * 30 * datasets.length + 40) : 240) + "px";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", caption ? caption.textContent.trim() : "");
    box.appendChild(canvas);
    figure.insertBefore(box, anchor);

    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: document.documentElement.lang || undefined,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: horizontal
          ? { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } }
          : { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
    table.setAttribute("data-chart-drawn", "1");
    figure.classList.add("chart-drawn");
  }

  function start() {
    if (!window.Chart) {
      return; // the library is not served: the tables stay as they are
    }
    document.querySelectorAll("table[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
