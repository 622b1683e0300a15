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

  /* series: [{name, color, points: [[t_ms, bid, ask], ...]}]; now and maxWindowMs in ms. The
     time axis spans the data there is (at least 30 s), up to maxWindowMs. Returns the span. */
  function draw(svg, series, now, maxWindowMs) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("preserveAspectRatio", "none");
    var start = now - maxWindowMs, lo = Infinity, hi = -Infinity, any = false, oldest = now;
    series.forEach(function (s) {
      s.points.forEach(function (p) {
        if (p[0] < start) return;
        any = true;
        if (p[0] < oldest) oldest = p[0];
        if (p[1] < lo) lo = p[1];
        if (p[2] > hi) hi = p[2];
      });
    });
    var windowMs = Math.min(maxWindowMs, Math.max(30000, (now - oldest) * 1.05));
    start = now - windowMs;
    if (!any) {
      svg.appendChild(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "empty" }, "waiting for quotes…"));
      return windowMs;
    }
    if (hi - lo < Math.abs(hi) * 1e-6 || hi === lo) { var pad0 = Math.max(Math.abs(hi) * 5e-5, 1e-6); lo -= pad0; hi += pad0; }
    var pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
    var x = function (t) { return L + (t - start) / windowMs * (W - L - R); };
    var y = function (v) { return T + (hi - v) / (hi - lo) * (H - T - B); };
    var step = niceStep(hi - lo, 4);
    for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) {
      svg.appendChild(el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "axis" }));
      svg.appendChild(el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", "class": "label" }, priceLabel(v, step)));
    }
    var steps = [5, 10, 15, 30, 60, 120, 300], tick = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) if (windowMs / 1000 / steps[i] <= 6) { tick = steps[i]; break; }
    for (var sec = 0; sec * 1000 <= windowMs; sec += tick) {
      svg.appendChild(el("text", { x: x(now - sec * 1000), y: H - 6, "text-anchor": sec === 0 ? "end" : "middle", "class": "label" }, timeLabel(sec)));
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
      if (!bid) return;
      var g = el("g", { "data-exchange": s.name });
      g.appendChild(el("path", { d: bid, fill: "none", stroke: s.color, "stroke-width": 1.8, "vector-effect": "non-scaling-stroke" }));
      g.appendChild(el("path", { d: ask, fill: "none", stroke: s.color, "stroke-width": 1.4, "stroke-dasharray": "5 4", "vector-effect": "non-scaling-stroke", opacity: 0.85 }));
      svg.appendChild(g);
    });
    return windowMs;
  }

  window.PTChart = { draw: draw };
})();
