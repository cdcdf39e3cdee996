"""Photo evidence through the app: uploading (pages and API), removing, serving."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from PIL import Image

from service.app import create_app
from service.collection import queries
from service.collection.tables import Evidence
from service.scoring.engine import score
from service.settings import Settings
from tests.collection.factories import draft, stored_form
from tests.collection.test_photos import encoded, jpeg_with_exif
from tests.conftest import FORMS_DIR
from tests.factories import csrf_token, form_data, in_database, make_user, sign_in, two_enterprises

PHOTO_LIMIT = 512 * 1024  # "0.5 MB" in the messages
FORM = form_data(
    id="photo-test",
    sections=[
        {
            "id": "first",
            "title": "第一部分",
            "points": 10,
            "items": [
                {"id": "a", "type": "check", "label": "甲", "points": 4, "evidence_on_fail": True},
                {"id": "b", "type": "check", "label": "乙", "points": 6},
                {"id": "p", "type": "photo", "label": "现场照片", "max_count": 2},
            ],
        },
        {
            "id": "second",
            "title": "第二部分",
            "points": 10,
            "items": [{"id": "c", "type": "check", "label": "丙", "points": 10}],
        },
    ],
)


class World:
    def __init__(self, database_url: str, media: Path) -> None:
        self.database_url = database_url
        self.media = media
        self.places = in_database(database_url, two_enterprises)
        self.author = make_user(
            database_url, "author", "enterprise", enterprise_id=self.places["own"]
        )
        make_user(database_url, "stranger", "enterprise", enterprise_id=self.places["other"])
        make_user(database_url, "townadmin", "admin", town_id=self.places["town"])
        self.submission_id = in_database(database_url, self._draft)

    async def _draft(self) -> uuid.UUID:
        form_version_id, _ = await stored_form(FORM)
        new = draft(form_version_id, self.author, enterprise_id=self.places["own"])
        assert await queries.start_draft(new)
        return new.id

    def settings(self) -> Settings:
        return Settings(
            database_url=self.database_url,
            forms_dir=FORMS_DIR,
            media_dir=self.media,
            photo_max_bytes=PHOTO_LIMIT,
        )

    def rows(self) -> list[dict]:
        async def work() -> list[dict]:
            return await Evidence.select().where(Evidence.submission == self.submission_id)

        return in_database(self.database_url, work)

    def answers(self) -> dict:
        async def work() -> dict:
            return (await queries.find(self.submission_id))["answers"]

        return in_database(self.database_url, work)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> World:
    return World(database_url, tmp_path / "media")


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    """One app (its tables are bound to one engine at a time): people take turns."""
    with TestClient(create_app(world.settings())) as client:
        yield client


def signed_in(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    assert sign_in(client, username).status_code == 303
    return client


@pytest.fixture
def author(client: TestClient) -> TestClient:
    return signed_in(client, "author")


def upload(
    client: TestClient,
    world: World,
    *files: tuple[str, bytes, str],
    item: str = "p",
    htmx: bool = False,
):
    token = csrf_token(client, "/account")
    headers = {"HX-Request": "true", "x-csrftoken": token} if htmx else {}
    return client.post(
        f"/submissions/{world.submission_id}/items/{item}/photos",
        data={"_csrf_token": token},
        files=[("photo", file) for file in files],
        headers=headers,
        follow_redirects=False,
    )


def remove(client: TestClient, world: World, evidence_id: object, htmx: bool = False):
    token = csrf_token(client, "/account")
    return client.post(
        f"/submissions/{world.submission_id}/photos/{evidence_id}/remove",
        data={"_csrf_token": token},
        headers={"HX-Request": "true", "x-csrftoken": token} if htmx else {},
        follow_redirects=False,
    )


def api_token(client: TestClient) -> dict[str, str]:
    page = client.post(
        "/account/tokens", data={"name": "phone", "_csrf_token": csrf_token(client, "/account")}
    )
    token = page.text.split('<code class="token">')[1].split("</code>")[0]
    return {"Authorization": f"Bearer {token}"}


def api_upload(client: TestClient, headers: dict, submission_id: object, content: bytes, item="p"):
    return client.post(
        f"/api/v1/submissions/{submission_id}/evidence?item={item}",
        files={"photo": ("IMG_0001.JPG", content, "image/jpeg")},
        headers=headers,
    )


PHOTO = ("IMG_0001.JPG", jpeg_with_exif((2400, 1200)), "image/jpeg")


def test_without_javascript_an_upload_redirects_to_the_item(world: World, author: TestClient):
    response = upload(author, world, PHOTO)
    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/submissions/{world.submission_id}?section=first#item-p"
    )
    [row] = world.rows()
    assert world.answers() == {"p": [str(row["id"])]}
    # Stored: turned upright, at most 1600 px, no EXIF (no GPS), a thumbnail.
    assert (row["width"], row["height"]) == (800, 1600)
    image = author.get(f"/evidence/{row['id']}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    # Asked again each time (a shared phone), answered 304 while still allowed, not gzipped.
    assert image.headers["cache-control"] == "private, no-cache"
    assert "content-encoding" not in image.headers
    again = author.get(f"/evidence/{row['id']}", headers={"If-None-Match": image.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    stored = Image.open(io.BytesIO(image.content))
    assert stored.size == (800, 1600) and not stored.getexif()
    assert b"Exif" not in image.content and row["size"] == len(image.content)
    thumbnail = Image.open(io.BytesIO(author.get(f"/evidence/{row['id']}/thumbnail").content))
    assert max(thumbnail.size) == 320
    files = sorted(p.name for p in world.media.rglob("*.jpg"))
    assert files == [f"{row['sha256']}-thumb.jpg", f"{row['sha256']}.jpg"]


def test_the_same_photo_sent_again_is_stored_once(world: World, author: TestClient):
    assert upload(author, world, PHOTO).status_code == 303
    assert upload(author, world, PHOTO, PHOTO).status_code == 303  # a retry, chosen twice
    [row] = world.rows()
    assert world.answers() == {"p": [str(row["id"])]}
    assert len(list(world.media.rglob("*.jpg"))) == 2


def test_htmx_gets_the_item_photos(world: World, author: TestClient):
    response = upload(author, world, PHOTO, ("b.png", encoded("PNG"), "image/png"), htmx=True)
    assert response.status_code == 200
    ids = [str(row["id"]) for row in world.rows()]
    assert len(ids) == 2
    assert 'id="photos-p"' in response.text
    for evidence_id in ids:
        assert f'src="/evidence/{evidence_id}/thumbnail"' in response.text
        assert f'id="remove-{evidence_id}"' in response.text  # its form, out of band
    assert 'capture="environment"' in response.text and 'name="photo"' in response.text


def test_the_type_is_decided_by_the_bytes_not_the_name(world: World, author: TestClient):
    text = ("photo.jpg", b"not a photo at all\n" * 10, "image/jpeg")
    page = upload(author, world, text)
    assert page.status_code == 415
    assert "只能上传照片" in page.text
    partial = upload(author, world, text, htmx=True)
    assert partial.status_code == 415
    assert 'id="photos-p"' in partial.text and "只能上传照片" in partial.text
    broken = jpeg_with_exif((800, 600))
    truncated = upload(author, world, ("cut.jpg", broken[: len(broken) // 2], "image/jpeg"))
    assert truncated.status_code == 415 and "无法读取" in truncated.text
    assert world.rows() == []
    # A real PNG named like a text file is a photo.
    assert upload(author, world, ("notes.txt", encoded("PNG"), "text/plain")).status_code == 303
    assert len(world.rows()) == 1


def test_a_bad_file_among_good_ones_stores_none(world: World, author: TestClient):
    response = upload(
        author, world, PHOTO, ("x.jpg", b"\xff\xd8\xff" + b"\x00" * 100, "image/jpeg")
    )
    assert response.status_code == 415
    assert world.rows() == [] and not world.media.exists()


def test_an_oversized_photo_is_refused_with_413(world: World, author: TestClient):
    big = ("big.jpg", b"\xff\xd8\xff" + os.urandom(PHOTO_LIMIT + 1000), "image/jpeg")
    page = upload(author, world, big)  # one file over the limit
    assert page.status_code == 413
    assert "照片过大" in page.text and "0.5 MB" in page.text
    partial = upload(author, world, big, htmx=True)
    assert partial.status_code == 413
    assert 'id="photos-p"' in partial.text and "0.5 MB" in partial.text
    huge = ("huge.jpg", b"\xff\xd8\xff" + os.urandom(6 * PHOTO_LIMIT), "image/jpeg")
    whole = upload(author, world, huge, htmx=True)  # the request is over before it is read
    assert whole.status_code == 413 and "0.5 MB" in whole.text
    whole_page = upload(author, world, huge)
    assert whole_page.status_code == 413 and "照片过大" in whole_page.text
    assert world.rows() == []


def test_a_photo_item_takes_at_most_max_count(world: World, author: TestClient):
    first, second = encoded("PNG", (10, 10)), encoded("PNG", (20, 10))
    third = encoded("PNG", (30, 10))
    assert upload(author, world, ("1.png", first, "image/png")).status_code == 303
    assert upload(author, world, ("2.png", second, "image/png")).status_code == 303
    refused = upload(author, world, ("3.png", third, "image/png"), htmx=True)
    assert refused.status_code == 409 and "该项的照片已达上限" in refused.text
    assert len(world.rows()) == 2
    # The same photo again is not one more.
    assert upload(author, world, ("1.png", first, "image/png")).status_code == 303


def test_removing_keeps_the_file_and_sending_it_again_brings_it_back(
    world: World, author: TestClient
):
    upload(author, world, PHOTO)
    [row] = world.rows()
    response = remove(author, world, row["id"])
    assert response.status_code == 303
    assert response.headers["location"].endswith("?section=first#item-p")
    [removed] = world.rows()
    assert removed["removed"] and world.answers() == {"p": []}
    assert author.get(f"/evidence/{row['id']}").status_code == 200  # the file is kept
    partial = upload(author, world, PHOTO, htmx=True)
    assert partial.status_code == 200
    [back] = world.rows()
    assert back["id"] == row["id"] and not back["removed"]
    assert world.answers() == {"p": [str(row["id"])]}
    htmx_removed = remove(author, world, row["id"], htmx=True)
    assert htmx_removed.status_code == 200 and "/thumbnail" not in htmx_removed.text


def test_check_item_photos_are_evidence_not_answers(world: World, author: TestClient):
    response = upload(author, world, PHOTO, item="a")
    assert response.headers["location"].endswith("#item-a")
    [row] = world.rows()
    assert row["item"] == "a" and world.answers() == {}
    assert upload(author, world, PHOTO, item="zz").status_code == 400  # no such item


def test_another_enterprise_sees_no_photo(world: World, author: TestClient):
    upload(author, world, PHOTO)
    [row] = world.rows()
    stranger = signed_in(author, "stranger")
    assert stranger.get(f"/evidence/{row['id']}").status_code == 404
    assert stranger.get(f"/evidence/{row['id']}/thumbnail").status_code == 404
    assert upload(stranger, world, PHOTO).status_code == 404
    assert remove(stranger, world, row["id"]).status_code == 404
    assert not world.rows()[0]["removed"]
    admin = signed_in(author, "townadmin")  # the town's union staff see it
    assert admin.get(f"/evidence/{row['id']}").status_code == 200
    assert upload(admin, world, PHOTO).status_code == 403  # but the draft is not theirs


def test_a_submitted_submission_takes_no_more_photos(world: World, author: TestClient):
    async def submit() -> None:
        row = await queries.find(world.submission_id)
        answers = {"a": "yes", "b": "yes", "c": "yes"}
        definition = await stored_form(FORM)
        assert await queries.submit(row, answers, score(definition[1], answers), world.author)

    in_database(world.database_url, submit)
    response = upload(author, world, PHOTO)
    assert response.status_code == 409 and "需先发起更正" in response.text


def test_api_upload_is_idempotent(world: World, author: TestClient):
    headers = api_token(author)
    first = api_upload(author, headers, world.submission_id, PHOTO[1])
    assert first.status_code == 201
    body = first.json()
    assert set(body) == {"id", "item", "width", "height", "size", "sha256"}
    assert (body["item"], body["width"], body["height"]) == ("p", 800, 1600)  # upright
    again = api_upload(author, headers, world.submission_id, PHOTO[1])
    assert again.status_code == 200 and again.json() == body
    assert len(world.rows()) == 1


def test_api_upload_before_the_submission_exists(world: World, author: TestClient):
    pending = uuid.uuid4()
    headers = api_token(author)
    created = api_upload(author, headers, pending, encoded("WEBP"), item="anything")
    assert created.status_code == 201
    evidence_id = created.json()["id"]
    assert author.get(f"/evidence/{evidence_id}").status_code == 200  # its uploader
    stranger = signed_in(author, "stranger")
    assert stranger.get(f"/evidence/{evidence_id}").status_code == 404
    refused = api_upload(stranger, api_token(stranger), pending, encoded("PNG"), item="x")
    assert refused.status_code == 404


def test_api_problems(world: World, author: TestClient):
    headers = api_token(author)
    text = api_upload(author, headers, world.submission_id, b"plain text")
    assert text.status_code == 415 and text.json()["code"] == "evidence.unsupported_type"
    big = b"\xff\xd8\xff" + os.urandom(PHOTO_LIMIT + 10)
    too_large = api_upload(author, headers, world.submission_id, big)
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "evidence.too_large"
    assert "0.5 MB" in too_large.json()["detail"]
    no_item = api_upload(author, headers, world.submission_id, PHOTO[1], item="zz")
    assert no_item.status_code == 400 and no_item.json()["code"] == "evidence.item_invalid"
    stranger = signed_in(author, "stranger")
    other = api_upload(stranger, api_token(stranger), world.submission_id, PHOTO[1])
    assert other.status_code == 404
    schema = author.get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/v1/submissions/{submission_id}/evidence"]["post"]
    assert {"200", "201", "413", "415"} <= set(operation["responses"])


def test_pending_photos_of_one_account_are_capped_over_every_submission_id(
    world: World, author: TestClient, monkeypatch
):
    """Photos for submissions not posted yet (offline sync uploads them first) are
    allowed, but not without end: a cap per account over every id and item."""
    from service.collection import evidence_routes

    monkeypatch.setattr(evidence_routes, "PENDING_PER_ACCOUNT", 3)
    headers = api_token(author)
    photos = [encoded("PNG", (64 + n, 48)) for n in range(4)]
    ids = [uuid.uuid4() for _ in photos]
    for n in range(3):
        assert api_upload(author, headers, ids[n], photos[n], item=f"i{n}").status_code == 201
    refused = api_upload(author, headers, ids[3], photos[3], item="i3")
    assert refused.status_code == 409
    assert refused.json()["code"] == "evidence.too_many_pending"
    assert "3" in refused.json()["detail"]
    # A retry of a stored photo is still answered, and a draft that exists still takes photos.
    assert api_upload(author, headers, ids[0], photos[0], item="i0").status_code == 200
    assert api_upload(author, headers, world.submission_id, PHOTO[1]).status_code == 201
    # The cap is the uploader's own: another account still uploads.
    stranger = signed_in(author, "stranger")
    other = api_upload(stranger, api_token(stranger), uuid.uuid4(), photos[3], item="x")
    assert other.status_code == 201
    schema = stranger.get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/v1/submissions/{submission_id}/evidence"]["post"]
    assert "200 photos" in operation["description"]
