/* DatenHub Ruhr home page: offline map (BKG boundaries, clustered places) and search that updates map and list
   together without a page reload. Works as progressive enhancement: without JS the form and list still work. */
(function () {
  "use strict";
  var mapEl = document.getElementById("map");
  var form = document.getElementById("search-form");
  var map = null, cluster = null, pending = null, fitted = false;

  function results() { return document.getElementById("results"); }

  function placeUrl(id, lang) {
    return "/places/" + encodeURIComponent(id) + (lang === "en" ? "?lang=en" : "");
  }

  function popupContent(feature, lang) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = placeUrl(feature.id, lang);
    link.textContent = feature.properties.name || feature.id;  // textContent: record data is never HTML
    if (mapEl.getAttribute("data-target")) { link.target = mapEl.getAttribute("data-target"); link.rel = "noopener"; }
    box.appendChild(link);
    var muni = feature.properties.municipality;
    if (muni && muni.name) {
      var p = document.createElement("div");
      p.textContent = muni.name;
      box.appendChild(p);
    }
    return box;
  }

  function initMap() {
    if (!mapEl || typeof L === "undefined" || !window.DatenHubBaseMap) { return; }
    var lang = mapEl.getAttribute("data-lang") || "de";
    map = L.map(mapEl, { zoomSnap: 0.25, minZoom: 8, maxZoom: 18, attributionControl: true })
      .fitBounds([[51.24, 6.42], [51.86, 7.92]]);  // the RVR area, before the outline has loaded
    window.DatenHubBaseMap.credit(map, mapEl.getAttribute("data-attribution"));
    window.DatenHubBaseMap.boundaries(map).then(function (outline) {
      if (!fitted) { map.fitBounds(outline.getBounds(), { padding: [6, 6] }); }
    }).catch(function () { /* the base map is decoration; places still show */ });
    // markers and clusters stay out of the Tab order: the result list offers the same links to keyboard users
    map.on("layeradd", function (e) {
      if (e.layer && e.layer._icon) { e.layer._icon.setAttribute("tabindex", "-1"); }
    });
    cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 });
    map.addLayer(cluster);
    var source = results() || mapEl;
    loadPlaces(source.getAttribute("data-api-query") || "", lang);
  }

  // Answers may arrive out of order: only the latest request's answer is shown, an older one is dropped (a
  // slow first search answering after the second put the first's places back on the map and in the list).
  var mapRequests = 0, searches = 0;

  function loadPlaces(query, lang) {
    if (!map) { return; }
    if (pending) { pending.abort(); }
    pending = typeof AbortController !== "undefined" ? new AbortController() : null;
    var mine = ++mapRequests;
    var url = "/api/v1/places?" + (query ? query + "&" : "") + "f=geojson&limit=1000&lang=" + lang +
      "&fields=name,geo,municipality";
    fetch(url, pending ? { signal: pending.signal } : {}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      if (mine !== mapRequests) { return; }  // a newer request is under way
      cluster.clearLayers();
      var markers = [];
      (data.features || []).forEach(function (f) {
        if (!f.geometry) { return; }
        var c = f.geometry.coordinates;
        var m = L.marker([c[1], c[0]], { title: f.properties.name || f.id, alt: f.properties.name || f.id,
          keyboard: false });
        m.bindPopup(function () { return popupContent(f, lang); });
        markers.push(m);
      });
      cluster.addLayers(markers);
      if (markers.length && query) {
        map.fitBounds(cluster.getBounds(), { maxZoom: 14, padding: [20, 20] });
        fitted = true;
      }
    }).catch(function (err) {
      if (err && err.name === "AbortError") { return; }
      /* the list already shows the server's answer; the map just stays as it was */
    });
  }

  function formQuery() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") { params.append(key, value); }
    });
    return params;
  }

  function apiQuery(params) {
    var keep = new URLSearchParams();
    params.forEach(function (value, key) {
      if (["q", "category", "municipality", "open_now", "wheelchair"].indexOf(key) >= 0) { keep.append(key, value); }
    });
    return keep.toString();
  }

  // back and forward between searches show that search (popstate below); a jump within the page (the skip link's
  // #main) does not, or the skip link reloaded the page and left focus at its top
  var shown = location.pathname + location.search;

  function search(params, push, focus) {
    var pageUrl = "/" + (params.toString() ? "?" + params.toString() : "");
    var lang = params.get("lang") || "de";
    var mine = ++searches;
    return fetch(pageUrl, { headers: { "Accept": "text/html" } }).then(function (r) {
      return r.text();
    }).then(function (html) {
      if (mine !== searches) { return; }  // a newer search was sent: its answer is the one to show
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("results");
      if (!fresh) { window.location.href = pageUrl; return; }
      results().replaceWith(document.importNode(fresh, true));
      document.title = doc.title;  // the tab, history and bookmarks name the search shown, as a reload would
      if (push) { history.pushState({ q: params.toString() }, "", pageUrl); shown = location.pathname + location.search; }
      loadPlaces(apiQuery(params), lang);
      var heading = document.getElementById("results-heading");
      if (focus && heading) { heading.focus(); }
    }).catch(function () { if (mine === searches) { window.location.href = pageUrl; } });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      search(formQuery(), true, true);
    });
    // Arrow keys on a closed select change its value, and fire "change", at every press: one search per option
    // passed. A value chosen with keys is searched when committed (Enter, or leaving the field); a pick with the
    // mouse or a phone's picker applies at once.
    var keyed = null, uncommitted = null;
    form.addEventListener("keydown", function (event) {
      var field = event.target;
      if (!field || field.tagName !== "SELECT") { return; }
      if (event.key === "Enter") {
        event.preventDefault();
        if (uncommitted === field) { uncommitted = null; search(formQuery(), true, false); }
      } else if (event.key !== "Tab" && event.key !== "Shift") {
        keyed = field;
      }
    });
    form.addEventListener("pointerdown", function () { keyed = null; });
    form.addEventListener("focusout", function (event) {
      keyed = null;
      if (uncommitted && event.target === uncommitted) { uncommitted = null; search(formQuery(), true, false); }
    });
    form.addEventListener("change", function (event) {
      // selects and checkboxes apply but leave focus where it is (WCAG 3.2.2); text waits for Enter
      var field = event.target;
      if (!field || field.name === "q") { return; }
      if (field === keyed) { uncommitted = field; return; }
      uncommitted = null;  // this search takes any value browsed before
      search(formQuery(), true, false);
    });
    window.addEventListener("popstate", function () {
      if (location.pathname + location.search !== shown) { window.location.reload(); }
    });
  }
  initMap();
})();
