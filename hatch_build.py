"""Build step: compile linkflow's C extension (``linkflow/extract/_lexbor.c``,
``_outline.c`` and ``_regions.c``).

The extension makes extraction faster; linkflow gives the same results without it. So a
build where it cannot be compiled (no C compiler, no Python headers) warns and goes on
with the pure-Python package rather than failing. An editable install compiles it into the
source tree, where the editable package is imported from; a wheel carries it.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EXTENSION = "linkflow.extract._lexbor"
SOURCE = "linkflow/extract/_lexbor.c"
SOURCES = [SOURCE, "linkflow/extract/_outline.c", "linkflow/extract/_regions.c"]
HEADERS = ["linkflow/extract/_lexbor.h"]


class ExtensionBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile :data:`EXTENSION` with setuptools' ``build_ext`` (the platform's compiler
    and flags for Python extensions)."""

    PLUGIN_NAME = "custom"
    _out: Path | None = None  # where a wheel's extension was compiled, until it is packed

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        editable = version == "editable"
        out = root if editable else Path(tempfile.mkdtemp(prefix="linkflow-build-"))
        self._out = None if editable else out
        built = _compile(root, out, inplace=editable)
        if built is None:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if not editable:
            build_data["force_include"][str(built)] = built.relative_to(out).as_posix()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._out is not None:
            shutil.rmtree(self._out, ignore_errors=True)
            self._out = None


def _compile(root: Path, out: Path, *, inplace: bool) -> Path | None:
    """The compiled extension's path, or ``None`` (with a warning) if it cannot be built."""
    try:
        from setuptools import Distribution, Extension
        from setuptools.command.build_ext import build_ext

        extension = Extension(
            EXTENSION, SOURCES, depends=HEADERS, extra_compile_args=["-O2"], libraries=["dl"]
        )
        dist = Distribution({"name": "linkflow", "ext_modules": [extension]})
        dist.script_name = "hatch_build.py"
        dist.src_root = str(root)
        command = build_ext(dist)
        command.inplace = inplace
        command.build_lib = str(out)
        with tempfile.TemporaryDirectory(prefix="linkflow-build-") as objects:
            command.build_temp = objects  # the object files, gone once linked
            command.ensure_finalized()
            command.run()
        return Path(command.get_ext_fullpath(EXTENSION)).resolve()
    except Exception as exc:  # any compiler or setup failure: the pure-Python package
        warnings.warn(
            f"{SOURCE}: not compiled ({exc}); linkflow will extract pages without it "
            "(same results, slower). Install a C compiler and the Python headers, then "
            "install linkflow again, to use it.",
            stacklevel=1,
        )
        return None
