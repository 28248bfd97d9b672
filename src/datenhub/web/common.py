"""What every page shares: the Jinja environment (autoescaped), language, URLs, text and time helpers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from datenhub.api.urls import base_url
from datenhub.clock import BERLIN
from datenhub.hours.humanize import when_words
from datenhub.hours.names import DAY_NAMES, DAY_SHORT
from datenhub.model.categories import CATEGORIES
from datenhub.store import Query
from datenhub.store.text import fold
from datenhub.web.i18n import choose_lang, translator

HERE = Path(__file__).parent
STATIC = HERE / "static"
# Autoescape everything we render: record data (names, descriptions) is never trusted as HTML.
templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                        trim_blocks=True, lstrip_blocks=True)


def http_url(value: str | None) -> str | None:
    """Only http(s) links reach an href or src: a `javascript:` URL in the data stays inert."""
    if value and value.strip().lower().startswith(("https://", "http://")):
        return value.strip()
    return None


templates.filters["http_url"] = http_url


def text(values: dict[str, str] | None, lang: str) -> str:
    """A multilingual field in the page language, falling back to German, then any language."""
    if not values:
        return ""
    return values.get(lang) or values.get("de") or next(iter(values.values()), "")


def in_shown_order(entities: list[dict[str, Any]], lang: str, query: Query) -> list[dict[str, Any]]:
    """A name-sorted page in the order of the names it shows. The store sorts by the German name (its one
    `name_sort` key), so an English page is re-sorted here by its English names, page by page: the next page
    still continues the German order, until the store keeps a sort key per language."""
    if lang == "de" or query.effective_sort() != "name":
        return entities
    return sorted(entities, key=lambda e: (fold(text(e.get("name"), lang)), str(e.get("id"))))


def attribution_lines(entities: list[dict[str, Any]]) -> list[str]:
    """The attribution lines the shown entities' licences ask for, each once, in the order shown: "Deutsche Bahn
    AG (CC-BY-4.0)". Every output that shows data names its sources (a widget, an embed, a screen), not only the
    place page."""
    from datenhub.model.licence import LICENCES, parse_licence

    lines: list[str] = []
    for entity in entities:
        attribution, licence = entity.get("attribution"), entity.get("licence")
        known = parse_licence(licence)
        if known is None or not LICENCES[known].needs_attribution:
            continue  # CC0 or DL-DE-ZERO ask for no credit; the place page still shows whatever is given
        line = f"{attribution} ({licence})" if attribution else str(licence)
        if line not in lines:
            lines.append(line)
    return lines


def category_label(name: str, lang: str) -> str:
    return CATEGORIES.get(name, {}).get(lang, name) if lang != "de" else name


def local(at: datetime | str | None) -> datetime | None:
    if at is None:
        return None
    value = datetime.fromisoformat(at) if isinstance(at, str) else at
    return value.astimezone(BERLIN)


def fmt_time(at: datetime | str | None) -> str:
    value = local(at)
    return value.strftime("%H:%M") if value else ""


def fmt_end_time(end: datetime | str | None, start: datetime | str | None) -> str:
    """An end's time after its start: midnight closing the day it began is 24:00 ("19:00 – 24:00"), as opening
    hours write it, not 00:00, which reads as before it began."""
    value, begun = local(end), local(start)
    if value is not None and begun is not None and value.hour == value.minute == 0 and value.date() > begun.date():
        return "24:00"
    return fmt_time(end)


def fmt_datetime(at: datetime | str | None, lang: str, now: datetime | None = None) -> str:
    value = local(at)
    if value is None:
        return ""
    if now is not None:
        ahead = (value.date() - now.astimezone(BERLIN).date()).days
        if ahead in (0, 1):
            word = {("de", 0): "heute", ("de", 1): "morgen", ("en", 0): "today", ("en", 1): "tomorrow"}[(lang, ahead)]
            return f"{word} {value:%H:%M}"
    day = DAY_SHORT[lang][value.weekday()]
    return f"{day} {value:%d.%m.%Y %H:%M}" if lang == "de" else f"{day} {value:%Y-%m-%d %H:%M}"


def fmt_when(at: datetime | str | None, lang: str, now: datetime | None = None) -> str:
    """When a place next opens or closes, worded as its hours' sentence words it ("opens Thursday 26 November at
    11:00" beside "Today 11:00–18:00 open, opens Thursday 26 November at 11:00"): one format on a page."""
    value = local(at)
    if value is None or now is None:
        return fmt_datetime(at, lang, now)
    return when_words(value, now.astimezone(BERLIN).date(), lang)


def fmt_date(at: datetime | str | None, lang: str) -> str:
    value = local(at)
    if value is None:
        return ""
    day = DAY_NAMES[lang][value.weekday()]
    return f"{day}, {value:%d.%m.%Y}" if lang == "de" else f"{day}, {value:%Y-%m-%d}"


def fmt_distance(metres: float | int | None, lang: str = "de") -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return f"{round(metres)} m"
    km = f"{metres / 1000:.1f} km"
    return km.replace(".", ",") if lang == "de" else km  # "1,9 km" in German, "1.9 km" in English


def page_url(path: str, lang: str, **params: Any) -> str:
    """A site-relative link that keeps the language; German is the default and needs no parameter."""
    query = {k: v for k, v in params.items() if v not in (None, "", False)}
    if lang != "de":
        query["lang"] = lang
    return path + ("?" + urlencode(query, doseq=True) if query else "")


def context(request: Request, path: str, *, canonical_params: dict[str, Any] | None = None,
            **values: Any) -> dict[str, Any]:
    """What every page template gets. `canonical_params`: the parameters that make the page what it is (a screen
    is its place or point), kept in its canonical and alternate links."""
    lang = choose_lang(request)
    root = base_url(request)
    kept = canonical_params or {}
    canonical = root + page_url(path, lang, **kept)
    alternates = {code: root + page_url(path, code, **kept) for code in ("de", "en")}
    other = "en" if lang == "de" else "de"
    switch_params = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
    switch_url = page_url(request.url.path, other, **dict(switch_params))
    return {"request": request, "lang": lang, "t": translator(lang), "canonical": canonical,
            "alternates": alternates, "switch_url": switch_url, "text": text, "url": lambda p, **kw: page_url(
                p, lang, **kw), "category_label": lambda c: category_label(c, lang), "fmt_time": fmt_time,
            "fmt_datetime": lambda at, now=None: fmt_datetime(at, lang, now),
            "fmt_when": lambda at, now=None: fmt_when(at, lang, now),
            "fmt_end_time": fmt_end_time, "fmt_date": lambda at: fmt_date(at, lang),
            "fmt_distance": lambda metres: fmt_distance(metres, lang), "root": root, "og_type": "website",
            "attribution_lines": attribution_lines, **values}


def render(name: str, ctx: dict[str, Any], status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**ctx), status_code=status_code, headers=headers)


def not_found(request: Request) -> HTMLResponse:
    ctx = context(request, request.url.path, title=translator(choose_lang(request))("not_found"))
    return render("not_found.html", ctx, status_code=404, headers={"X-Robots-Tag": "noindex"})
