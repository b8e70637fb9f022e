"""Issue 11, acceptance 6: web and worker nodes share no disk, only an S3-compatible object store.

moto's S3 runs as a server of the test's own on 127.0.0.1. A `celery worker` process runs the job
that approval wrote (nim_portal.jobs) and renders the release into its bucket; a separate web
process (gunicorn) then serves the partner's download from the bucket over HTTP, audited, and
neither process writes anything under MEDIA_ROOT.
"""

import hashlib
import re
import sys

import boto3
import pytest
import requests
from botocore.exceptions import EndpointConnectionError
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from nim_portal.choices import AuditVerb
from nim_portal.models import AuditEvent, Job, JobState
from partners.choices import DocumentStatus
from partners.models import ReleaseCopy
from partners.services import RELEASE_DOCUMENT_JOB, release_approve
from tests.factories import TEST_PASSWORD
from tests.integration.conftest import (
    SERVICES_TEST,
    ChildProcess,
    broker_at,
    child_environment,
    emptied_redis_db,
    free_port,
    wait_for,
    wait_until_available,
)
from tests.partners.conftest import prepare, published_assessment

pytestmark = SERVICES_TEST

WAIT_SECONDS = 90
BUCKET = "nim-portal-test"
# A Redis database of this test's own, so that its worker takes no other test's tasks.
SHARED_STORAGE_REDIS_DB = 14
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def own_redis_db():
    with emptied_redis_db(SHARED_STORAGE_REDIS_DB) as (url, _client):
        yield url


@pytest.fixture
def object_store(tmp_path):
    """moto's S3 server on a free port of 127.0.0.1 with an empty bucket: the NIM_S3_* variables
    that point the portal at it, and a boto3 client. Stopped at teardown."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = ChildProcess(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        log_path=tmp_path / "moto-s3.log",
    )
    credentials = {"aws_access_key_id": "portal", "aws_secret_access_key": "portal-secret"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)

    def answers():
        try:
            return client.list_buckets() is not None
        except EndpointConnectionError:
            return False

    try:
        wait_for(answers, seconds=30, interval=0.2, what="moto's S3 server answers", log=server)
        client.create_bucket(Bucket=BUCKET)
        environment = {
            "NIM_S3_BUCKET": BUCKET,
            "NIM_S3_ENDPOINT_URL": endpoint,
            "NIM_S3_REGION": "us-east-1",
            "NIM_S3_ACCESS_KEY_ID": credentials["aws_access_key_id"],
            "NIM_S3_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
        }
        yield environment, client
    finally:
        client.close()
        server.stop()


@pytest.fixture
def web_process(tmp_path, settings):
    """Start one gunicorn serving the portal on a free port: `start(broker_url, environment)`
    gives its base URL once it answers. Stopped at teardown."""
    started: list[ChildProcess] = []

    def start(broker_url: str, environment: dict) -> tuple[str, ChildProcess]:
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "nim_portal.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--access-logfile=-",
        ]
        env = child_environment(
            broker_url,
            settings,
            {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", **environment},
        )
        web = ChildProcess(command, log_path=tmp_path / "gunicorn.log", env=env)
        started.append(web)
        base_url = f"http://127.0.0.1:{port}"

        def answers():
            # The first request loads the portal, which takes seconds on a busy machine.
            try:
                return requests.get(f"{base_url}{reverse('login')}", timeout=30).ok
            except requests.ConnectionError:
                return False

        wait_for(answers, seconds=60, interval=0.2, what="gunicorn answers", log=web)
        return base_url, web

    try:
        yield start
    finally:
        for web in started:
            web.stop()


def csrf_token(response: requests.Response) -> str:
    match = CSRF_FIELD.search(response.text)
    assert match, f"no CSRF token on {response.url}"
    return match.group(1)


def web_password(user) -> None:
    """TEST_PASSWORD hashed with the portal's own hasher: the suite's fast one is unknown to the
    web process."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(TEST_PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


def partner_downloads(base_url: str, user, release) -> requests.Response:
    """Sign in as the partner through the sign-in form, accept the release's handling
    conditions and download it, as a browser would."""
    web_password(user)
    browser = requests.Session()
    login_url = f"{base_url}{reverse('login')}"
    signed_in = browser.post(
        login_url,
        data={
            "username": user.username,
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": csrf_token(browser.get(login_url, timeout=10)),
        },
        timeout=10,
    )
    assert signed_in.ok and signed_in.url != login_url, signed_in.text[-2000:]
    release_page = browser.get(
        f"{base_url}{reverse('partners:area_release', args=[release.pk])}", timeout=10
    )
    accepted = browser.post(
        f"{base_url}{reverse('partners:area_acknowledge', args=[release.pk])}",
        data={"csrfmiddlewaretoken": csrf_token(release_page)},
        timeout=10,
    )
    assert "You accepted the handling conditions" in accepted.text
    # Accepting asks for the partner's own copy (naming them and their agency): a worker prints it.
    wait_for(
        lambda: ReleaseCopy.objects.filter(
            release=release, user=user, status=DocumentStatus.READY
        ).exists(),
        seconds=WAIT_SECONDS,
        interval=0.2,
        what=f"{user.username}'s copy of {release.reference}",
    )
    return browser.get(
        f"{base_url}{reverse('partners:area_download', args=[release.pk])}",
        allow_redirects=False,
        timeout=30,
    )


def test_a_worker_renders_into_the_object_store_and_a_separate_web_process_serves_it_audited(
    cast, media_root, own_redis_db, object_store, celery_worker_process, web_process
):
    broker_url = own_redis_db
    storage_environment, s3 = object_store
    release = prepare(cast, published_assessment(cast), agencies=[cast.agency_a])
    with broker_at(broker_url):
        worker = celery_worker_process(broker_url, environment=storage_environment)
        release_approve(acting_user=cast.reviewer, release=release)

        wait_until_available(release, seconds=WAIT_SECONDS, log=worker)

    document = release.documents.get()
    assert document.status == DocumentStatus.READY
    [job] = Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id=document.pk)
    assert (job.state, job.attempts) == (JobState.DONE, 1)
    [stored] = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == document.file.name
    in_store = s3.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert hashlib.sha256(in_store).hexdigest() == document.sha256

    base_url, web = web_process(broker_url, storage_environment)
    download = partner_downloads(base_url, cast.partner_a, release)

    assert download.status_code == 200, web.log_tail()
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{release.reference}.pdf"'
    )
    copy = ReleaseCopy.objects.get(release=release, user=cast.partner_a)
    assert download.content == s3.get_object(Bucket=BUCKET, Key=copy.file.name)["Body"].read()
    assert hashlib.sha256(download.content).hexdigest() == copy.sha256
    [event] = AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD, object_id=str(release.pk))
    assert event.actor == cast.partner_a
    assert event.detail["copy"] == copy.pk
    assert event.detail["sha256"] == copy.sha256
    # Neither the worker nor the web process kept a file of their own.
    assert not media_root.exists() or not any(media_root.rglob("*"))
