/* Info screen: refresh by fetch (no reloads), keep the last good data on outages and say how old it is,
   page long lists every `rotate` seconds. Memory stays flat: lists are rebuilt with replaceChildren, and the
   only timers and listeners are created once at start. */
(function () {
  "use strict";
  var initial = JSON.parse(document.getElementById("screen-initial").textContent);
  var config = initial.config, labels = config.labels;
  var data = initial.data;
  var lastGood = Date.now();
  var failing = false;
  var page = 0;
  var inFlight = false;
  var offset = 0;

  function syncClock(generatedAt) {
    var server = Date.parse(generatedAt);
    if (!isNaN(server)) { offset = server - Date.now(); }
  }
  syncClock(data.generated_at);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function placeRow(p) {
    var li = el("li");
    li.appendChild(el("span", "name", p.name));
    li.appendChild(el("span", "closes", p.closes));
    li.appendChild(el("span", "dist", p.distance));
    return li;
  }

  function eventRow(e) {
    var li = el("li");
    li.appendChild(el("span", "time", e.time));
    li.appendChild(el("span", "name", e.name));
    li.appendChild(el("span", "dist", e.where));
    return li;
  }

  /* Fill `list` with as many rows as fit, starting at page `index`; returns the number of pages. */
  function fill(list, items, makeRow, emptyText, index) {
    if (!items.length) { list.replaceChildren(el("li", "none", emptyText)); return 1; }
    list.replaceChildren();
    var perPage = items.length;
    for (var i = 0; i < items.length; i++) {
      list.appendChild(makeRow(items[i]));
      if (list.scrollHeight > list.clientHeight + 1) {
        list.removeChild(list.lastChild);
        perPage = Math.max(1, i);
        break;
      }
    }
    var pages = Math.ceil(items.length / perPage);
    if (!config.rotate || pages <= 1) { return pages; }
    var start = (index % pages) * perPage;
    var rows = items.slice(start, start + perPage).map(makeRow);
    list.replaceChildren.apply(list, rows);
    return pages;
  }

  function renderOccupancy(section, occ) {
    if (!section || !occ) { return; }
    var line = section.querySelector("p") || section.appendChild(document.createElement("p"));
    line.className = "occ occ-" + (occ.status || "none");
    line.textContent = occ.line;  // worded by the server in the screen's language
  }

  function render() {
    document.getElementById("screen-title").textContent = data.title;
    fill(document.getElementById("screen-open"), data.open || [], placeRow, labels.screen_none_open, page);
    fill(document.getElementById("screen-events"), data.events || [], eventRow, labels.screen_no_events, page);
    renderOccupancy(document.getElementById("screen-occupancy"), data.occupancy);
    if (data.credits) { document.getElementById("screen-credits").textContent = data.credits; }
    status();
  }

  function age(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) { return labels.seconds.replace("{n}", s); }
    var m = Math.round(s / 60);
    if (m < 90) { return labels.minutes.replace("{n}", m); }
    return labels.hours.replace("{n}", Math.round(m / 60));
  }

  function status() {
    var node = document.getElementById("screen-status");
    if (failing) {
      node.textContent = labels.stale.replace("{age}", age(Date.now() - lastGood));
      node.className = "screen-status stale";
    } else {
      node.textContent = labels.updated + " " + data.updated;
      node.className = "screen-status";
    }
    // the server's clock, not the device's: screen players often have a wrong or unset clock
    var now = new Date(Date.now() + offset);
    document.getElementById("screen-time").textContent = now.toLocaleTimeString("de-DE",
      { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit" });
  }

  function refresh() {
    if (inFlight) { return; }
    inFlight = true;
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) { controller.abort(); } }, 15000);
    fetch(config.dataUrl, { cache: "no-store", signal: controller ? controller.signal : undefined })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(function (fresh) {
        data = fresh;
        lastGood = Date.now();
        syncClock(fresh.generated_at);
        failing = false;
        render();
      }).catch(function () {
        failing = true;  // keep showing `data`, only the status line changes
        status();
      }).then(function () {
        clearTimeout(timer);
        inFlight = false;
      });
  }

  render();
  setInterval(refresh, config.refresh * 1000);
  setInterval(status, 5000);
  if (config.rotate) {
    setInterval(function () { page += 1; render(); }, config.rotate * 1000);
  }
  window.__screen = { refresh: refresh, state: function () { return { failing: failing, lastGood: lastGood }; } };
})();
