"""Schemathesis against the API as each demo role: no answer may be a 5xx or differ from the schema.

    .venv/bin/python .ci/api_fuzz.py [--seconds-per-role 45]

Builds a throwaway SQLite database with the demo data, serves it on a free loopback port, signs
each role in through the sign-in form (the demo has no second factor) and lets Schemathesis
generate requests for every operation of the schema for that long, sending the session cookie
and CSRF token as a browser's script would. It fails on any server error and on any answer whose
status, content type or body the schema does not describe. Exits non-zero on the first role
that fails, after printing Schemathesis's report.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
SCHEMATHESIS = ROOT / ".venv" / "bin" / "schemathesis"
ROLES = ("analyst", "member", "partner", "admin")
SEED_COMMANDS = ("seed_demo", "seed_demo_products", "seed_demo_partners", "seed_demo_tasking")
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_for_server(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (503 with no worker in the demo is an answer)
        except OSError:
            time.sleep(0.5)
    sys.exit(f"api_fuzz: the portal did not answer at {base} within {seconds:.0f} s")


def sign_in(base: str, username: str, password: str) -> tuple[str, str]:
    """The session cookie and CSRF token of `username` signed in through the form."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(
        urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
    )
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        sys.exit(f"api_fuzz: {username} could not sign in")
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}", cookies[
        "csrftoken"
    ]


def fetch_schema(base: str, cookie: str, path: Path) -> None:
    request = urllib.request.Request(f"{base}/api/schema/", headers={"Cookie": cookie})
    path.write_bytes(urllib.request.urlopen(request).read())


def fuzz(base: str, schema: Path, role: str, cookie: str, csrf: str, seconds: int) -> int:
    print(f"== Schemathesis as {role}, {seconds} s", flush=True)
    command = [
        str(SCHEMATHESIS),
        "run",
        str(schema),
        "--url",
        base,
        "--header",
        f"Cookie: {cookie}",
        "--header",
        f"X-CSRFToken: {csrf}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "10",
        "--max-time",
        str(seconds),
        "--workers",
        "1",
        "--no-color",
    ]
    return subprocess.run(command, cwd=ROOT).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds-per-role", type=int, default=45)
    args = parser.parse_args()
    password = os.environ.get("NIM_DEMO_PASSWORD", "Demo-Passw0rd-2026")
    with tempfile.TemporaryDirectory(prefix="nim-api-fuzz-") as folder:
        env = {
            **os.environ,
            "SQLITE_PATH": str(Path(folder) / "demo.sqlite3"),
            "MEDIA_ROOT": str(Path(folder) / "media"),
            "NIM_DEMO_PASSWORD": password,
            "CELERY_TASK_ALWAYS_EAGER": "true",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "NIM_S3_BUCKET"):
            env.pop(name, None)
        manage("migrate", "--no-input", "-v", "0", env=env)
        for command in SEED_COMMANDS:
            manage(command, env=env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server_log = (Path(folder) / "server.log").open("w")
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=server_log,
        )
        try:
            wait_for_server(base)
            schema = Path(folder) / "schema.yaml"
            failed = []
            for role in ROLES:
                cookie, csrf = sign_in(base, role, password)
                if not schema.exists():
                    fetch_schema(base, cookie, schema)
                if fuzz(base, schema, role, cookie, csrf, args.seconds_per_role) != 0:
                    failed.append(role)
        finally:
            server.terminate()
            server.wait(timeout=20)
            server_log.close()
        if failed:
            sys.exit(f"api_fuzz: Schemathesis found failures as {', '.join(failed)}")
        print("api_fuzz: no server error and no answer outside the schema, as every role")


if __name__ == "__main__":
    main()
