"""The docs stay true to the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current() -> None:
    expected = _generator().cli_markdown()
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run `python docs/generate.py`"
    )


def test_settings_reference_is_current() -> None:
    expected = _generator().settings_markdown()
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == expected, (
        "docs/settings.md is stale: run `python docs/generate.py`"
    )


def test_readme_documents_both_setup_commands_and_every_doc_link_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
    import re

    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (ROOT / link).is_file(), f"README links to missing {link}"
