"""The error tree of pufa's library code; the CLI turns these into clean messages."""


class PufaError(Exception):
    """Base of every error pufa raises on purpose."""


class KnowledgeError(PufaError):
    """The knowledge base or law data is missing or malformed."""
