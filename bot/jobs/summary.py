"""What a collection run did, per source: the figures its closing summary prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from storage.repository import SaveResult


@dataclass(slots=True)
class SourceSummary:
    """Counts for one source over one run; ``errors`` is empty when every hashtag succeeded."""

    name: str
    fetched: int = 0
    new: int = 0
    updated: int = 0
    removed: int = 0
    requests: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, saved: SaveResult) -> None:
        self.new += saved.new
        self.updated += saved.updated

    def describe(self) -> str:
        skipped = ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()))
        line = (
            f"{self.name}: fetched {self.fetched}, new {self.new}, updated {self.updated}, "
            f"removed {self.removed}, skipped {sum(self.skipped.values())}"
            + (f" ({skipped})" if skipped else "")
            + f", requests {self.requests}"
        )
        if self.errors:
            line += " — FAILED: " + "; ".join(self.errors)
        return line
