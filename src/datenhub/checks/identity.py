"""Every record needs a local id (derived when a source has none) that is unique within its source."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from datenhub.checks.base import Check, CheckContext
from datenhub.ingest.base import Draft
from datenhub.notices import Notice, Severity

_CONTROL = re.compile(r"[\x00-\x1f]")


class IdentityCheck(Check):
    codes = {
        "derived_id": (Severity.INFO, "the source gives no id; one was derived from name and position"),
        "duplicate_id": (Severity.ERROR, "the id occurs more than once in the source; the first one wins"),
        "invalid_id": (Severity.ERROR, "the id is too long or contains control characters"),
    }

    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        if draft.local_id is None or not str(draft.local_id).strip():
            name = draft.data.get("name") or {}
            text = str(name.get("de") or next(iter(name.values()), "")) if isinstance(name, dict) else ""
            parts = [text, str(draft.data.get("lat")), str(draft.data.get("lon")), str(draft.data.get("start"))]
            if not text.strip():
                # held back for its missing name anyway: its place in the file keeps it apart, or every nameless
                # row of a file that fits no mapping would be one duplicate_id after another
                parts += [str(draft.location.row), str(draft.location.pointer)]
            basis = "|".join(parts)
            draft.local_id = "h" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]
            draft.location = draft.location.of_entity(draft.local_id)
            yield self.notice("derived_id", f"no id; derived {draft.local_id} from name and position", draft)
        draft.local_id = str(draft.local_id).strip()
        if len(draft.local_id) > 200 or _CONTROL.search(draft.local_id):
            yield self.notice("invalid_id", "the id must be at most 200 printable characters", draft, "id",
                              draft.local_id)
            return
        if draft.local_id in ctx.seen_ids:
            yield self.notice("duplicate_id", f"id {draft.local_id!r} occurs again; this occurrence is dropped",
                              draft, "id", draft.local_id)
            return
        ctx.seen_ids.add(draft.local_id)
