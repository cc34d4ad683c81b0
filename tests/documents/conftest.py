"""PDF checks with poppler (real text extraction, real font listing) and page-1 images kept as artifacts."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PAIRED_ON
from workflows.pairings import services as pairing_services

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "documents"
CJK_FONT = re.compile(r"^\S*(Bangfu-(Sans|Serif)-SC)\s+CID Type 0C.*\byes\s+yes\s+yes\b", re.M)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install poppler-utils (deploy/apt-packages.txt)")
    return path


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run([_tool("pdftotext"), "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_fonts(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run([_tool("pdffonts"), str(path)], check=True, capture_output=True, text=True).stdout


def pdf_images(content: bytes, tmp_path: Path) -> list[int]:
    """The page number of every image placed in the PDF (pdfimages -list)."""
    path = tmp_path / "images.pdf"
    path.write_bytes(content)
    listing = subprocess.run([_tool("pdfimages"), "-list", str(path)], check=True, capture_output=True,
                             text=True).stdout
    return [int(line.split()[0]) for line in listing.splitlines()[2:] if line.strip()]


def keep_first_page(content: bytes, name: str, dpi: int = 80) -> Path:
    """Page 1 as PNG under artifacts/documents/ (gitignored), for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(content)
    subprocess.run([_tool("pdftoppm"), "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(ARTIFACTS / name)], check=True)
    return ARTIFACTS / f"{name}.png"


def squeeze(text: str) -> str:
    """pdftotext spreads table cells with spaces and breaks wrapped cells; compare without whitespace."""
    return re.sub(r"\s+", "", text)


def assert_good_pdf(rendered, tmp_path: Path, name: str, expected: list[str]) -> str:
    """The checks every document passes: expected Chinese text, an embedded CJK font, no .notdef glyph,
    page 1 kept as an image."""
    assert rendered.content.startswith(b"%PDF-")
    assert not [w for w in rendered.warnings if ".notdef" in w], rendered.warnings[:5]
    text = pdf_text(rendered.content, tmp_path)
    flat = squeeze(text)
    missing = [e for e in expected if squeeze(e) not in flat]
    if missing:
        keep_first_page(rendered.content, f"{name}-failed")
    assert not missing, f"not in the PDF text: {missing}"
    fonts = pdf_fonts(rendered.content, tmp_path)
    assert CJK_FONT.search(fonts), fonts
    # Every embedded font is one of ours: nothing came from fonts installed on the machine.
    embedded = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert embedded and all(re.match(r"^[A-Z]{6}\+Bangfu-(Sans|Serif)-SC$", name) for name in embedded), fonts
    image = keep_first_page(rendered.content, name)
    assert image.stat().st_size > 5000
    return text


@pytest.fixture
def committed(django_capture_on_commit_callbacks, enqueued):
    """Call something and run its after-commit work (the test's transaction never commits); the jobs it asks
    for land in `enqueued`."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def paired(cast):
    pairing = pairing_services.assign(actor=cast.actor("town_office"), household=cast.household,
                                      first_helper=cast.first_helper, second_helper=cast.second_helper, on=PAIRED_ON)
    pairing_services.activate(actor=cast.actor("town_office"), pairing=pairing, met_on=dt.date(2018, 3, 22))
    return pairing
