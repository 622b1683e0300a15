/* The chart: best bid (solid) and best ask (dashed) per exchange over the last minutes,
   drawn as SVG by hand (no library, nothing to download). window.PTChart.draw(...) */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 800, H = 230, L = 78, R = 12, T = 10, B = 24;

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceStep(span, count) {
    var raw = span / count, power = Math.pow(10, Math.floor(Math.log10(raw))), unit = raw / power;
    return (unit >= 5 ? 5 : unit >= 2 ? 2 : 1) * power;
  }

  function priceLabel(value, step) {
    var places = Math.max(0, Math.min(8, -Math.floor(Math.log10(step))));
    if (Math.abs(value) < step / 1e6) value = 0;
    return value.toLocaleString("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
  }

  function timeLabel(seconds) {
    return seconds === 0 ? "now" : seconds < 60 ? "-" + seconds + "s" : "-" + seconds / 60 + "m";
  }

  var WINDOWS = [30, 60, 120, 180, 300];  // seconds: the axes change only between these

  function layer(svg, name) {
    var g = svg.querySelector("g." + name);
    if (!g) { g = el("g", { "class": name }); svg.appendChild(g); }
    return g;
  }

  /* series: [{name, color, points: [[t_ms, bid, ask], ...]}]; now and maxWindowMs in ms. The
     time axis spans the data there is (30 s at least), up to maxWindowMs; the price axis is
     whole steps around the data. Axes are rebuilt only when they change; each line is one
     path whose points are replaced, so a redraw costs little even in many tabs. */
  function draw(svg, series, now, maxWindowMs) {
    if (!svg.getAttribute("viewBox")) {
      svg.setAttribute("viewBox", "0 0 " + W + " " + H);
      svg.setAttribute("preserveAspectRatio", "none");
    }
    var lo = Infinity, hi = -Infinity, oldest = now, start = now - maxWindowMs;
    series.forEach(function (s) {
      s.points.forEach(function (p) {
        if (p[0] < start) return;
        if (p[0] < oldest) oldest = p[0];
        if (p[1] < lo) lo = p[1];
        if (p[2] > hi) hi = p[2];
      });
    });
    var wanted = (now - oldest) * 1.05 / 1000, windowS = maxWindowMs / 1000;
    for (var w = 0; w < WINDOWS.length; w++) if (WINDOWS[w] >= wanted) { windowS = Math.min(WINDOWS[w], windowS); break; }
    var windowMs = windowS * 1000;
    start = now - windowMs;
    var axes = layer(svg, "axes"), lines = layer(svg, "lines");
    if (lo === Infinity) {
      lines.textContent = "";
      axes.textContent = "";
      axes.appendChild(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "empty" }, "waiting for quotes…"));
      svg.__axesKey = "";
      return windowMs;
    }
    if (hi - lo < Math.abs(hi) * 1e-6) { var pad0 = Math.max(Math.abs(hi) * 5e-5, 1e-6); lo -= pad0; hi += pad0; }
    var step = niceStep(hi - lo, 4);
    lo = Math.floor(lo / step - 0.15) * step;
    hi = Math.ceil(hi / step + 0.15) * step;
    var x = function (t) { return L + (t - start) / windowMs * (W - L - R); };
    var y = function (v) { return T + (hi - v) / (hi - lo) * (H - T - B); };
    var key = [lo, hi, step, windowMs].join(" ");
    if (svg.__axesKey !== key) {
      svg.__axesKey = key;
      axes.textContent = "";
      for (var v = lo; v <= hi + step / 2; v += step) {
        axes.appendChild(el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "axis" }));
        axes.appendChild(el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", "class": "label" }, priceLabel(v, step)));
      }
      var steps = [5, 10, 15, 30, 60, 120, 300], tick = steps[steps.length - 1];
      for (var i = 0; i < steps.length; i++) if (windowS / steps[i] <= 6) { tick = steps[i]; break; }
      for (var sec = 0; sec <= windowS; sec += tick) {
        axes.appendChild(el("text", { x: x(now - sec * 1000), y: H - 6, "text-anchor": sec === 0 ? "end" : "middle", "class": "label" }, timeLabel(sec)));
      }
    }
    series.forEach(function (s) {
      var bid = "", ask = "", column = -1;
      s.points.forEach(function (p) {
        if (p[0] < start) return;
        var at = x(p[0]), whole = Math.floor(at);
        if (whole === column) return;  // one point per pixel column: the path stays small
        column = whole;
        var px = at.toFixed(1);
        bid += (bid ? " L" : "M") + px + " " + y(p[1]).toFixed(1);
        ask += (ask ? " L" : "M") + px + " " + y(p[2]).toFixed(1);
      });
      var g = lines.querySelector('g[data-exchange="' + s.name + '"]');
      if (!bid) { if (g) lines.removeChild(g); return; }
      if (!g) {
        g = el("g", { "data-exchange": s.name });
        g.appendChild(el("path", { fill: "none", stroke: s.color, "stroke-width": 1.8, "vector-effect": "non-scaling-stroke" }));
        g.appendChild(el("path", { fill: "none", stroke: s.color, "stroke-width": 1.4, "stroke-dasharray": "5 4", "vector-effect": "non-scaling-stroke", opacity: 0.85 }));
        lines.appendChild(g);
      }
      g.firstChild.setAttribute("d", bid);
      g.lastChild.setAttribute("d", ask);
    });
    return windowMs;
  }

  window.PTChart = { draw: draw };
})();
