"""Sitemaps and robots.txt: page URLs, lastmod, the 50,000-URL split, what crawlers may not visit."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from datenhub.publish.sitemap import MAX_URLS, robots_txt, sitemap_files, sitemap_xml
from tests.publish.samples import BASE_URL, sample_entities

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_lists_place_and_event_pages_with_lastmod() -> None:
    root = ET.fromstring(sitemap_xml(sample_entities(), BASE_URL))
    urls = [(u.findtext("s:loc", namespaces=NS), u.findtext("s:lastmod", namespaces=NS))
            for u in root.findall("s:url", NS)]
    assert urls[0] == (f"{BASE_URL}/places/dh-sample-museum", "2026-05-20")
    assert (f"{BASE_URL}/events/dh-sample-fest", "2026-05-20") in urls
    assert len(urls) == len(sample_entities())


def test_sitemap_skips_withdrawn_and_closed_entities() -> None:
    museum = sample_entities()[0]
    hidden = [{**museum, "id": "dh-closed", "licence": "closed"},
              {**museum, "id": "dh-gone", "withdrawn_at": "2026-05-01T00:00:00Z"}]
    assert b"dh-closed" not in sitemap_xml(hidden) and b"dh-gone" not in sitemap_xml(hidden)


def test_sitemap_escapes_urls() -> None:
    assert b"<loc>https://example.org/x?a=1&amp;b=2/places/dh-sample-museum</loc>" in sitemap_xml(
        sample_entities()[:1], "https://example.org/x?a=1&b=2")


def test_sitemap_over_the_limit_splits_into_an_index() -> None:
    entities = [{"id": f"dh-{n}", "kind": "place", "licence": "CC0-1.0"} for n in range(MAX_URLS + 1)]
    with pytest.raises(ValueError, match="50000"):
        sitemap_xml(entities)
    files = sitemap_files(entities, BASE_URL)
    assert sorted(files) == ["sitemap.xml", "sitemaps/1.xml", "sitemaps/2.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert [s.findtext("s:loc", namespaces=NS) for s in index] == [f"{BASE_URL}/sitemaps/1.xml",
                                                                    f"{BASE_URL}/sitemaps/2.xml"]
    assert len(ET.fromstring(files["sitemaps/1.xml"])) == MAX_URLS
    assert len(ET.fromstring(files["sitemaps/2.xml"])) == 1


def test_sitemap_files_fit_in_one_when_small() -> None:
    assert sitemap_files(sample_entities(), BASE_URL) == {"sitemap.xml": sitemap_xml(sample_entities(), BASE_URL)}
    assert ET.fromstring(sitemap_files([], BASE_URL)["sitemap.xml"]).tag.endswith("urlset")


def _allowed(text: str, path: str) -> bool:
    """RFC 9309: the longest matching rule wins, Allow on a tie (Google's and Bing's reading)."""
    rules = [(len(value), kind == "Allow") for line in text.splitlines() if ": " in line
             for kind, value in [line.split(": ", 1)] if kind in ("Allow", "Disallow") and path.startswith(value)]
    return max(rules, default=(0, True))[1]


def test_robots_txt_allows_pages_downloads_and_catalogue_and_hides_admin_and_the_rest_of_the_api() -> None:
    from urllib.robotparser import RobotFileParser

    text = robots_txt("https://datenhub.ruhr/").decode()
    first_match = RobotFileParser()  # Python's reads the rules in order, the first that matches wins
    first_match.parse(text.splitlines())
    for path, allowed in (("/api/v1/exports/datenhub-ruhr.csv", True), ("/catalog", True), ("/catalog.ttl", True),
                          ("/datasets/ruhr-demo", True), ("/places/dh-1", True), ("/", True),
                          ("/api/v1/places", False), ("/api/v1/sources", False), ("/admin", False)):
        assert _allowed(text, path) is allowed and first_match.can_fetch("*", path) is allowed, path
    assert text.endswith("Sitemap: https://datenhub.ruhr/sitemap.xml\n")


@pytest.mark.parametrize("max_urls", [1, 2, 3, 100])
def test_one_file_from_page_dates_is_the_file_sitemap_files_writes(max_urls: int) -> None:
    """The route builds the one file asked for from Store.iter_page_dates: byte for byte what sitemap_files writes
    from the documents, for the index and every part, and nothing for a part there is not."""
    from datetime import datetime

    from datenhub.publish.sitemap import entries, sitemap_file

    public = [e for e in sample_entities() if e.get("last_changed")]
    shown = {loc for loc, _ in entries(public, BASE_URL)}
    pages = [(e["id"], e["kind"], datetime.fromisoformat(e["last_changed"])) for e in public
             if f"{BASE_URL}/{'events' if e['kind'] == 'event' else 'places'}/{e['id']}" in shown]
    assert len(pages) >= 4
    files = sitemap_files(public, BASE_URL, max_urls=max_urls)
    for path, expected in files.items():
        assert sitemap_file(pages, path, BASE_URL, max_urls=max_urls) == expected, path
    assert sitemap_file(pages, f"sitemaps/{len(files)}.xml", BASE_URL, max_urls=max_urls) is None
    assert sitemap_file([], "sitemap.xml", BASE_URL) == sitemap_files([], BASE_URL)["sitemap.xml"]
    assert sitemap_file([], "sitemaps/1.xml", BASE_URL) is None
