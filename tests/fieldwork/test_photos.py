"""S14: photos are optional evidence — checked with Pillow, limited by the policy, location removed unless kept
on purpose, never required and never counted."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backend.fieldwork.images import Upload, check, has_location
from backend.fieldwork.models import ContactMonth, VisitImage
from backend.tenancy.models import Policy

from .conftest import data_url, jpeg_with_gps, png, visit_body

pytestmark = pytest.mark.usefixtures("today")


def upload(raw: bytes, name="p.jpg", mime="image/jpeg"):
    return SimpleUploadedFile(name, raw, content_type=mime)


def create_with_photos(cast, pairing, photos, keep=False):
    body = {**visit_body(pairing, dt.date(2018, 5, 8)), "photos": photos, "keep_location": keep}
    return cast.client("first_helper").post("/api/v1/visits/", body, format="multipart")


def test_s14_photo_gps_is_stripped_by_default(cast, pairing):
    assert has_location(jpeg_with_gps())
    r = create_with_photos(cast, pairing, [upload(jpeg_with_gps())])
    assert r.status_code == 201, r.json()
    photo = VisitImage.objects.get(kind="photo")
    assert not has_location(bytes(photo.data)) and photo.keeps_location is False
    with Image.open(io.BytesIO(bytes(photo.data))) as img:
        assert img.format == "JPEG" and img.getexif().get(0x0110) == "TestCam"  # the rest of EXIF stays


def test_s14_helper_may_keep_the_location_on_purpose(cast, pairing):
    raw = jpeg_with_gps()
    assert create_with_photos(cast, pairing, [upload(raw)], keep=True).status_code == 201
    photo = VisitImage.objects.get(kind="photo")
    assert bytes(photo.data) == raw and photo.keeps_location is True


def test_s14_photos_are_never_required_and_never_counted(cast, pairing):
    assert cast.client("first_helper").post("/api/v1/visits/", visit_body(pairing, dt.date(2018, 5, 8)),
                                            format="json").status_code == 201
    create_with_photos(cast, pairing, [upload(jpeg_with_gps()), upload(jpeg_with_gps())])
    assert ContactMonth.objects.get().count == 2  # two visits, whatever the photos


def test_s14_photo_count_and_size_limits_come_from_the_policy(cast, pairing):
    Policy.objects.create(tenant=cast.tenant, photo_max_count=2, photo_max_bytes=4000)
    r = create_with_photos(cast, pairing, [upload(jpeg_with_gps()) for _ in range(3)])
    assert r.status_code == 400 and r.json()["fields"]["photos"] == ["每条记录最多2张照片（已有0张）。"]
    big = io.BytesIO()
    Image.effect_noise((400, 400), 80).convert("RGB").save(big, format="JPEG", quality=95)
    r = create_with_photos(cast, pairing, [upload(jpeg_with_gps()), upload(big.getvalue())])
    assert r.status_code == 400 and r.json()["fields"]["photos"][0].startswith("第2张照片过大")
    assert "不能超过3KB" in r.json()["message"]


def test_s14_a_file_that_is_not_an_image_is_refused_as_a_photo(cast, pairing):
    r = create_with_photos(cast, pairing, [upload(b"MZ\x90\x00 this is an executable", name="x.jpg")])
    assert r.status_code == 400 and r.json()["fields"]["photos"] == ["第1张照片不是有效的图片文件。"]
    truncated = jpeg_with_gps()[:200]
    r = create_with_photos(cast, pairing, [upload(truncated)])
    assert r.status_code == 400 and "不是有效的图片文件" in r.json()["message"]


def test_photos_can_be_added_later_within_the_limit(cast, pairing):
    Policy.objects.create(tenant=cast.tenant, photo_max_count=2)
    vid = create_with_photos(cast, pairing, [upload(jpeg_with_gps())]).json()["id"]
    client = cast.client("first_helper")
    r = client.post(f"/api/v1/visits/{vid}/photos/", {"photos": [data_url(png(), "image/png")]}, format="json")
    assert r.status_code == 201 and [i["kind"] for i in r.json()["images"]].count("photo") == 2
    full = client.post(f"/api/v1/visits/{vid}/photos/", {"photos": [data_url(png())]}, format="json")
    assert full.json()["fields"]["photos"] == ["每条记录最多2张照片（已有2张）。"]
    stranger = cast.client("second_helper").post(f"/api/v1/visits/{vid}/photos/", {"photos": [data_url(png())]},
                                                 format="json")
    assert stranger.status_code == 403


def test_decompression_bombs_are_refused(db):
    huge = io.BytesIO()
    Image.new("1", (20000, 20000)).save(huge, format="PNG")  # 400 megapixels, a few kB compressed
    with pytest.raises(Exception, match="像素数过多"):
        check(Upload(huge.getvalue()), field="photos", label="照片", max_bytes=10**7, formats=["PNG"])
