"""Licences are data: every record and every image must carry a known licence."""

from __future__ import annotations

from collections.abc import Iterator

from datenhub.checks.base import Check, CheckContext
from datenhub.ingest.base import Draft
from datenhub.model.licence import LICENCES, parse_licence
from datenhub.notices import Notice, Severity


class LicenceCheck(Check):
    codes = {
        "missing_licence": (Severity.ERROR, "neither the record nor the source declares a licence"),
        "unknown_licence": (Severity.ERROR, "the licence is not one the hub knows; the record is held back"),
        "missing_attribution": (Severity.WARNING, "the licence requires attribution but none is given"),
        "image_missing_licence": (Severity.WARNING, "an image has no known licence and is not published"),
    }

    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        data = draft.data
        raw = data.get("licence") or ctx.defaults.get("licence")
        if not raw:
            # the same check reads files and API writes: name the record's field first, which both have
            yield self.notice("missing_licence", "no licence: give the record a `licence` (e.g. CC-BY-4.0), or a "
                              "whole import one with --licence", draft, "licence")
            data["licence"] = None
            return
        licence = parse_licence(str(raw))
        if licence is None:
            known = ", ".join(lid.value for lid in LICENCES)
            yield self.notice("unknown_licence", f"unknown licence {raw!r}; known: {known}", draft, "licence", raw)
            data["licence"] = None
            return
        data["licence"] = licence.value
        attribution = data.get("attribution") or ctx.defaults.get("attribution")
        data["attribution"] = attribution
        if LICENCES[licence].needs_attribution and not attribution:
            yield self.notice("missing_attribution", f"{licence.value} requires attribution", draft, "attribution")
        images = data.get("images") or []
        single = data.pop("image", None)
        if isinstance(single, dict) and single.get("url"):
            images.append(single)
        kept = []
        for index, image in enumerate(images):
            image_licence = parse_licence(str(image.get("licence") or "")) if image.get("licence") else None
            if image_licence is None:
                yield self.notice("image_missing_licence", "image without a known licence is not published",
                                  draft, f"images[{index}]", image.get("url"))
                continue
            image["licence"] = image_licence.value
            image.setdefault("attribution", None)
            kept.append({k: v for k, v in image.items() if v is not None})
        data["images"] = kept
