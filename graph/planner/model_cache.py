"""A trained classifier on disk, keyed by what it was trained from, that never fails a caller.

A file is a header line, the HMAC-SHA256 of the payload, and the payload: a JSON document for the
TF-IDF planner (`load_document`), pickled bytes for the hybrid one (`load`, which needs the
`embeddings` extra). Unpickling runs code, so a file is only read when its HMAC matches under a
key that lives beside the data (`.model-key`, created 0600 by the first writer, refused when
others may read or write it or when another user owns it). A file written by someone without
the key, a truncated one or an overwritten one is a miss (and is retrained), never an exception
from deep inside pickle nor code someone else chose.

`prune` deletes a team's superseded models (same team, another key) and, past `MAX_FILES`, the
least recently used ones, so a cache directory does not grow with every change to a team.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

_MAGIC = b"ringmaster-planner-model-hmac\n"
KEY_FILE = ".model-key"
MAX_FILES = 16  # models kept per cache directory, most recently used first
# The pickled models' code. A model pickled by other code can unpickle into an object that lacks
# what the new code expects (an attribute added since), so the cache key covers this code and a
# change to it means a retrain, whether or not someone remembered to bump a version constant.
_MODEL_MODULES = ("classifier.py", "embeddings.py", "scope.py", "cutter.py", "synthesis.py")
PLANNER_DIR = Path(__file__).parent


def code_digest(names: tuple[str, ...]) -> str:
    """A digest of the planner modules `names` (files in PLANNER_DIR), for cache keys."""
    return hashlib.sha256(
        b"".join(
            (PLANNER_DIR / name).read_bytes() for name in names if (PLANNER_DIR / name).exists()
        )
    ).hexdigest()[:16]


CODE_DIGEST = code_digest(_MODEL_MODULES)


def _key(directory: Path, *, create: bool) -> bytes | None:
    """The directory's signing key; None when it is missing (and not created) or unsafe.

    Creating also replaces a key file too short to be a key (left empty by a writer that
    crashed before keys were linked into place), which would otherwise turn caching off for good.
    """
    path = directory / KEY_FILE
    if create and not path.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_key(path, replace=False)
    key = _read_key(path)
    if create and key == b"":
        _write_key(path, replace=True)
        key = _read_key(path)
    return key or None


def _write_key(path: Path, *, replace: bool) -> None:
    """A new key written whole under a temporary name, then put in place: a writer that dies
    half way leaves no empty key, and a reader never sees a partial one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=KEY_FILE, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        if replace:
            os.replace(tmp, path)  # a racing replacer's key may win: its models are misses
        else:
            _link_new(Path(tmp), path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _link_new(tmp: Path, path: Path) -> None:
    """Put `tmp` at `path` unless `path` exists (another process made it first: use theirs)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # no hard links on this file system: exclusive create, then the bytes
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "wb") as f:
            f.write(tmp.read_bytes())


def _read_key(path: Path) -> bytes | None:
    """The key's bytes (b"" when too short to be one); None when missing or unsafe."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
            return None  # others may read it (and forge) or write it
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        key = f.read()
    return key if len(key) >= 32 else b""


def _sign(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).hexdigest().encode()


def load_document(path: Path) -> dict[str, Any] | None:
    """The cached JSON document, or None when the file is missing, corrupt, unsigned or not one."""
    payload = _payload(path)
    if payload is None:
        return None
    try:
        doc = json.loads(payload)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def save_document(path: Path, doc: dict[str, Any]) -> None:
    """`save` for a JSON document."""
    _save_payload(path, json.dumps(doc, separators=(",", ":")).encode())


def load(path: Path) -> object | None:
    """The cached (pickled) object, or None when the file is missing, corrupt, unsigned or
    unreadable."""
    payload = _payload(path)
    if payload is None:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a signed payload that no longer loads: an incompatible library
        return None


def _payload(path: Path) -> bytes | None:
    """The signed payload of the file, or None when missing, corrupt, unsigned or unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    key = _key(path.parent, create=False)
    if key is None:
        return None
    digest, sep, payload = data[len(_MAGIC) :].partition(b"\n")
    if not sep or not hmac.compare_digest(_sign(key, payload), digest):
        return None
    try:
        os.utime(path)  # recently used: `prune` keeps it
    except OSError:
        pass
    return payload


def save(path: Path, obj: object) -> None:
    """Sign and write atomically, so a reader sees the old file or the new one, never half."""
    _save_payload(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _save_payload(path: Path, payload: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = _key(path.parent, create=True)
    if key is None:
        raise PermissionError(f"unsafe or unreadable {path.parent / KEY_FILE}: not caching")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + _sign(key, payload) + b"\n" + payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prune(keep: Path, same_team: str, *, max_files: int = MAX_FILES) -> list[Path]:
    """Delete `keep`'s superseded siblings (`same_team` glob) and the least recently used
    models past `max_files`; returns what was deleted. Never raises."""
    directory = keep.parent
    removed: list[Path] = []
    try:
        for old in directory.glob(same_team):
            if old != keep:
                old.unlink(missing_ok=True)
                removed.append(old)
        models = sorted(
            (p for p in directory.glob("local-planner-*") if p != keep and p.suffix != ".tmp"),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in models[max(0, max_files - 1) :]:
            old.unlink(missing_ok=True)
            removed.append(old)
    except OSError:
        pass
    return removed
