"""Validation of user input: every failure names the field and explains itself in Chinese."""

from justice_desktop.validation.errors import ValidationError

__all__ = ["ValidationError"]
