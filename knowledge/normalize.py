"""Text normalisation shared by indexing and querying."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Everything that is not a letter, digit or CJK character is noise for matching.
_NOISE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) (?=\S)|(?<=\S) (?=[^\x00-\x7f])")


@lru_cache(maxsize=4096)  # a message is normalised by each step that reads it
def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NOISE.sub("", text)


def tidy(text: str) -> str:
    """Collapse whitespace; YAML folding leaves spaces between Chinese lines, drop those."""
    return _CJK_SPACE.sub("", " ".join(text.split()))
