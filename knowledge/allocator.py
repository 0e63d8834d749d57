"""Giving a build's freed memory back to the system (glibc only; elsewhere nothing changes).

glibc serves a large block from its own mapping, which goes back to the system when freed, but
after the first such free it raises that threshold to the block's size: from then on the
build's large numpy temporaries come from the heap, and what they leave free there stays in
the process (about 200 MB of a 100k-entry build's peak, and more after it)."""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
GLIBC_DEFAULT_THRESHOLD = 128 * 1024
HIGHEST_THRESHOLD = 32 * 1024 * 1024  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt  # noqa: B018 - glibc has it, musl does not
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def map_large_blocks() -> None:
    """During a build: keep glibc's threshold for a block of its own at its default."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, GLIBC_DEFAULT_THRESHOLD)


def settle() -> None:
    """After a build: hand the heap's free pages back to the system, and let the heap serve
    blocks up to glibc's highest threshold again, as after a large free it would: a query's
    temporaries of a few MB (scores over every paraphrase) are then reused, not mapped and
    faulted in afresh each time."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
        libc.mallopt(M_MMAP_THRESHOLD, HIGHEST_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, 2 * HIGHEST_THRESHOLD)
