"""Why a file (or a line of it) could not be ingested."""
from __future__ import annotations

from dataclasses import dataclass


class IngestError(Exception):
    """A file cannot be read; the message is the one-line reason shown to staff."""


@dataclass
class Failure:
    """One input that did not go in, with the reason."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"
