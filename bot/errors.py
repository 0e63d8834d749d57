"""Errors raised by the bot layer; all derive from knowledge.errors.PufaError."""

from knowledge.errors import KnowledgeError, PufaError


class SettingsError(PufaError):
    """The configuration file or environment is wrong; the message names the key."""


__all__ = ["KnowledgeError", "PufaError", "SettingsError"]
