"""sitemaps.org XML sitemaps and robots.txt, so search engines find every public place and event page.

One sitemap holds at most 50,000 URLs (and 50 MB); beyond that `sitemap_files` splits the pages into parts
under /sitemaps/ and makes /sitemap.xml a sitemap index pointing at them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice
from typing import Any
from xml.sax.saxutils import escape

from datenhub.publish.jsonld import DEFAULT_BASE_URL, entity_url

MAX_URLS = 50_000
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'

Entry = tuple[str, str | None]  # (loc, lastmod as YYYY-MM-DD)


def _lastmod(entity: dict[str, Any]) -> str | None:
    value = entity.get("last_changed") or entity.get("first_seen")
    return datetime.fromisoformat(value).astimezone(UTC).date().isoformat() if value else None


def entries(entities: Iterable[dict[str, Any]], base_url: str = DEFAULT_BASE_URL) -> Iterable[Entry]:
    """Public pages only: withdrawn and closed-licence entities have none."""
    for entity in entities:
        if entity.get("withdrawn_at") or entity.get("licence") == "closed":
            continue
        yield entity_url(entity, base_url), _lastmod(entity)


Page = tuple[str, str, datetime]  # Store.iter_page_dates: (id, kind, when the open view changed), public only


def _page_entry(page: Page, base_url: str) -> Entry:
    entity_id, kind, changed = page
    return entity_url({"id": entity_id, "kind": kind}, base_url), _day(changed)


def _day(at: datetime) -> str:
    return at.astimezone(UTC).date().isoformat()


def sitemap_file(pages: Iterable[Page], wanted: str, base_url: str = DEFAULT_BASE_URL, *,
                 max_urls: int = MAX_URLS) -> bytes | None:
    """The file `wanted` ("sitemap.xml" or "sitemaps/<n>.xml") of those sitemap_files writes for the same pages,
    building no other: an index takes one pass over the dates, a part formats its own URLs alone (a 1M-place hub's
    every file built for each request cost seconds). None where there is no such file."""
    part = None if wanted == "sitemap.xml" else int(wanted.removeprefix("sitemaps/").removesuffix(".xml"))
    newest: list[datetime] = []  # per part
    first: list[Page] = []  # the first part's pages: all of them, where they fit in one file
    chosen: list[Page] = []
    for number, page in enumerate(pages):
        index = number // max_urls
        if index == len(newest):
            newest.append(page[2])
        elif page[2] > newest[index]:
            newest[index] = page[2]
        if index == 0:
            first.append(page)
        if part is not None and index == part - 1:
            chosen.append(page)
    if len(newest) <= 1:
        return urlset(_page_entry(p, base_url) for p in first) if part is None else None
    if part is None:
        return sitemap_index((f"{base_url.rstrip('/')}/sitemaps/{n}.xml", _day(at))
                             for n, at in enumerate(newest, start=1))
    return urlset(_page_entry(p, base_url) for p in chosen) if chosen else None


def _xml(root: str, child: str, items: Iterable[Entry]) -> bytes:
    lines = [f'<{root} xmlns="{NS}">']
    for loc, lastmod in items:
        extra = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"  <{child}><loc>{escape(loc)}</loc>{extra}</{child}>")
    lines.append(f"</{root}>\n")
    return HEAD + "\n".join(lines).encode("utf-8")


def urlset(items: Iterable[Entry]) -> bytes:
    items = list(items)
    if len(items) > MAX_URLS:
        raise ValueError(f"{len(items)} URLs exceed the sitemap limit of {MAX_URLS}; use sitemap_files")
    return _xml("urlset", "url", items)


def sitemap_xml(entities: Iterable[dict[str, Any]], base_url: str = DEFAULT_BASE_URL) -> bytes:
    """One `<urlset>` of place and event pages; ValueError past 50,000 URLs (then use `sitemap_files`)."""
    return urlset(entries(entities, base_url))


def sitemap_index(parts: Iterable[Entry]) -> bytes:
    """A `<sitemapindex>` over (sitemap URL, lastmod) pairs."""
    return _xml("sitemapindex", "sitemap", parts)


def sitemap_files(entities: Iterable[dict[str, Any]], base_url: str = DEFAULT_BASE_URL, *,
                  max_urls: int = MAX_URLS) -> dict[str, bytes]:
    """{path: bytes}: just "sitemap.xml" when everything fits, else an index there plus "sitemaps/<n>.xml"."""
    if not 0 < max_urls <= MAX_URLS:
        raise ValueError(f"max_urls must be between 1 and {MAX_URLS}")
    items = iter(entries(entities, base_url))
    chunks: list[list[Entry]] = []
    while chunk := list(islice(items, max_urls)):
        chunks.append(chunk)
    if len(chunks) <= 1:
        return {"sitemap.xml": urlset(chunks[0] if chunks else [])}
    files: dict[str, bytes] = {}
    index: list[Entry] = []
    for number, chunk in enumerate(chunks, start=1):
        path = f"sitemaps/{number}.xml"
        files[path] = urlset(chunk)
        dates = [lastmod for _, lastmod in chunk if lastmod]
        index.append((f"{base_url.rstrip('/')}/{path}", max(dates) if dates else None))
    return {"sitemap.xml": sitemap_index(index), **files}


def robots_txt(base_url: str = DEFAULT_BASE_URL) -> bytes:
    """Crawl everything public; keep bots out of the admin UI and the API (its data is in the pages), but for the
    bulk exports, which the DCAT catalogue (/catalog, /datasets/…) lists as download URLs for portals to fetch.
    The most specific rules first: a parser that takes the first match (Python's) reads them as one that takes the
    longest (RFC 9309, the search engines) does."""
    return (f"User-agent: *\nAllow: /api/v1/exports/\nDisallow: /admin\nDisallow: /api/\nAllow: /\n\n"
            f"Sitemap: {base_url.rstrip('/')}/sitemap.xml\n").encode()
