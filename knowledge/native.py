"""Arrays loaded from the index cache, made as fast as the ones a build makes."""

from __future__ import annotations

import numpy as np


def native(state: dict[str, object]) -> dict[str, object]:
    """An unpickled object's state with each array viewed with numpy's own instance of its
    dtype. Unpickled, an array has an equal copy of it, with which np.add.at takes a path
    several times slower: a matcher of 100,000 entries loaded from the index cache answered
    in 15 ms instead of 4.5."""
    return {
        key: value.view(np.dtype(value.dtype.str))
        if isinstance(value, np.ndarray) and value.dtype.names is None
        else value
        for key, value in state.items()
    }
