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


def test_robots_txt_allows_pages_and_hides_admin_and_api() -> None:
    text = robots_txt("https://datenhub.ruhr/").decode()
    assert "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /api/\n" in text
    assert text.endswith("Sitemap: https://datenhub.ruhr/sitemap.xml\n")
