"""Licences are data: the identifiers we accept, which are open, and how to read what sources write."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any


class LicenceId(StrEnum):
    CC0_1_0 = "CC0-1.0"
    CC_BY_4_0 = "CC-BY-4.0"
    CC_BY_SA_4_0 = "CC-BY-SA-4.0"
    DL_DE_BY_2_0 = "DL-DE-BY-2.0"
    DL_DE_ZERO_2_0 = "DL-DE-ZERO-2.0"
    ODBL_1_0 = "ODbL-1.0"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class LicenceInfo:
    id: LicenceId
    title: str
    url: str | None
    open: bool
    needs_attribution: bool


LICENCES: dict[LicenceId, LicenceInfo] = {
    info.id: info
    for info in (
        LicenceInfo(LicenceId.CC0_1_0, "Creative Commons Zero 1.0",
                    "https://creativecommons.org/publicdomain/zero/1.0/", True, False),
        LicenceInfo(LicenceId.CC_BY_4_0, "Creative Commons Attribution 4.0",
                    "https://creativecommons.org/licenses/by/4.0/", True, True),
        LicenceInfo(LicenceId.CC_BY_SA_4_0, "Creative Commons Attribution-ShareAlike 4.0",
                    "https://creativecommons.org/licenses/by-sa/4.0/", True, True),
        LicenceInfo(LicenceId.DL_DE_BY_2_0, "Datenlizenz Deutschland – Namensnennung – Version 2.0",
                    "https://www.govdata.de/dl-de/by-2-0", True, True),
        LicenceInfo(LicenceId.DL_DE_ZERO_2_0, "Datenlizenz Deutschland – Zero – Version 2.0",
                    "https://www.govdata.de/dl-de/zero-2-0", True, False),
        LicenceInfo(LicenceId.ODBL_1_0, "Open Database License 1.0",
                    "https://opendatacommons.org/licenses/odbl/1-0/", True, True),
        LicenceInfo(LicenceId.CLOSED, "Closed: not for publication without permission", None, False, True),
    )
}

OPEN_LICENCES: frozenset[LicenceId] = frozenset(i for i, info in LICENCES.items() if info.open)

# Sources write licences in many ways; we normalise the common spellings and URLs.
_ALIASES: dict[str, LicenceId] = {
    "cc0": LicenceId.CC0_1_0,
    "cc0 1.0": LicenceId.CC0_1_0,
    "publicdomainzero10": LicenceId.CC0_1_0,
    "ccby40": LicenceId.CC_BY_4_0,
    "ccby": LicenceId.CC_BY_4_0,
    "licensesby40": LicenceId.CC_BY_4_0,
    "ccbysa40": LicenceId.CC_BY_SA_4_0,
    "licensesbysa40": LicenceId.CC_BY_SA_4_0,
    "dldeby20": LicenceId.DL_DE_BY_2_0,
    "dlby20": LicenceId.DL_DE_BY_2_0,
    "dldezero20": LicenceId.DL_DE_ZERO_2_0,
    "dlzero20": LicenceId.DL_DE_ZERO_2_0,
    # the official names of the Datenlizenz Deutschland, as GovData and city portals print them
    "datenlizenzdeutschlandnamensnennungversion20": LicenceId.DL_DE_BY_2_0,
    "datenlizenzdeutschlandnamensnennung20": LicenceId.DL_DE_BY_2_0,
    "datenlizenzdeutschlandzeroversion20": LicenceId.DL_DE_ZERO_2_0,
    "datenlizenzdeutschlandzero20": LicenceId.DL_DE_ZERO_2_0,
    "odbl": LicenceId.ODBL_1_0,
    "odbl10": LicenceId.ODBL_1_0,
    "licensesodbl10": LicenceId.ODBL_1_0,
    "closed": LicenceId.CLOSED,
    "proprietary": LicenceId.CLOSED,
    "allrightsreserved": LicenceId.CLOSED,
    "internal": LicenceId.CLOSED,
}


def _squash(text: str) -> str:
    text = text.strip().lower()
    for prefix in ("https://", "http://", "www.", "creativecommons.org/", "govdata.de/", "opendatacommons.org/"):
        text = text.replace(prefix, "")
    return re.sub(r"[^a-z0-9]", "", text.replace("deed.de", "").replace("deed.en", ""))


def parse_licence(text: str | None) -> LicenceId | None:
    """Map 'CC BY 4.0', 'cc-by-4.0', 'dl-de/by-2-0' or a licence URL to a LicenceId; None if unknown."""
    if text is None or not str(text).strip():
        return None
    return _parse_licence(str(text))


@lru_cache(maxsize=1024)  # a source spells its licence a few ways at most; imports ask per record
def _parse_licence(text: str) -> LicenceId | None:
    raw = str(text).strip()
    for lid in LicenceId:
        if raw.lower() == lid.value.lower():
            return lid
    squashed = _squash(raw)
    if squashed in _ALIASES:
        return _ALIASES[squashed]
    for lid in LicenceId:
        if squashed == _squash(lid.value):
            return lid
    return None


def is_open(licence: LicenceId | str) -> bool:
    return LicenceId(licence) in OPEN_LICENCES


def without_closed_images(view: dict[str, Any]) -> dict[str, Any]:
    """An open view as it may be published: an open record's closed images are left out (an image carries its own
    licence). The same dict when it has none, else a copy."""
    images = view.get("images")
    if not images or not any(image.get("licence") == LicenceId.CLOSED for image in images):
        return view
    kept = [image for image in images if image.get("licence") != LicenceId.CLOSED]
    shown = {**view, "images": kept}
    if not kept:
        del shown["images"]
    return shown


def licence_mix(declared: str | None, carried: dict[str, int]) -> str:
    """What a source's licence column says: the licence its imports declared, or, when its records carry others
    (a source may set the licence row by row), each licence with its count of records, most first."""
    if not carried or list(carried) == [declared]:
        return declared or ""
    return ", ".join(f"{name} ({count})" for name, count in sorted(carried.items(), key=lambda kv: (-kv[1], kv[0])))


def credits(declared: str | None, carried: list[str]) -> list[str]:
    """Whom a source's open data must credit: the attribution its imports declared, then those its records carry
    themselves (each once)."""
    return list(dict.fromkeys(a for a in (declared, *carried) if a))
