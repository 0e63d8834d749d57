"""The built matcher kept on disk, so web workers and CLI calls load it in a fraction of the
time a build takes. The key is a digest of the engine's code, the bundled data files and
whatever the caller adds (the approved staff layer); a changed key means a fresh build."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from .kb import DATA_DIR
from .matcher import Matcher

log = logging.getLogger(__name__)
PREFIX = "matcher-"
KEEP = 3


@lru_cache(maxsize=4)
def bundle_digest(data_dir: Path = DATA_DIR) -> str:
    """Digest of the engine's source and every bundled data file."""
    digest = hashlib.sha256()
    code = Path(__file__).parent
    for path in sorted([*code.glob("*.py"), *(p for p in data_dir.rglob("*") if p.is_file())]):
        digest.update(str(path.relative_to(code)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_or_build(cache_dir: Path, key: str, build: Callable[[], Matcher]) -> Matcher:
    """The matcher stored under `key`, or a new one built, stored atomically and returned.
    A damaged or unreadable file is rebuilt over, never trusted."""
    path = cache_dir / f"{PREFIX}{key[:24]}.pickle"
    try:
        with path.open("rb") as handle:
            matcher = pickle.load(handle)  # noqa: S301 - our own file, in our own data directory
        if isinstance(matcher, Matcher):
            return matcher
        log.warning("index cache %s holds something else; rebuilding", path)
    except FileNotFoundError:
        pass
    except Exception:
        log.warning("index cache %s is unreadable; rebuilding", path, exc_info=True)
    matcher = build()
    try:
        _store(cache_dir, path, matcher)
    except OSError:
        log.warning("could not write the index cache to %s", cache_dir, exc_info=True)
    return matcher


def _store(cache_dir: Path, path: Path, matcher: Matcher) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(matcher, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    stored = sorted(cache_dir.glob(f"{PREFIX}*.pickle"), key=lambda p: -p.stat().st_mtime)
    for old in stored[KEEP:]:  # the newest few: the CLI's bundle-only index beside the web's
        old.unlink(missing_ok=True)
