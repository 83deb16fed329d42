"""The public API as a user's type checker sees it, and as it runs."""

from __future__ import annotations

import ast
import importlib
import textwrap
from pathlib import Path

from mypy import api

import linkflow

INIT = Path(linkflow.__file__)


def _type_checking_imports() -> dict[str, str]:
    """``name -> module`` of the imports in ``linkflow/__init__.py``'s TYPE_CHECKING block."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                assert imp.module
                for alias in imp.names:
                    assert alias.asname == alias.name, "re-export as `import X as X`"
                    found[alias.name] = imp.module
    return found


def test_type_checkers_see_every_exported_name_from_the_module_that_runs() -> None:
    exports = linkflow._EXPORTS
    assert _type_checking_imports() == exports
    for name, module in exports.items():
        assert getattr(linkflow, name) is getattr(importlib.import_module(module), name)


def test_a_users_script_is_type_checked_against_the_real_classes(tmp_path: Path) -> None:
    script = tmp_path / "user_script.py"
    script.write_text(
        textwrap.dedent(
            """
            from linkflow import Audit, CrawlSummary

            with Audit("site-audit") as audit:
                reveal_type(audit)
                summary: CrawlSummary = audit.crawl("https://example.com").state.crawls[-1]
                reveal_type(summary.pages)
            Audit(1, 2, 3)
            """
        ),
        encoding="utf-8",
    )
    out, err, status = api.run(
        [str(script), "--strict", "--cache-dir", str(tmp_path / "cache"), "--follow-imports=silent"]
    )
    assert 'Revealed type is "linkflow.audit.Audit"' in out, out + err
    assert 'Revealed type is "int"' in out, out
    # The misuse on the last line is caught (it would pass silently were Audit typed Any).
    assert 'Too many positional arguments for "Audit"' in out, out
    assert status == 1
    assert out.count("error:") == 4, out  # the misuse's four errors, and nothing else


def test_an_audit_given_its_store_file_names_the_folder_to_give(tmp_path: Path) -> None:
    from linkflow import Audit
    from linkflow.errors import ConfigError

    folder = tmp_path / "site-audit"
    with Audit(folder) as audit:
        assert audit.store.latest_crawl_id() is None  # audit.duckdb now exists
    try:
        Audit(folder / "audit.duckdb")
    except ConfigError as exc:
        message = str(exc)
    else:
        raise AssertionError("a file given as the audit folder was accepted")
    assert message == (
        f"{folder / 'audit.duckdb'} is a file; an audit is opened by its folder, the one that "
        f"holds audit.duckdb: Audit({str(folder)!r})"
    )
    with Audit(folder, create=False) as audit:  # the folder itself still opens
        assert audit.store.latest_crawl_id() is None  # opened, nothing crawled
