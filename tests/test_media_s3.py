"""Media on an S3-compatible object store (django-storages), against moto's S3 server.

The server runs in this process on a loopback port (moto's ThreadedMotoServer, a dev
dependency), so the test needs nothing installed on the machine and runs in CI too.
"""

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from portal.settings import s3_media_storage
from tests.factories import make_agreement, make_city, make_staff
from tests.media_files import jpeg, new_document, new_photo, saved

pytestmark = pytest.mark.django_db

BUCKET = "portal-media"
PUBLIC_PHOTOS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/photos/*",
        }
    ],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch, tmp_path):
    """The portal's media on a fresh bucket; what the app would use with PORTAL_S3_* set."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "portal-test",
        "AWS_SECRET_ACCESS_KEY": "portal-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    # As README's deploy notes say: anyone may read photos/, nobody anonymous documents/.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_PHOTOS_POLICY))
    settings.MEDIA_ROOT = tmp_path / "media"
    environ = {"PORTAL_S3_BUCKET": BUCKET, "PORTAL_S3_ENDPOINT_URL": s3_endpoint}
    settings.STORAGES = {**settings.STORAGES, "default": s3_media_storage(environ)}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_photo_renditions_go_to_the_bucket_and_pages_link_to_it(s3, s3_endpoint, client):
    photo = saved(new_photo(make_city("Seattle"), jpeg((2000, 1500), gps=True)))

    assert keys(s3) == {r["name"] for r in photo.renditions}
    head = s3.head_object(Bucket=BUCKET, Key=photo.image.name)
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert head["ContentType"] == "image/jpeg"

    page = client.get("/en/partners/seattle/").content.decode()
    url = f"{s3_endpoint}/{BUCKET}/{photo.image.name}"
    assert f"{url} 1600w" in page
    # Another app server reads the same file from the store.
    with urllib.request.urlopen(url) as response:  # noqa: S310 (a loopback test server)
        stored = response.read()
    assert stored.startswith(b"\xff\xd8") and b"GPS" not in stored


def test_documents_in_the_bucket_are_served_only_through_the_permission_check(
    s3, s3_endpoint, client
):
    document = saved(new_document(make_agreement(make_city("Seattle")), is_public=False))
    assert keys(s3) == {document.file.name}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_endpoint}/{BUCKET}/{document.file.name}")  # noqa: S310
    assert refused.value.code == 403

    assert client.get(document.get_absolute_url()).status_code == 404
    client.force_login(make_staff())
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
