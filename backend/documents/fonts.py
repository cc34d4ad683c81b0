"""Chinese fonts for every PDF, from the pinned `pylopdf-fonts-zh-cn` package (Noto Sans SC, Noto Serif SC).

The fonts are registered with @font-face from the installed package (importlib.resources), so a fresh machine
with no CJK font renders the same glyphs; the fallback names after them only matter for a character the
Noto fonts lack, which the render logs as a `.notdef` warning.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
from importlib import resources
from pathlib import Path

PACKAGE = "pylopdf_fonts_zh_cn"
SANS = "Bangfu Sans SC"
SERIF = "Bangfu Serif SC"
FILES = {SANS: "NotoSansSC-Regular.otf", SERIF: "NotoSerifSC-Regular.otf"}
# Explicit CJK fallbacks, then the generic family, in the order a county office PC would offer them.
CJK_FALLBACK = ('"Noto Sans CJK SC"', '"Source Han Sans SC"', '"Microsoft YaHei"', '"PingFang SC"',
                '"WenQuanYi Micro Hei"', '"SimSun"')

_files = contextlib.ExitStack()
atexit.register(_files.close)


@functools.cache
def font_path(family: str) -> Path:
    """A real file for the font (the package ships plain files; as_file copies only from a zip)."""
    return _files.enter_context(resources.as_file(resources.files(PACKAGE).joinpath(FILES[family])))


def allowed_paths() -> frozenset[str]:
    return frozenset(str(font_path(f)) for f in FILES)


def stack(family: str) -> str:
    generic = "serif" if family == SERIF else "sans-serif"
    return ", ".join((f'"{family}"', *CJK_FALLBACK, generic))


@functools.cache
def font_face_css() -> str:
    """@font-face rules, regular weight only (the package has no bold): templates set no bold, because a
    synthetic bold would embed each font a second time."""
    return "\n".join(f'@font-face {{ font-family: "{family}"; src: url("{font_path(family).as_uri()}"); }}'
                     for family in FILES)
