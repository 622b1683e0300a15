/* The dashboard: one EventSource (/api/events) per browser keeps everything current (see
   connect() for how tabs share it). The first event is the whole picture ("snapshot"); then
   "quote", "status" and "account" events. Every value from the server is written with
   textContent, never as HTML. */
(function () {
  "use strict";
  var COLORS = ["#4ea1ff", "#f0b429", "#2ecc71", "#c678dd", "#ff7b54", "#56d4dd", "#e06c75", "#98c379", "#d19a66", "#61afef"];
  var state = {
    symbols: [], exchanges: [], windowMs: 300000, quotes: {}, history: {}, health: {},
    rows: {}, chartDirty: {}, charts: {}
  };
  var latency = window.__ptLatency = [];   // quote handed over by the monitor -> event here, ms
  var $ = function (id) { return document.getElementById(id); };
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  function nowMs() { return performance.timeOrigin + performance.now(); }

  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }

  function fmt(value, places) {
    if (value === null || value === undefined || value === "") return "-";
    var text = String(value), neg = text.charAt(0) === "-";
    if (neg) text = text.slice(1);
    var parts = text.split("."), whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var frac = parts.length > 1 ? parts[1] : "";
    if (places !== undefined) frac = (frac + "00000000").slice(0, places);
    else frac = frac.slice(0, 8).replace(/0+$/, "");
    return (neg ? "-" : "") + whole + (frac ? "." + frac : "");
  }

  function placesFor(record) { return Number(record.last) >= 100 ? 2 : Number(record.last) >= 1 ? 4 : 8; }

  function age(iso) {
    var seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    return seconds < 60 ? seconds.toFixed(1) + " s" : Math.floor(seconds / 60) + " m";
  }

  function colorOf(exchange) {
    var i = state.exchanges.indexOf(exchange);
    return COLORS[(i < 0 ? 0 : i) % COLORS.length];
  }

  /* ---- quotes ------------------------------------------------------------------------- */

  function buildQuotes() {
    var root = $("quotes");
    root.textContent = "";
    state.rows = {};
    state.symbols.forEach(function (symbol) {
      var box = node("div", "quotes-symbol");
      box.setAttribute("data-symbol", symbol);
      var title = node("h3", null, symbol);
      var mid = node("span", "mid");
      mid.id = "mid-" + symbol;
      title.appendChild(mid);
      box.appendChild(title);
      var table = node("table", "grid quotes");
      table.setAttribute("data-symbol", symbol);
      var head = node("tr");
      [["exchange"], ["bid", 1], ["ask", 1], ["spread", 1], ["last", 1], ["latency", 1], ["age", 1], ["feed"], ["note"]].forEach(function (h) {
        head.appendChild(node("th", h[1] ? "num" : null, h[0]));
      });
      var thead = node("thead"); thead.appendChild(head); table.appendChild(thead);
      var body = node("tbody");
      state.exchanges.forEach(function (exchange) {
        var tr = node("tr");
        tr.setAttribute("data-exchange", exchange);
        tr.setAttribute("data-symbol", symbol);
        var cells = {};
        ["exchange", "bid", "ask", "spread", "last", "latency", "age", "feed", "note"].forEach(function (name) {
          var numeric = ["bid", "ask", "spread", "last", "latency", "age"].indexOf(name) >= 0;
          var td = node("td", name + (numeric ? " num" : ""), name === "exchange" ? exchange : "-");
          if (name === "note") td.className = "note wrap";
          cells[name] = td;
          tr.appendChild(td);
        });
        cells.exchange.style.borderLeft = "3px solid " + colorOf(exchange);
        state.rows[exchange + "|" + symbol] = cells;
        body.appendChild(tr);
      });
      table.appendChild(body);
      box.appendChild(table);
      root.appendChild(box);
    });
  }

  function flash(td, direction) {  // the last move's colour: a class, no animation to run
    if (!direction) return;
    td.classList.toggle("tick-up", direction > 0);
    td.classList.toggle("tick-down", direction < 0);
  }

  function showQuote(q) {
    var key = q.exchange + "|" + q.symbol, cells = state.rows[key];
    var before = state.quotes[key];
    state.quotes[key] = q;
    if (!cells) return;
    if (window.__ptFirstQuoteMs === undefined) window.__ptFirstQuoteMs = performance.now();
    var places = placesFor(q);
    cells.bid.textContent = fmt(q.bid, places);
    cells.ask.textContent = fmt(q.ask, places);
    cells.last.textContent = fmt(q.last, places);
    cells.spread.textContent = fmt(q.spread, places) + (q.spread_bps === null ? "" : " (" + q.spread_bps.toFixed(1) + " bp)");
    var h = state.health[q.exchange], ms = q.latency_ms !== null ? q.latency_ms : h ? h.latency_ms : null;
    cells.latency.textContent = ms === null || ms === undefined ? "-" : Math.round(ms) + " ms";
    cells.age.textContent = age(q.quoted_at);
    cells.feed.textContent = q.mode || "-";
    if (before) {
      flash(cells.bid, Math.sign(Number(q.bid) - Number(before.bid)));
      flash(cells.ask, Math.sign(Number(q.ask) - Number(before.ask)));
    }
    markBest(q.symbol);
    showNote(q.exchange);
  }

  function markBest(symbol) {
    var bestBid = null, bestAsk = null;
    state.exchanges.forEach(function (exchange) {
      var q = state.quotes[exchange + "|" + symbol];
      var h = state.health[exchange];
      if (!q || (h && h.status === "down")) return;
      if (bestBid === null || Number(q.bid) > Number(bestBid.bid)) bestBid = q;
      if (bestAsk === null || Number(q.ask) < Number(bestAsk.ask)) bestAsk = q;
    });
    state.exchanges.forEach(function (exchange) {
      var cells = state.rows[exchange + "|" + symbol];
      if (!cells) return;
      cells.bid.classList.toggle("best-bid", bestBid !== null && bestBid.exchange === exchange);
      cells.ask.classList.toggle("best-ask", bestAsk !== null && bestAsk.exchange === exchange);
    });
    var mid = $("mid-" + symbol);
    if (mid && bestBid && bestAsk) {
      mid.textContent = "best bid " + fmt(bestBid.bid, placesFor(bestBid)) + " on " + bestBid.exchange +
        " · best ask " + fmt(bestAsk.ask, placesFor(bestAsk)) + " on " + bestAsk.exchange;
    }
  }

  function showNote(exchange) {
    var h = state.health[exchange];
    state.symbols.forEach(function (symbol) {
      var cells = state.rows[exchange + "|" + symbol];
      if (!cells) return;
      var q = state.quotes[exchange + "|" + symbol];
      var text = "";
      if (h && h.status === "down") text = "down: " + (h.reason || "no answer");
      cells.note.title = text;  // the whole reason on hover; the health table shows it too
      if (text.length > 90) text = text.slice(0, 89) + "…";
      else if (h && h.unsupported_symbols && h.unsupported_symbols.indexOf(symbol) >= 0) text = "market not listed here";
      else if (q && q.quoted_symbol && q.quoted_symbol !== symbol) text = "quotes " + q.quoted_symbol;
      cells.note.textContent = text;
      cells.note.style.color = h && h.status === "down" ? "var(--red)" : "";
    });
  }

  function tickAges() {
    if (document.hidden) return;
    Object.keys(state.quotes).forEach(function (key) {
      var cells = state.rows[key], q = state.quotes[key];
      if (!cells) return;
      cells.age.textContent = age(q.quoted_at);
      cells.age.classList.toggle("stale", Date.now() - Date.parse(q.quoted_at) > 10000);
    });
  }

  /* ---- chart -------------------------------------------------------------------------- */

  function buildCharts() {
    var root = $("charts");
    root.textContent = "";
    state.charts = {};
    state.symbols.forEach(function (symbol) {
      var box = node("div", "chart");
      box.appendChild(node("div", "title", symbol));
      var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("data-symbol", symbol);
      box.appendChild(svg);
      var legend = node("div", "legend");
      state.exchanges.forEach(function (exchange) {
        var item = node("span");
        var swatch = node("i"); swatch.style.background = colorOf(exchange);
        item.appendChild(swatch); item.appendChild(document.createTextNode(exchange));
        legend.appendChild(item);
      });
      legend.appendChild(node("span", null, "solid: bid · dashed: ask"));
      box.appendChild(legend);
      root.appendChild(box);
      state.charts[symbol] = svg;
      state.chartDirty[symbol] = true;
    });
  }

  function drawCharts() {
    var now = nowMs();
    state.symbols.forEach(function (symbol) {
      if (!state.chartDirty[symbol] || !state.charts[symbol]) return;
      state.chartDirty[symbol] = false;
      var series = state.exchanges.map(function (exchange) {
        return { name: exchange, color: colorOf(exchange), points: state.history[exchange + "|" + symbol] || [] };
      });
      var span = window.PTChart.draw(state.charts[symbol], series, now, state.windowMs);
      $("chart-window").textContent = "last " + (span < 90000 ? Math.round(span / 1000) + " seconds" : Math.round(span / 60000) + " minutes");
    });
  }

  /* ---- health, account, plugins --------------------------------------------------------- */

  function fillTable(id, rows, empty) {
    var body = $(id).querySelector("tbody");
    body.textContent = "";
    if (!rows.length) {
      var tr = node("tr", "empty-row"), td = node("td", null, empty);
      td.colSpan = $(id).querySelectorAll("thead th").length;
      tr.appendChild(td); body.appendChild(tr);
      return;
    }
    rows.forEach(function (cells) {
      var tr = node("tr");
      if (cells.attrs) Object.keys(cells.attrs).forEach(function (k) { tr.setAttribute(k, cells.attrs[k]); });
      cells.cells.forEach(function (c) {
        var td = node("td", c.cls || null);
        if (c.badge) td.appendChild(node("span", "status " + c.badge, c.text));
        else td.textContent = c.text === null || c.text === undefined ? "-" : String(c.text);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function showHealth(records) {
    state.health = {};
    records.forEach(function (r) { state.health[r.exchange] = r; });
    fillTable("health", records.map(function (r) {
      return { attrs: { "data-exchange": r.exchange, "data-status": r.status }, cells: [
        { text: r.exchange },
        { text: r.status, badge: r.status, cls: "status-cell" },
        { text: r.feed || "-" },
        { text: r.latency_ms === null ? "-" : Math.round(r.latency_ms) + " ms", cls: "num" },
        { text: r.circuit + (r.circuit === "open" && r.retry_in ? " (retry in " + Math.ceil(r.retry_in) + " s)" : "") },
        { text: r.configured },
        { text: r.reason || "", cls: "wrap reason" }
      ] };
    }), "no exchange");
    state.exchanges.forEach(showNote);
    state.symbols.forEach(markBest);
    sinkDownRows();
  }

  function sinkDownRows() {  // exchanges that are down go to the bottom of each quotes table
    state.symbols.forEach(function (symbol) {
      var body = document.querySelector('table.quotes[data-symbol="' + symbol + '"] tbody');
      if (!body) return;
      var rows = Array.prototype.slice.call(body.children);
      var down = function (row) {
        var h = state.health[row.getAttribute("data-exchange")];
        return h && h.status === "down" ? 1 : 0;
      };
      var place = function (row) { return state.exchanges.indexOf(row.getAttribute("data-exchange")); };
      var sorted = rows.slice().sort(function (a, b) { return down(a) - down(b) || place(a) - place(b); });
      if (sorted.some(function (row, i) { return row !== rows[i]; })) sorted.forEach(function (row) { body.appendChild(row); });
    });
  }

  function showAccount(account) {
    var rows = [];
    Object.keys(account.balances).forEach(function (exchange) {
      var assets = account.balances[exchange], names = Object.keys(assets);
      if (!names.length) rows.push({ cells: [{ text: exchange }, { text: "-" }, { text: "0", cls: "num" }] });
      names.forEach(function (asset) {
        rows.push({ attrs: { "data-exchange": exchange, "data-asset": asset }, cells: [{ text: exchange }, { text: asset }, { text: fmt(assets[asset]), cls: "num" }] });
      });
    });
    Object.keys(account.balance_errors).forEach(function (exchange) {
      rows.push({ cells: [{ text: exchange }, { text: "-" }, { text: account.balance_errors[exchange], cls: "wrap" }] });
    });
    fillTable("balances", rows, "no balances");
    fillTable("orders", account.orders.map(function (o) {
      var when = new Date(o.created_at);
      var what = o.side + " " + fmt(o.amount) + " " + o.symbol + " " + o.order_type + (o.price ? " @ " + fmt(o.price) : "");
      return { attrs: { "data-client-order-id": o.client_order_id, "data-state": o.state }, cells: [
        { text: when.toLocaleTimeString([], { hour12: false }) }, { text: o.exchange }, { text: what },
        { text: fmt(o.filled), cls: "num" }, { text: fmt(o.average_price, 2), cls: "num" },
        { text: o.state, badge: o.state === "filled" || o.state === "accepted" ? "connected" : o.state === "rejected" || o.state === "not_sent" ? "down" : "degraded" },
        { text: o.status || (o.error ? "error" : "-") }, { text: o.client_order_id.slice(0, 12) + "…", cls: "dim" }
      ] };
    }), "no orders yet: place a paper order below, or `powertrader order buy BTC-USD 0.01`");
  }

  function showPlugins(plugins) {
    fillTable("plugins", plugins.map(function (p) {
      return { attrs: { "data-plugin": p.name }, cells: [
        { text: p.name }, { text: p.version || "-" }, { text: p.exchanges.join(", "), cls: "wrap" },
        { text: p.ok ? "loaded" : "error: " + p.error, badge: p.ok ? "connected" : "down" }
      ] };
    }), "no plugins installed");
  }

  /* ---- the stream ----------------------------------------------------------------------- */

  function snapshot(s) {
    state.symbols = s.symbols;
    state.exchanges = s.exchanges;
    state.windowMs = s.history_seconds * 1000;
    state.quotes = {};
    state.history = {};
    s.history.forEach(function (h) { state.history[h.exchange + "|" + h.symbol] = h.points.slice(); });
    $("mode").textContent = s.live_trading ? "live" : "paper";
    $("mode").className = "badge " + (s.live_trading ? "live" : "paper");
    $("region").textContent = "region " + s.region;
    buildQuotes();
    buildCharts();
    showHealth(s.health);
    pending = {};
    s.quotes.forEach(showQuote);
    showAccount(s.account);
    showPlugins(s.plugins);
    var select = $("paper-symbol");
    select.textContent = "";
    s.symbols.forEach(function (sym) { select.appendChild(node("option", null, sym)); });
  }

  function setConnection(up, text) {
    $("conn").className = "conn " + (up ? "up" : "down");
    $("conn-text").textContent = text;
  }

  function showLatency() {
    if (!latency.length) return;
    var recent = latency.slice(-50).sort(function (a, b) { return a - b; });
    $("feedlat").textContent = "feed → page " + recent[Math.floor(recent.length / 2)].toFixed(1) + " ms";
  }

  /* One event stream per browser, shared by its tabs. A browser keeps at most six HTTP/1.1
     connections per host, and an event stream holds one for good: a seventh tab would never
     load. So the tabs elect a leader (a Web Lock, released when its tab closes) that alone
     reads /api/events and passes every event on to the others (a BroadcastChannel); the
     others start from /api/state. Where either API is missing, each tab reads its own. */

  var ready = false, lastMessage = 0;

  function handle(data, received) {
    var message = JSON.parse(data);
    lastMessage = received;
    if (message.type === "snapshot") { snapshot(message); ready = true; }
    else if (!ready) return;
    else if (message.type === "quote") {
      latency.push(received - message.t);
      if (latency.length > 20000) latency.splice(0, 10000);
      queueQuote(message);
    } else if (message.type === "status") showHealth(message.exchanges);
    else if (message.type === "account") showAccount(message);
    window.__ptEvents = (window.__ptEvents || 0) + 1;
  }

  /* Quotes are drawn once per animation frame, the latest per row: a burst costs one paint,
     and a hidden tab (no frames) only keeps the data. */
  var pending = {}, framed = false;

  function queueQuote(q) {
    var key = q.exchange + "|" + q.symbol;
    var series = state.history[key] || (state.history[key] = []);
    series.push([q.t, Number(q.bid), Number(q.ask)]);
    var horizon = nowMs() - state.windowMs;
    while (series.length && series[0][0] < horizon) series.shift();
    state.chartDirty[q.symbol] = true;
    pending[key] = q;
    if (!framed) { framed = true; requestAnimationFrame(flush); }
  }

  function flush() {
    framed = false;
    var work = pending;
    pending = {};
    Object.keys(work).forEach(function (key) { showQuote(work[key]); });
  }

  function stream(onEvent) {
    var source = new EventSource("/api/events");
    source.onopen = function () { setConnection(true, "live"); };
    source.onerror = function () { setConnection(false, "reconnecting…"); };
    source.onmessage = function (event) { onEvent(event.data, nowMs()); };
  }

  function connect() {
    var shared = window.BroadcastChannel && navigator.locks;
    if (!shared) { window.__ptRole = "alone"; stream(handle); return; }
    var channel = new BroadcastChannel("powertrader-dashboard");
    window.__ptRole = "follower";
    channel.onmessage = function (event) { handle(event.data, nowMs()); };
    fetch("/api/state", { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (text) { if (!ready) handle(text, nowMs()); });
    setInterval(function () {  // followers: the leader's events say the stream is alive
      if (window.__ptRole !== "leader") {
        var alive = nowMs() - lastMessage < 5000;
        setConnection(alive, alive ? "live (shared)" : "waiting for the stream…");
      }
    }, 1000);
    navigator.locks.request("powertrader-dashboard-events", function () {
      window.__ptRole = "leader";
      channel.onmessage = null;
      stream(function (data, received) { channel.postMessage(data); handle(data, received); });
      return new Promise(function () {});  // hold the lock while this tab lives
    });
  }

  /* ---- the paper order form ------------------------------------------------------------- */

  function setupForm() {
    var form = $("paper-form"), result = $("paper-result");
    $("paper-type").addEventListener("change", function () {
      $("paper-price-label").hidden = this.value !== "limit";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = {};
      new FormData(form).forEach(function (value, key) { if (value !== "") data[key] = value; });
      if (data.order_type !== "limit") delete data.price;
      var button = form.querySelector("button");
      button.disabled = true;
      result.className = "result";
      result.textContent = "placing…";
      fetch("/api/paper-orders", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(data)
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (!answer.ok) throw new Error(answer.body.error || "refused");
        var o = answer.body.order;
        result.className = "result ok";
        result.textContent = o.status + ": " + o.side + " " + fmt(o.amount) + " " + o.symbol +
          (o.average_price ? " at " + fmt(o.average_price, 2) : "") + " (order " + o.order_id + ")";
      }).catch(function (error) {
        result.className = "result err";
        result.textContent = error.message;
      }).then(function () { button.disabled = false; });
    });
  }

  setupForm();
  connect();
  setInterval(tickAges, 500);
  setInterval(showLatency, 1000);
  (function frame() { drawCharts(); setTimeout(function () { requestAnimationFrame(frame); }, 1000); })();
})();
