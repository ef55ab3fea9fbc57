"""The one error type for bad input or a broken rule.

``field`` is the machine name of the offending field (the UI puts the message next to it);
``message`` is Simplified Chinese and names the field in words a clerk understands.
"""

from __future__ import annotations


class ValidationError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message
