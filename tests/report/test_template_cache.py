"""Compiled templates are kept between runs, and the cache never changes or fails a report."""

from __future__ import annotations

import os
import re
from pathlib import Path

import jinja2
import pytest

from linkflow.report import html as report_html
from linkflow.report import write_report
from linkflow.settings import ReportSettings
from linkflow.store import Store
from tests.report.conftest import Audit

TEMPLATES = sorted(
    p.name for p in (Path(report_html.__file__).parent / "templates").glob("*.html.j2")
)


_NEW_ENVIRONMENT = report_html._environment.__wrapped__


def _environment(cache: jinja2.BytecodeCache | None) -> jinja2.Environment:
    """A fresh environment like the report's own, with ``cache`` as its bytecode cache."""
    env = _NEW_ENVIRONMENT()
    env.bytecode_cache = cache
    return env


def _report(audit: Audit, out: Path, env: jinja2.Environment, mp: pytest.MonkeyPatch) -> str:
    mp.setattr(report_html, "_environment", lambda: env)
    with Store.open(audit.path) as store:
        path = write_report(store, audit.crawl_id, out, ReportSettings(exports=False))
    # the minute the report was written is the one thing allowed to differ
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "TIME", path.read_text("utf-8"))


def test_compiled_templates_are_kept_and_used_again(
    audit: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    cold = _report(
        audit, tmp_path / "cold", _environment(report_html._BytecodeCache(str(folder))), monkeypatch
    )
    assert len(list(folder.iterdir())) == len(TEMPLATES)  # one entry per template

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled again")

    warm_env = _environment(report_html._BytecodeCache(str(folder)))
    monkeypatch.setattr(warm_env, "compile", no_compiling)
    warm = _report(audit, tmp_path / "warm", warm_env, monkeypatch)
    assert warm == cold
    assert "TIME" in cold


def test_a_broken_or_unusable_cache_never_fails_the_report(
    audit: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _report(audit, tmp_path / "plain", _environment(None), monkeypatch)
    folder = tmp_path / "cache"
    folder.mkdir()
    _report(
        audit, tmp_path / "fill", _environment(report_html._BytecodeCache(str(folder))), monkeypatch
    )
    for entry in folder.iterdir():  # every entry damaged: compiled again, same page
        entry.write_bytes(b"not a compiled template")

    def cached_in(cache: Path, out: str) -> str:
        env = _environment(report_html._BytecodeCache(str(cache)))
        return _report(audit, tmp_path / out, env, monkeypatch)

    assert cached_in(folder, "damaged") == plain
    a_file = tmp_path / "a-file"
    a_file.write_text("x")  # the cache "folder" is a file: nothing can be read or written
    assert cached_in(a_file, "unusable") == plain


def test_no_cache_when_the_private_folder_is_unsafe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # a link where the private folder should be: anyone could have placed it there
    (tmp_path / f"_jinja2-cache-{os.getuid()}").symlink_to(elsewhere)
    assert report_html._bytecode_cache() is None
    (tmp_path / f"_jinja2-cache-{os.getuid()}").unlink()
    cache = report_html._bytecode_cache()
    assert isinstance(cache, jinja2.FileSystemBytecodeCache)
    assert Path(cache.directory) == tmp_path / f"_jinja2-cache-{os.getuid()}"
