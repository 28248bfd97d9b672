/* DatenHub Ruhr widget for partner sites.
   <script src="https://HOST/widget.js" data-place="ID"></script>              one place
   <script src="https://HOST/widget.js" data-category="Museum" data-municipality="Essen" data-limit="5"></script>
   <script src="https://HOST/widget.js" data-map data-category="Museum"></script>   a map (iframe inside)
   Optional: data-lang="en". Everything renders inside a Shadow DOM, so host styles cannot reach it and ours
   cannot leak out. Sizes are in px: a host page may change the root font size (rem) or inherited fonts. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var d = script.dataset;
  var lang = d.lang === "en" ? "en" : "de";

  var CSS = [
    ":host{all:initial;display:block!important;contain:content}",
    ".w{all:initial;display:block;box-sizing:border-box;max-width:480px;margin:8px 0;padding:14px 16px;",
    "border:1px solid #c9d0d6;border-radius:8px;background:#fff;color:#1a1a1a;text-align:left;",
    "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','DejaVu Sans',sans-serif}",
    ".w *{all:revert;box-sizing:border-box;font-family:inherit;color:inherit;font-size:inherit;line-height:inherit}",
    ".w h2{display:block;margin:0 0 8px;font-size:13px;font-weight:600;color:#4a4f55;letter-spacing:.02em;text-transform:uppercase}",
    ".w ul{display:block;list-style:none;margin:0;padding:0}",
    ".w li{display:block;padding:8px 0;border-top:1px solid #e3e7ea}",
    ".w li:first-child{border-top:0;padding-top:0}",
    ".w a.n{display:inline;font-size:17px;font-weight:700;color:#004e7c;text-decoration:underline}",
    ".w a.n:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 6px #ffbf47}",
    ".w .m{display:block;font-size:13px;color:#4a4f55}",
    ".w .s{display:inline-block;margin-top:3px;padding:1px 8px;border-radius:999px;font-size:13px;font-weight:600}",
    ".w .s.open{color:#145a1a;background:#e3f3e5}.w .s.closed{color:#8a1c1c;background:#fbe9e9}",
    ".w .f{display:block;margin-top:10px;font-size:12px;color:#4a4f55}.w .f a{color:#004e7c}",
    ".w iframe{display:block;width:100%;height:360px;border:0;border-radius:6px}"
  ].join("");

  var host = document.createElement("div");
  host.className = "datenhub-widget";
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent = CSS;
  root.appendChild(style);
  var box = document.createElement("div");
  box.className = "w";
  box.setAttribute("lang", lang);
  root.appendChild(box);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }  // textContent only: data is never parsed as HTML
    return node;
  }

  function params() {
    var p = new URLSearchParams();
    ["place", "category", "municipality", "q", "limit"].forEach(function (k) { if (d[k]) { p.set(k, d[k]); } });
    if (lang === "en") { p.set("lang", "en"); }
    return p;
  }

  function footer(credits) {
    var f = el("span", "f");
    var a = el("a", null, "DatenHub Ruhr");
    a.href = origin + (lang === "en" ? "/?lang=en" : "/");
    a.target = "_blank";
    a.rel = "noopener";
    f.appendChild(document.createTextNode(lang === "en" ? "Data: " : "Daten: "));
    f.appendChild(a);
    // the sources the shown places ask to be named (e.g. Deutsche Bahn AG, CC BY 4.0), worded by the server
    (credits || []).forEach(function (line) { f.appendChild(document.createTextNode(" · " + line)); });
    return f;
  }

  if (d.map !== undefined) {
    var frame = el("iframe");
    var p = params();
    p.delete("place");
    p.delete("limit");
    frame.src = origin + "/embed/map?" + p.toString();
    frame.title = lang === "en" ? "Map of places (DatenHub Ruhr)" : "Karte der Orte (DatenHub Ruhr)";
    frame.loading = "lazy";
    box.appendChild(frame);
    box.appendChild(footer());
    return;
  }

  box.appendChild(el("span", "m", lang === "en" ? "Loading…" : "Wird geladen…"));
  var unavailable = lang === "en" ? "Data not available right now." : "Daten gerade nicht verfügbar.";
  fetch(origin + "/widget/data.json?" + params().toString()).then(function (r) {
    return r.json().catch(function () { return {}; }).then(function (body) {
      // a 400 or 404 carries a worded message ("Ort nicht gefunden …"); anything else is an outage
      if (!r.ok) { var failed = new Error("HTTP " + r.status); failed.shown = body.message; throw failed; }
      return body;
    });
  }).then(function (data) {
    var list = el("ul");
    data.items.forEach(function (item) {
      var li = el("li");
      var a = el("a", "n", item.name);
      a.href = item.url;
      a.target = "_blank";
      a.rel = "noopener";
      li.appendChild(a);
      var meta = [item.category, item.address].filter(Boolean).join(" · ");
      if (meta) { li.appendChild(el("span", "m", meta)); }
      if (item.state_text) { li.appendChild(el("span", "s " + item.state, item.state_text)); }
      list.appendChild(li);
    });
    var children = [];
    if (!d.place) { children.push(el("h2", null, data.title || "DatenHub Ruhr")); }
    children.push(data.items.length ? list : el("span", "m", data.empty));
    children.push(footer(data.credits));
    box.replaceChildren.apply(box, children);
  }).catch(function (err) {
    box.replaceChildren(el("span", "m", (err && err.shown) || unavailable), footer());
  });
})();
