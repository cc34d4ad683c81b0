"""Checking uploaded signatures and photos with Pillow, and stripping location metadata (S14, S15).

A file is accepted only if Pillow decodes it completely, its format is one the policy allows and its size is
within the policy's limit. Photos lose their GPS data unless the helper keeps it on purpose.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, UnidentifiedImageError

from backend.common.errors import ValidationFailed

MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class Upload:
    """Raw bytes as received (a multipart file or a canvas data URL), and whether to keep GPS data."""

    data: bytes
    keep_location: bool = False


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    content_type: str
    size: int
    width: int
    height: int
    sha256: str
    keeps_location: bool


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)}KB"


def check(upload: Upload, *, field: str, label: str, max_bytes: int, formats: list[str]) -> CheckedImage:
    """Return the image ready to store, or raise ValidationFailed naming `field` with a Chinese reason."""
    raw = upload.data
    if not raw:
        raise ValidationFailed.on(field, f"{label}是空文件。")
    if len(raw) > max_bytes:
        raise ValidationFailed.on(field, f"{label}过大（{_mb(len(raw))}），不能超过{_mb(max_bytes)}。")
    fmt, width, height = _decode(raw, field=field, label=label)
    if fmt not in formats:
        allowed = "、".join(formats)
        raise ValidationFailed.on(field, f"{label}的格式是{fmt}，只接受{allowed}格式的图片。")
    data = raw if upload.keep_location else strip_location(raw)
    return CheckedImage(data=data, content_type=MIME_TYPES.get(fmt, f"image/{fmt.lower()}"), size=len(data),
                        width=width, height=height, sha256=hashlib.sha256(data).hexdigest(),
                        keeps_location=upload.keep_location)


def _decode(raw: bytes, *, field: str, label: str) -> tuple[str, int, int]:
    """Verify the container, then decode every pixel (verify() alone misses truncated data)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as img:
                img.verify()
            with Image.open(io.BytesIO(raw)) as img:
                img.load()
                return str(img.format), img.width, img.height
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationFailed.on(field, f"{label}的像素数过多，请缩小后再上传。") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationFailed.on(field, f"{label}不是有效的图片文件。") from None


def has_location(raw: bytes) -> bool:
    with Image.open(io.BytesIO(raw)) as img:
        return ExifTags.IFD.GPSInfo in img.getexif() or _xmp_has_location(img)


def _xmp_has_location(img: Image.Image) -> bool:
    xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp") or b""
    text = xmp.decode("utf-8", "ignore") if isinstance(xmp, bytes) else str(xmp)
    return "GPS" in text


def strip_location(raw: bytes) -> bytes:
    """Drop the EXIF GPS block and any XMP packet (which can repeat it); keep the rest of EXIF
    (orientation, time taken). Unchanged bytes when there is nothing to strip."""
    with Image.open(io.BytesIO(raw)) as img:
        exif = img.getexif()
        if ExifTags.IFD.GPSInfo not in exif and not _xmp_has_location(img):
            return raw
        exif.pop(ExifTags.IFD.GPSInfo, None)
        fmt = img.format
        params: dict = {"exif": exif.tobytes()}
        if img.info.get("icc_profile"):
            params["icc_profile"] = img.info["icc_profile"]
        if fmt == "JPEG":
            params["quality"] = "keep"  # same quantisation tables: barely any re-compression loss
        elif fmt == "WEBP":
            params.update(lossless=bool(img.info.get("lossless")), quality=90)
        out = io.BytesIO()
        img.save(out, format=fmt, **params)
        return out.getvalue()
