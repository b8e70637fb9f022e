"""Where uploads and rendered PDFs are kept: a folder in the demo, an S3 bucket when shared.

With NIM_S3_BUCKET set, every web and worker node reads and writes the same S3-compatible
object store (MinIO in docker-compose.yml), so a PDF rendered by one worker is served by any
web node. Objects stay private: the portal streams them through its audited download views and
never links to the store, so no signed or public URL leaves the portal.

Production does not insist on the bucket: a single host whose web and worker containers mount
one volume as MEDIA_ROOT still works; more than one host needs the bucket.
"""

from .env import PRODUCTION, env_str

FILE_SYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
DOWNLOAD_MEMORY_BYTES = 8 * 1024 * 1024


def stored_files_storage() -> dict:
    """The "default" storage read from the environment: S3 when NIM_S3_BUCKET names a bucket."""
    bucket = env_str("NIM_S3_BUCKET").strip()
    if not bucket:
        return {"BACKEND": FILE_SYSTEM_BACKEND}
    endpoint_url = env_str("NIM_S3_ENDPOINT_URL").strip() or None
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": env_str("NIM_S3_REGION").strip() or None,
            # Without keys boto3 looks further (instance role, AWS_* variables).
            "access_key": env_str("NIM_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("NIM_S3_SECRET_ACCESS_KEY") or None,
            # Self-hosted stores such as MinIO answer on one host name, not one per bucket.
            "addressing_style": "path" if endpoint_url else None,
            "default_acl": "private",
            "querystring_auth": True,
            # A second file of the same name gets a new name instead of replacing a delivered one.
            "file_overwrite": False,
            # A download is fetched before it is streamed: past this size into a temporary file,
            # so that a large attachment does not sit in the web process's memory.
            "max_memory_size": DOWNLOAD_MEMORY_BYTES,
        },
    }


STORAGES = {
    "default": stored_files_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

__all__ = ["STORAGES"]
