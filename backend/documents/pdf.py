"""HTML → PDF with WeasyPrint: our fonts only, no network or file access, warnings kept for the job."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from . import fonts

_local = threading.local()


class DocumentFetcher(URLFetcher):
    """Serves `data:` URLs (QR codes) and the bundled font files; refuses everything else, so a value that
    slipped into a template can never make the renderer read a file or call the network."""

    def __init__(self):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self._fonts = fonts.allowed_paths()

    def fetch(self, url, headers=None):
        if url.startswith("file:") and url2pathname(urlsplit(url).path) not in self._fonts:
            raise ValueError(f"refused: {url[:80]}")
        return super().fetch(url, headers)


def _font_config() -> FontConfiguration:
    # One per thread: fonts are copied and scanned by fontconfig once, not on every render.
    config = getattr(_local, "fonts", None)
    if config is None:
        config = _local.fonts = FontConfiguration()
    return config


@dataclass
class PdfResult:
    content: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _Collect(logging.Handler):
    """WeasyPrint's warnings (a `.notdef` glyph means a character printed as a box) and page progress."""

    def __init__(self, on_page: Callable[[int], None] | None):
        super().__init__(logging.INFO)
        self.thread = threading.get_ident()
        self.warnings: list[str] = []
        self.on_page = on_page

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        if record.name == "weasyprint.progress":
            if self.on_page and record.msg.startswith("Step 5 - Creating layout - Page"):
                self.on_page(int(record.args[0]))
        elif record.levelno >= logging.WARNING:
            self.warnings.append(record.getMessage())


@contextlib.contextmanager
def _collecting(on_page) -> Iterator[_Collect]:
    handler = _Collect(on_page)
    main, progress = logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")
    saved = progress.level, progress.propagate
    # Page events go to our handler only, not up to the console.
    progress.setLevel(logging.INFO)
    progress.propagate = False
    main.addHandler(handler)
    progress.addHandler(handler)
    try:
        yield handler
    finally:
        main.removeHandler(handler)
        progress.removeHandler(handler)
        progress.level, progress.propagate = saved


def html_to_pdf(html: str, *, on_page: Callable[[int], None] | None = None) -> PdfResult:
    started = time.perf_counter()
    with _collecting(on_page) as collected:
        fetcher = DocumentFetcher()
        document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(font_config=_font_config())
        content = document.write_pdf()
    return PdfResult(content=content, pages=len(document.pages), warnings=collected.warnings,
                     seconds=time.perf_counter() - started)
