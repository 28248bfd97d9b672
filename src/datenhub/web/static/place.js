/* A place page's map: the place and its nearest railway stations on the offline base map (basemap.js), each
   station (numbered as in the list) joined to the place by a dashed straight line, as the listed distances are
   straight-line distances.
   Progressive enhancement: without JS the address and the station list say the same. */
(function () {
  "use strict";
  var el = document.getElementById("place-map");
  if (!el || typeof L === "undefined" || !window.DatenHubBaseMap) { return; }
  var data = JSON.parse(el.getAttribute("data-map"));
  var here = [data.place.lat, data.place.lon];
  // the page scrolls past the map: zooming takes the buttons, a pinch or a double click, not the wheel
  var map = L.map(el, { scrollWheelZoom: false, minZoom: 8, maxZoom: 18, keyboard: false });
  window.DatenHubBaseMap.credit(map, el.getAttribute("data-attribution"));
  window.DatenHubBaseMap.boundaries(map).catch(function () { /* decoration only */ });
  L.control.scale({ imperial: false, position: "topright" }).addTo(map);  // the base map has no streets: the scale gives distances

  function label(text, url) {
    var node = document.createElement(url ? "a" : "span");
    node.textContent = text;  // textContent: record data is never HTML
    if (url) { node.href = url; }
    return node;
  }

  // Stations are numbered as the list beside the map numbers them (nearest first): names as labels on the map
  // crowded it and hid the place wherever two stations lie close together.
  var points = [here];
  data.stations.forEach(function (s, i) {
    var at = [s.lat, s.lon];
    points.push(at);
    L.polyline([here, at], { color: "#004e7c", weight: 2, dashArray: "4 6", opacity: 0.7, interactive: false })
      .addTo(map);
    var popup = document.createElement("div");
    popup.appendChild(label(s.name, s.url));
    popup.appendChild(document.createTextNode(" · " + s.distance));
    var pin = L.divIcon({ className: "station-pin", html: String(i + 1), iconSize: [22, 22] });
    L.marker(at, { icon: pin, title: s.name, alt: s.name, keyboard: false }).bindPopup(popup).addTo(map);
  });
  L.marker(here, { title: data.place.name, alt: data.place.name, keyboard: false, zIndexOffset: 1000 }).addTo(map);
  if (points.length > 1) {
    map.fitBounds(L.latLngBounds(points), { padding: [30, 30], maxZoom: 16 });
  } else {
    map.setView(here, 14);
  }
})();
