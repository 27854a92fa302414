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
