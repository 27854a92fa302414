"""The model cache's signing key: made whole or not at all."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from ringmaster.graph.planner import model_cache


def test_a_writer_dying_while_making_the_key_does_not_turn_caching_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "local-planner-x-y.json"

    def dies(n: int) -> bytes:
        raise KeyboardInterrupt  # the process is stopped between creating the key and filling it

    with monkeypatch.context() as m:
        m.setattr(secrets, "token_bytes", dies)
        with pytest.raises(KeyboardInterrupt):
            model_cache.save_document(path, {"format": "x"})
    assert not list(tmp_path.glob("*.tmp"))
    # The next writer makes the key and caches; a reader reads what it wrote.
    model_cache.save_document(path, {"format": "x"})
    assert model_cache.load_document(path) == {"format": "x"}
    assert len((tmp_path / model_cache.KEY_FILE).read_bytes()) == 32


def test_an_empty_key_left_by_an_older_crash_is_replaced(tmp_path: Path) -> None:
    key = tmp_path / model_cache.KEY_FILE
    key.touch(mode=0o600)  # what a writer of an older version left when it died half way
    path = tmp_path / "local-planner-x-y.json"
    assert model_cache.load_document(path) is None
    model_cache.save_document(path, {"format": "x"})
    assert model_cache.load_document(path) == {"format": "x"}
    assert len(key.read_bytes()) == 32


def test_a_key_shared_by_others_is_still_refused(tmp_path: Path) -> None:
    key = tmp_path / model_cache.KEY_FILE
    key.write_bytes(secrets.token_bytes(32))
    key.chmod(0o644)  # others could read it and forge models
    with pytest.raises(PermissionError, match="unsafe or unreadable"):
        model_cache.save_document(tmp_path / "local-planner-x-y.json", {"format": "x"})


def test_the_key_is_made_on_a_file_system_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # what such file systems answer

    monkeypatch.setattr(model_cache.os, "link", no_links)
    path = tmp_path / "local-planner-x-y.json"
    model_cache.save_document(path, {"format": "x"})
    assert model_cache.load_document(path) == {"format": "x"}
    assert len((tmp_path / model_cache.KEY_FILE).read_bytes()) == 32
    assert (tmp_path / model_cache.KEY_FILE).stat().st_mode & 0o077 == 0
    assert not list(tmp_path.glob("*.tmp"))
