"""Exceptions raised by the extractor."""

from __future__ import annotations


class ExtractionError(Exception):
    """The document cannot be parsed or processed at all."""


class NotAPost(ExtractionError):
    """The page parsed fine but is not an archivable post (protected, empty, ...)."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason.replace("_", " "))
        self.reason = reason
        """A short code for stats and manifests: "password_protected", "no_body"."""
