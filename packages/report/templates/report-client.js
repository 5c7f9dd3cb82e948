// Runs in the page: draws the charts (Chart.js, inlined above) from the JSON embedded by the renderer.
// Histograms are drawn when their case section is first opened, so a report with hundreds of cases
// does not build hundreds of charts up front.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('crossrt-chart-data').textContent);
  var css = getComputedStyle(document.documentElement);
  var tone = function (t) { return css.getPropertyValue('--' + t).trim() || '#57606a'; };
  Chart.defaults.animation = false;
  Chart.defaults.font.family = css.fontFamily;

  function drawOverview() {
    var canvas = document.getElementById('chart-overview');
    if (!canvas || !data.overview) return;
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: data.overview.labels,
        datasets: data.overview.series.map(function (s, i) {
          var palette = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#57606a'];
          return { label: s.target, data: s.counts, backgroundColor: palette[i % palette.length] };
        }),
      },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: 'max |actual − reference| of a comparison' } },
          y: { beginAtZero: true, title: { display: true, text: 'comparisons' }, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: 'top' } },
      },
    });
  }

  function drawHistogram(canvas) {
    if (canvas.dataset.drawn) return;
    var h = data.histograms[canvas.dataset.histogram];
    if (!h) return;
    canvas.dataset.drawn = '1';
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: h.labels,
        datasets: [{ label: 'elements', data: h.counts, backgroundColor: h.colors.map(tone), categoryPercentage: 1, barPercentage: 0.95 }],
      },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: '|actual − reference| (log2 bins; green = within atol)' } },
          y: h.logScale
            ? { type: 'logarithmic', title: { display: true, text: 'elements (log scale)' } }
            : { beginAtZero: true, title: { display: true, text: 'elements' }, ticks: { precision: 0 } },
        },
        plugins: { legend: { display: false }, tooltip: { callbacks: { title: function (items) { return h.ranges[items[0].dataIndex]; } } } },
      },
    });
  }

  function drawOpenHistograms(root) {
    root.querySelectorAll('canvas[data-histogram]').forEach(function (c) {
      if (c.closest('details:not([open])') === null) drawHistogram(c);
    });
  }

  document.querySelectorAll('details.case').forEach(function (d) {
    d.addEventListener('toggle', function () { if (d.open) drawOpenHistograms(d); });
  });
  // Jumping to a case from the matrix opens it.
  function openTarget() {
    var el = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  var filter = document.getElementById('only-problems');
  if (filter) filter.addEventListener('change', function () { document.body.classList.toggle('only-problems', filter.checked); });

  drawOverview();
  openTarget();
  drawOpenHistograms(document);
  document.body.dataset.chartsReady = '1';
})();
