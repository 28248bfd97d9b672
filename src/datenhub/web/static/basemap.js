/* DatenHub Ruhr's offline base map, shared by the home page's map (site.js) and a place's map (place.js): the
   BKG municipality and Kreis boundaries and the RVR outline, served by the hub itself (no tile server, no CDN). */
window.DatenHubBaseMap = (function () {
  "use strict";

  // The credit line, and its whole text where a narrow map cuts it: a tap or the keyboard opens it as hovering
  // does (site.css :focus-within).
  function credit(map, attribution) {
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(attribution);
    var box = map.attributionControl.getContainer();
    box.title = box.textContent;
    box.tabIndex = 0;
  }

  // Resolves with the outline layer once the boundaries are drawn; rejects when they could not be loaded (the
  // base map is decoration: what a map shows on top of it stays).
  function boundaries(map) {
    return fetch("/map/boundaries.geojson").then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data.municipalities, { interactive: false,
        style: { color: "#7c8a96", weight: 1, fillColor: "#f7f4ea", fillOpacity: 1 } }).addTo(map).bringToBack();
      L.geoJSON(data.kreise, { interactive: false, style: { color: "#4a5a68", weight: 1.6, fill: false } }).addTo(map);
      return L.geoJSON(data.outline, { interactive: false, style: { color: "#004e7c", weight: 3, fill: false } })
        .addTo(map);
    });
  }

  return { credit: credit, boundaries: boundaries };
})();
