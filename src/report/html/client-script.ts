/**
 * The report's own script, run in the browser after uPlot: it draws every element with a
 * `data-chart` attribute from the chart specs embedded in the page (#report-data). Plain
 * ES2017 in a string — it is inlined, never loaded — and kept small: the numbers are worked
 * out at render time in Node, the browser only draws them.
 *
 * Chart spec (see charts.ts): { kind: 'percentile' | 'series' | 'steps', title, xLabel, unit,
 * x: number[], series: [{ label, color, y: (number | null)[], dash? }], stepped? }. Percentile charts have
 * x = 1 / (1 - q) on a log axis (90% at 10, 99% at 100); steps charts have x = a ramp's step
 * values, in the unit xLabel names.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = [];

  function percentile(x, extra) {
    var p = 100 * (1 - 1 / x);
    if (p <= 0) return '0%';
    var digits = Math.max(0, Math.ceil(Math.log10(x) - 1e-9) - 2) + (extra || 0);
    return (+p.toFixed(digits)) + '%';
  }
  function number(v) {
    return (+v.toPrecision(3)).toLocaleString('en-US');
  }
  function withUnit(v, unit) {
    if (v == null) return '–';
    if (unit === 'ms') return v < 1000 ? number(v) + ' ms' : number(v / 1000) + ' s';
    if (unit === 'B') {
      var units = ['B', 'KB', 'MB', 'GB', 'TB'];
      var i = 0;
      while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
      return number(v) + ' ' + units[i];
    }
    if (unit === '%') return number(v * 100) + '%';
    return number(v) + (unit ? ' ' + unit : '');
  }
  function decades(u) {
    var min = u.scales.x.min, max = u.scales.x.max, out = [];
    for (var v = 1; v <= max * 1.0001; v *= 10) if (v >= min * 0.9999) out.push(v);
    return out;
  }

  function options(spec, width) {
    var isPercentile = spec.kind === 'percentile';
    var isSteps = spec.kind === 'steps';
    var xValue = isPercentile
      ? function (u, v) { return v == null ? '–' : percentile(v, 1); }
      : isSteps
        ? function (u, v) { return v == null ? '–' : number(v) + ' ' + spec.xLabel; }
        : function (u, v) { return v == null ? '–' : number(v) + ' s'; };
    return {
      width: width,
      height: 300,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      scales: {
        x: isPercentile
          ? { time: false, distr: 3, log: 10, range: function () { return [spec.x[0], spec.x[spec.x.length - 1]]; } }
          : { time: false },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } }
      },
      axes: [
        {
          label: spec.xLabel,
          splits: isPercentile ? decades : undefined,
          values: isPercentile
            ? function (u, splits) { return splits.map(function (v) { return percentile(v); }); }
            : function (u, splits) { return splits.map(function (v) { return isSteps ? number(v) : number(v) + ' s'; }); }
        },
        {
          label: spec.yLabel || (spec.unit === 'ms' ? 'latency' : ''),
          size: 72,
          values: function (u, splits) { return splits.map(function (v) { return withUnit(v, spec.unit); }); }
        }
      ],
      series: [{ label: spec.xLabel, value: xValue }].concat(spec.series.map(function (s) {
        return {
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: true,
          paths: spec.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
          dash: s.dash ? [6, 4] : undefined,
          points: { show: (isSteps && !s.dash) || s.y.filter(function (v) { return v != null; }).length < 3 },
          value: function (u, v) { return withUnit(v, spec.unit); }
        };
      }))
    };
  }

  function draw(el) {
    var spec = data.charts[el.getAttribute('data-chart')];
    if (!spec) return;
    var width = Math.max(320, Math.floor(el.getBoundingClientRect().width));
    var plot = new uPlot(options(spec, width), [spec.x].concat(spec.series.map(function (s) { return s.y; })), el);
    drawn.push({ el: el, plot: plot });
  }

  var targets = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < targets.length; i++) draw(targets[i]);

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      drawn.forEach(function (d) {
        var width = Math.max(320, Math.floor(d.el.getBoundingClientRect().width));
        if (width !== d.plot.width) d.plot.setSize({ width: width, height: 300 });
      });
    });
  });
  document.body.setAttribute('data-charts', String(drawn.length));
})();
`;
