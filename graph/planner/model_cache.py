"""A trained classifier on disk, keyed by what it was trained from, that never fails a caller.

A file is a header line, the sha256 of the payload, and the pickled payload. The digest is
checked before unpickling, so a truncated or overwritten file is a miss (and is retrained),
not an exception from deep inside pickle. The cache directory is the application's own: a
pickle is trusted code, so it must never point at a directory others can write to.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

_MAGIC = b"ringmaster-planner-model\n"
# The pickled models' code. A model pickled by other code can unpickle into an object that lacks
# what the new code expects (an attribute added since), so the cache key covers this code and a
# change to it means a retrain, whether or not someone remembered to bump a version constant.
_MODEL_MODULES = ("classifier.py", "embeddings.py", "scope.py")
CODE_DIGEST = hashlib.sha256(
    b"".join((Path(__file__).parent / name).read_bytes() for name in _MODEL_MODULES)
).hexdigest()[:16]


def load(path: Path) -> object | None:
    """The cached object, or None when the file is missing, corrupt or unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    rest = data[len(_MAGIC) :]
    digest, sep, payload = rest.partition(b"\n")
    if not sep or hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a digest match with an unloadable payload: an incompatible library
        return None


def save(path: Path, obj: object) -> None:
    """Write atomically, so a reader sees the old file or the new one, never half of one."""
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
