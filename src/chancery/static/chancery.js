// chancery dashboard: draws the charts a page describes and keeps filter URLs short.
// Each chart is a <div data-chart="ID"> with its plotly figure in <script type="application/json" id="ID">;
// a point's customdata is the URL of the events behind it, opened on click.
"use strict";

function drawCharts() {
  for (const holder of document.querySelectorAll("[data-chart]")) {
    const source = document.getElementById(holder.dataset.chart);
    if (!source) continue;
    if (typeof window.Plotly === "undefined") {
      holder.textContent = "The chart could not be drawn (plotly.min.js did not load). The table below has the same numbers.";
      continue;
    }
    const figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(holder, figure.data, figure.layout, { displaylogo: false, responsive: true })
      .then(() => holder.classList.add("drawn"));
    holder.on("plotly_click", (event) => {
      const point = event.points && event.points[0];
      const target = point && point.customdata;
      if (typeof target === "string" && target.startsWith("/")) window.location.assign(target);
    });
  }
}

// A form sends every field, empty or not; leave the empty ones out so the URL says only what filters.
function dropEmptyFields(form) {
  form.addEventListener("submit", () => {
    for (const field of form.elements) {
      if (field.name && field.value === "") field.disabled = true;
    }
  });
  // Coming back to the page with the browser's back button must not find the fields still disabled.
  window.addEventListener("pageshow", () => {
    for (const field of form.elements) field.disabled = false;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  drawCharts();
  for (const form of document.querySelectorAll("form.filters")) dropEmptyFields(form);
});
