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
    return value.toLocaleString("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
  }

  /* series: [{name, color, points: [[t_ms, bid, ask], ...]}]; now and windowMs in ms. */
  function draw(svg, series, now, windowMs) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("preserveAspectRatio", "none");
    var start = now - windowMs, lo = Infinity, hi = -Infinity, any = false;
    series.forEach(function (s) {
      s.points.forEach(function (p) {
        if (p[0] < start) return;
        any = true;
        if (p[1] < lo) lo = p[1];
        if (p[2] > hi) hi = p[2];
      });
    });
    if (!any) {
      svg.appendChild(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "empty" }, "waiting for quotes…"));
      return;
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
    var minutes = windowMs / 60000;
    for (var m = 0; m <= minutes; m += minutes > 6 ? 2 : 1) {
      var tx = x(now - m * 60000);
      svg.appendChild(el("text", { x: tx, y: H - 6, "text-anchor": m === 0 ? "end" : "middle", "class": "label" }, m === 0 ? "now" : "-" + m + "m"));
    }
    series.forEach(function (s) {
      var bid = "", ask = "";
      s.points.forEach(function (p) {
        if (p[0] < start) return;
        var px = x(p[0]).toFixed(1);
        bid += (bid ? " L" : "M") + px + " " + y(p[1]).toFixed(1);
        ask += (ask ? " L" : "M") + px + " " + y(p[2]).toFixed(1);
      });
      if (!bid) return;
      var g = el("g", { "data-exchange": s.name });
      g.appendChild(el("path", { d: bid, fill: "none", stroke: s.color, "stroke-width": 1.8, "vector-effect": "non-scaling-stroke" }));
      g.appendChild(el("path", { d: ask, fill: "none", stroke: s.color, "stroke-width": 1.4, "stroke-dasharray": "5 4", "vector-effect": "non-scaling-stroke", opacity: 0.85 }));
      svg.appendChild(g);
    });
  }

  window.PTChart = { draw: draw };
})();
