"""What the workspace refuses, as every frontend reports it: a thing that does not exist (NotFound) or a
change that cannot be made (WorkspaceError, with a code and, where one field is at fault, its name)."""
from __future__ import annotations


class NotFound(LookupError):
    """A document or curated answer that does not exist; the message names it."""


class WorkspaceError(ValueError):
    """A change refused; the message names the file, document or field and the reason."""

    code = "refused"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.field = message.split(":", 1)[0] if ":" in message else ""
