"""The cache folder's files are replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from communique.cache import cache_path, replacing


def test_a_cached_file_is_in_the_folder_xdg_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_path("x.json") == tmp_path / "communique" / "x.json"


def test_a_write_cut_short_leaves_the_old_file_and_no_part(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "tables.json"
    with replacing(target) as handle:
        handle.write(b"old")
    with pytest.raises(RuntimeError), replacing(target) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("stopped")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["tables.json"]
