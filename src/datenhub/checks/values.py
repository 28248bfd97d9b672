"""Small value checks: URLs, wheelchair access, categories, schema.org type."""

from __future__ import annotations

import re
from collections.abc import Iterator

from datenhub.checks.base import Check, CheckContext
from datenhub.checks.shape import split_list
from datenhub.ingest.base import Draft
from datenhub.model.categories import CATEGORIES, normalise_category
from datenhub.notices import Notice, Severity

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]*$|^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WHEELCHAIR = {"yes": "yes", "ja": "yes", "true": "yes", "limited": "limited", "partial": "limited",
               "teilweise": "limited", "eingeschränkt": "limited", "no": "no", "nein": "no", "false": "no"}
_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,60}$")


def valid_url(value: str) -> bool:
    return bool(_URL.match(value)) and len(value) <= 2000


class ValuesCheck(Check):
    codes = {
        "invalid_url": (Severity.WARNING, "a URL is not an absolute http(s) URL and was dropped"),
        "invalid_email": (Severity.WARNING, "an e-mail address is malformed and was dropped"),
        "invalid_wheelchair": (Severity.WARNING, "wheelchair must be yes, limited or no; the value was dropped"),
        "unknown_category": (Severity.WARNING, "the category is not in the hub's vocabulary"),
        "invalid_type": (Severity.WARNING, "the schema.org type is malformed; a default is used"),
    }

    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        data = draft.data
        contact = data.get("contact") or {}
        website = contact.get("website")
        if website:
            website = str(website).strip()
            if not website.lower().startswith(("http://", "https://")) and "." in website and " " not in website:
                website = "https://" + website  # "www.zollverein.de" is common and unambiguous
            if not valid_url(website):
                yield self.notice("invalid_url", "not an http(s) URL", draft, "contact.website", website)
                website = None
            contact["website"] = website
        email = contact.get("email")
        if email and not _EMAIL.match(str(email).strip().removeprefix("mailto:")):
            yield self.notice("invalid_email", "malformed e-mail address", draft, "contact.email", email)
            contact["email"] = None
        data["contact"] = {k: v for k, v in contact.items() if v}
        for key in ("url",):
            if data.get(key) and not valid_url(str(data[key])):
                yield self.notice("invalid_url", "not an http(s) URL", draft, key, data[key])
                data[key] = None
        for index, image in enumerate(data.get("images") or []):
            if not valid_url(str(image.get("url", ""))):
                yield self.notice("invalid_url", "image URL is not http(s); image dropped", draft,
                                  f"images[{index}]", image.get("url"))
                image["url"] = None
        data["images"] = [i for i in data.get("images") or [] if i.get("url")]
        wheelchair = data.get("wheelchair")
        if wheelchair not in (None, ""):
            normal = _WHEELCHAIR.get(str(wheelchair).strip().lower())
            if normal is None:
                yield self.notice("invalid_wheelchair", "expected yes, limited or no", draft, "wheelchair", wheelchair)
            data["wheelchair"] = normal
        else:
            data["wheelchair"] = None
        raw_categories = data.pop("category", None)
        categories = list(data.get("categories") or [])
        if raw_categories:
            categories.extend(split_list(str(raw_categories)))
        normalised = []
        for category in categories:
            known = normalise_category(category)
            if known is None:
                yield self.notice("unknown_category", f"unknown category {category!r}; known: "
                                  f"{', '.join(CATEGORIES)}", draft, "category", category)
            elif known not in normalised:
                normalised.append(known)
        data["categories"] = normalised
        typ = data.get("type")
        if typ and not _TYPE.match(str(typ)):
            yield self.notice("invalid_type", "schema.org types look like 'Museum'", draft, "type", typ)
            typ = None
        if not typ:
            typ = (CATEGORIES[normalised[0]]["type"] if normalised and draft.kind == "place"
                   else ("Event" if draft.kind == "event" else "TouristAttraction"))
        data["type"] = typ  # keywords given as one text are split by checks.shape, which runs first
