/* DatenHub Ruhr stay planner: draws the server-rendered plan (embedded GeoJSON) on the offline Leaflet map.
   Progressive enhancement only: the itinerary list is complete without JavaScript. */
(function () {
  "use strict";
  var mapEl = document.getElementById("plan-map");
  var dataEl = document.getElementById("plan-data");
  if (!mapEl || !dataEl || typeof L === "undefined" || !window.DatenHubBaseMap) { return; }
  var data;
  try { data = JSON.parse(dataEl.textContent); } catch (e) { return; }
  var colours = ["#004e7c", "#b5451b", "#2e7d32", "#6a1b9a", "#8d6e00", "#00838f", "#ad1457"];

  var map = L.map(mapEl, { zoomSnap: 0.25, minZoom: 8, maxZoom: 18 }).fitBounds([[51.24, 6.42], [51.86, 7.92]]);
  window.DatenHubBaseMap.credit(map, mapEl.getAttribute("data-attribution"));
  window.DatenHubBaseMap.boundaries(map).catch(function () { /* the base map is decoration */ });

  function popup(props) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = (props.order ? props.order + ". " : "") + (props.name || props.id || "");  // never HTML
    box.appendChild(title);
    var time = document.createElement("div");
    time.textContent = props.start ? props.start + "–" + props.end : (props.time || "");
    box.appendChild(time);
    return box;
  }

  function icon(text, colour, shift) {
    var el = document.createElement("span");
    el.className = "plan-marker";
    el.style.background = colour;
    el.textContent = text;
    return L.divIcon({ html: el.outerHTML, className: "", iconSize: [26, 26],
      iconAnchor: [13 - shift[0], 13 - shift[1]] });
  }

  // Markers closer than a marker's width (a round trip's S and Z, two sights across the road) are moved apart
  // around their point, so every number stays readable; again after each zoom.
  var markers = [];
  var SHIFTS = [[0, 0], [18, -18], [-18, -18], [18, 18], [-18, 18], [26, 0], [-26, 0], [0, -26], [0, 26]];
  function spread() {
    var placed = [];
    markers.forEach(function (m) {
      var at = map.latLngToLayerPoint(m.marker.getLatLng());
      var shift = SHIFTS[0];
      for (var i = 0; i < SHIFTS.length; i++) {
        var p = at.add(L.point(SHIFTS[i][0], SHIFTS[i][1]));
        if (placed.every(function (q) { return q.distanceTo(p) >= 24; })) { shift = SHIFTS[i]; break; }
      }
      placed.push(at.add(L.point(shift[0], shift[1])));
      if (shift !== m.shift) { m.shift = shift; m.marker.setIcon(icon(m.label, m.colour, shift)); }
    });
  }

  var layer = L.featureGroup().addTo(map);
  (data.features || []).forEach(function (f) {
    var p = f.properties || {};
    var colour = colours[((p.day || 1) - 1) % colours.length];
    var c = f.geometry.coordinates;
    if (f.geometry.type === "LineString") {
      L.polyline(c.map(function (xy) { return [xy[1], xy[0]]; }),
        { color: colour, weight: 4, opacity: 0.8, dashArray: p.mode === "walk" ? "4 6" : null }).addTo(layer);
      return;
    }
    // start and end letters in the page's language (the page says them): "Z" (Ziel) meant nothing in English
    var label = p.kind === "stop" ? String(p.order)
      : mapEl.getAttribute(p.kind === "start" ? "data-start-label" : "data-end-label");
    var marker = L.marker([c[1], c[0]], { icon: icon(label, colour, SHIFTS[0]), keyboard: false,
      title: p.name || "" }).bindPopup(function () { return popup(p); }).addTo(layer);
    markers.push({ marker: marker, label: label, colour: colour, shift: SHIFTS[0] });
  });
  // no animation: the markers are spread for the view they will be seen in
  if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [40, 40], maxZoom: 14, animate: false }); }
  spread();
  map.on("zoomend", spread);
  mapEl.setAttribute("data-ready", "1");  // laid out (tests wait for it)
})();
