"""The WSGI entry gunicorn loads: the portal's application, with what it loaded kept out of the
collector's full passes (they stalled one request in fifteen by ~80 ms on national data)."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROBE = (
    "import gc, nim_portal.wsgi as w; "
    "print(callable(w.application), gc.get_freeze_count() > 10_000)"
)


def test_the_entry_serves_the_portal_with_its_start_frozen():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "nim_portal.settings"}
    answer = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert answer.stdout.split() == ["True", "True"]
