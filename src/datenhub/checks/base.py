"""A Check looks at one draft, may normalise it, and emits notices. It declares every code it can emit."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from datenhub.ingest.base import Draft
from datenhub.notices import Notice, Severity
from datenhub.notices.notice import shorten


@dataclass(slots=True)
class CheckContext:
    """State shared by the checks of one import run."""

    source: str
    defaults: dict[str, Any] = field(default_factory=dict)
    seen_ids: set[str] = field(default_factory=set)


class Check(ABC):
    codes: ClassVar[dict[str, tuple[Severity, str]]]  # code -> (severity, what it means)

    @abstractmethod
    def check(self, draft: Draft, ctx: CheckContext) -> Iterator[Notice]:
        """Yield notices; an ERROR means the record will not be published."""

    def warm(self) -> None:
        """Load now what the check would load on its first record (an engine, a table). A parallel import calls
        it before it forks its workers, which then share what was loaded instead of each loading it again."""
        return  # most checks load nothing

    def notice(self, code: str, message: str, draft: Draft, field_name: str | None = None,
               value: object = None) -> Notice:
        severity, _ = self.codes[code]
        location = draft.location.at_field(field_name) if field_name else draft.location
        return Notice(code, severity, message, location, None if value is None else shorten(value))
