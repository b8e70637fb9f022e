"""Where stored files go: the MEDIA_ROOT folder by default, a shared S3 bucket when one is named."""

import pytest
from django.utils.module_loading import import_string
from storages.backends.s3 import S3Storage

from nim_portal.settings.storage import (
    FILE_SYSTEM_BACKEND,
    S3_BACKEND,
    stored_files_storage,
)

S3_VARIABLES = [
    "NIM_S3_BUCKET",
    "NIM_S3_ENDPOINT_URL",
    "NIM_S3_REGION",
    "NIM_S3_ACCESS_KEY_ID",
    "NIM_S3_SECRET_ACCESS_KEY",
]


@pytest.fixture
def no_bucket(monkeypatch):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_a_bucket_files_stay_under_media_root(no_bucket):
    assert stored_files_storage() == {"BACKEND": FILE_SYSTEM_BACKEND}


def test_a_blank_bucket_is_no_bucket(no_bucket):
    no_bucket.setenv("NIM_S3_BUCKET", "  ")

    assert stored_files_storage() == {"BACKEND": FILE_SYSTEM_BACKEND}


def test_a_named_bucket_makes_the_store_s3_private_and_never_overwritten(no_bucket):
    no_bucket.setenv("NIM_S3_BUCKET", "nim-portal")
    no_bucket.setenv("NIM_S3_ENDPOINT_URL", "http://minio:9000")
    no_bucket.setenv("NIM_S3_REGION", "us-east-1")
    no_bucket.setenv("NIM_S3_ACCESS_KEY_ID", "portal")
    no_bucket.setenv("NIM_S3_SECRET_ACCESS_KEY", "portal-secret")

    storage = stored_files_storage()

    assert storage["BACKEND"] == S3_BACKEND
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "nim-portal"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["region_name"] == "us-east-1"
    assert (options["access_key"], options["secret_key"]) == ("portal", "portal-secret")
    assert options["addressing_style"] == "path"
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
    # django-storages refuses an option it does not know; making one needs no network.
    made = import_string(storage["BACKEND"])(**options)
    assert isinstance(made, S3Storage)
    assert made.bucket_name == "nim-portal"


def test_amazon_s3_needs_no_endpoint_and_may_use_the_hosts_credentials(no_bucket):
    no_bucket.setenv("NIM_S3_BUCKET", "nim-portal")

    options = stored_files_storage()["OPTIONS"]

    assert options["endpoint_url"] is None
    assert options["addressing_style"] is None
    assert (options["access_key"], options["secret_key"]) == (None, None)
