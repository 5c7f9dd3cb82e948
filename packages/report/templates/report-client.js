// Runs in the page: draws the charts (Chart.js, inlined above) from the JSON embedded by the renderer.
// Histograms are drawn when their case section is first opened, so a report with hundreds of cases
// does not build hundreds of charts up front.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('crossrt-chart-data').textContent);
  var css = getComputedStyle(document.documentElement);
  var tone = function (t) {
    return css.getPropertyValue('--' + t).trim() || '#57606a';
  };
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
        responsive: true,
        maintainAspectRatio: false,
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
        datasets: [
          {
            label: 'elements',
            data: h.counts,
            backgroundColor: h.colors.map(tone),
            categoryPercentage: 1,
            barPercentage: 0.95,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: '|actual − reference| (log2 bins; green = within atol)' } },
          y: h.logScale
            ? { type: 'logarithmic', title: { display: true, text: 'elements (log scale)' } }
            : { beginAtZero: true, title: { display: true, text: 'elements' }, ticks: { precision: 0 } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) {
                return h.ranges[items[0].dataIndex];
              },
            },
          },
        },
      },
    });
  }

  // Localize's error-growth curve: one point per node, the culprit drawn larger in the failure colour.
  function drawGrowth(canvas) {
    if (canvas.dataset.drawn) return;
    var g = data.growth && data.growth[canvas.dataset.growth];
    if (!g) return;
    canvas.dataset.drawn = '1';
    var isExact = function (i) {
      return g.errors[i] === 0;
    };
    var datasets = [
      {
        label: 'max abs error',
        data: g.values,
        borderColor: tone('neutral'),
        borderWidth: 1.5,
        spanGaps: false,
        pointBackgroundColor: g.colors.map(function (c, i) {
          return isExact(i) ? '#ffffff' : tone(c);
        }),
        pointBorderColor: g.colors.map(tone),
        pointRadius: g.values.map(function (_, i) {
          return i === g.culprit ? 8 : 3;
        }),
        pointHoverRadius: g.values.map(function (_, i) {
          return i === g.culprit ? 10 : 5;
        }),
        pointBorderWidth: g.values.map(function (_, i) {
          return i === g.culprit ? 3 : 1;
        }),
      },
    ];
    if (g.atol !== undefined) {
      datasets.push({
        label: 'atol ' + g.atol,
        data: g.values.map(function () {
          return g.atol;
        }),
        borderColor: tone('warn'),
        borderDash: [6, 4],
        borderWidth: 1,
        pointRadius: 0,
        pointHoverRadius: 0,
      });
    }
    new Chart(canvas, {
      type: 'line',
      data: { labels: g.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: 'node (topological order)' } },
          y: {
            type: 'logarithmic',
            min: g.floor,
            title: { display: true, text: 'max |actual − reference| (log)' },
            // 3e-4, not 0.0003000; the floor is where exact zeros are drawn, so it says so.
            ticks: {
              callback: function (v, i, ticks) {
                if (v === g.floor) return '0 (exact)';
                return Chart.Ticks.formatters.logarithmic.call(this, v, i, ticks) ? Number(v).toExponential(0) : '';
              },
            },
          },
        },
        plugins: {
          legend: { position: 'top' },
          tooltip: {
            filter: function (item) {
              return item.datasetIndex === 0;
            },
            callbacks: {
              title: function (items) {
                return g.titles[items[0].dataIndex] + (items[0].dataIndex === g.culprit ? ' (culprit)' : '');
              },
              label: function (item) {
                var e = g.errors[item.dataIndex];
                return (
                  g.statuses[item.dataIndex] +
                  ': max abs ' +
                  (e === null ? 'unknown' : e === 0 ? '0 (exact)' : e.toPrecision(3))
                );
              },
            },
          },
        },
      },
    });
  }

  function drawOpenHistograms(root) {
    root.querySelectorAll('canvas[data-histogram]').forEach(function (c) {
      if (c.closest('details:not([open])') === null) drawHistogram(c);
    });
    root.querySelectorAll('canvas[data-growth]').forEach(function (c) {
      if (c.closest('details:not([open])') === null) drawGrowth(c);
    });
  }

  document.querySelectorAll('details.case').forEach(function (d) {
    d.addEventListener('toggle', function () {
      if (d.open) drawOpenHistograms(d);
    });
  });
  // Jumping to a case from the matrix opens it.
  function openTarget() {
    var el = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  var filter = document.getElementById('only-problems');
  if (filter)
    filter.addEventListener('change', function () {
      document.body.classList.toggle('only-problems', filter.checked);
    });

  drawOverview();
  openTarget();
  drawOpenHistograms(document);
  document.body.dataset.chartsReady = '1';
})();
