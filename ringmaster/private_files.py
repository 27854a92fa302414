"""Files only their owner may read: the stores hold requests, decisions and tokens' hashes.

Standard library only, so every layer (graph's checkpointer, ringmaster's stores) uses it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

# Creating a missing file opens and closes it. A thread of this process that found the file
# created (FileExistsError) and connected to it in that moment would lose its locks at the
# close; creating under one lock makes it wait for the close first.
_creating = threading.Lock()


def private_file(path: Path) -> None:
    """Make `path` (created empty if missing) readable and writable by its owner only. SQLite
    gives its -wal and -shm files the database file's mode, so this covers them too.

    An existing file is only chmod-ed, never opened: closing any descriptor of a file drops
    every POSIX lock this process holds on it, so opening and closing a database that another
    connection of this process has open would silently free that connection's SQLite locks (and
    let another process checkpoint and delete the WAL under it: "disk I/O error")."""
    with _creating:
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
        except FileExistsError:
            pass
    try:
        os.chmod(path, 0o600)
    except PermissionError:  # someone else's file: leave it, SQLite says if it cannot write
        pass


def private_dir(path: Path) -> None:
    """Create `path` and every missing folder above it as owner-only (0700).

    `Path.mkdir(mode=0o700, parents=True)` gives only the last folder that mode; the ones it
    makes above it get the umask's (often world-readable). Folders that already exist are left
    as they are: they may be shared ones such as /tmp or a home directory."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # another process made it first
            pass
