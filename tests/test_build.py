"""The build step (``hatch_build.py``): it compiles the C extension into a loadable module,
and a build without a C compiler warns and goes on."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import hatch_build  # noqa: E402  (at the project's root, beside pyproject.toml)

sys.path.remove(str(ROOT))


def test_the_extension_compiles_into_a_module_that_loads(tmp_path: Path) -> None:
    built = hatch_build._compile(ROOT, tmp_path, inplace=False)
    assert built is not None
    assert built.is_file()
    assert built.is_relative_to(tmp_path)
    spec = importlib.util.spec_from_file_location("_lexbor", built)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert {"configure", "fields", "block_texts", "text"} <= set(dir(module))


def test_without_a_compiler_the_build_warns_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))
    with pytest.warns(UserWarning, match=r"_lexbor\.c: not compiled .*same results, slower"):
        assert hatch_build._compile(ROOT, tmp_path / "out", inplace=False) is None
    assert not list(tmp_path.rglob("*.so"))
