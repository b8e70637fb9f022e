"""The tooling cannot drift from the code: README's configuration table, Makefile, .ci/run."""

import os
import re
import stat
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_FOLDERS = ["nim_portal", "products", "partners", "tasking"]
ENV_READ = re.compile(r"""env_(?:str|bool|int|list)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# manage.py, wsgi and the Celery app only name the settings module; nothing else touches os.environ.
ENV_READ_DIRECTLY = re.compile(r"os\.getenv|os\.environ(?!\.setdefault\(.DJANGO_SETTINGS_MODULE.)")
README_TABLE_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", re.MULTILINE)


def project_sources() -> list[Path]:
    return [
        path
        for folder in APP_FOLDERS
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def environment_variables_read() -> set[str]:
    """Every environment variable the portal reads (all through nim_portal.settings.env)."""
    return {name for path in project_sources() for name in ENV_READ.findall(path.read_text())}


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_only_the_env_module_reads_the_environment():
    readers = {
        str(path.relative_to(ROOT))
        for path in project_sources()
        if re.search(
            r"os\.environ(?!\.setdefault\(\"DJANGO_SETTINGS_MODULE\")|os\.getenv", path.read_text()
        )
    }

    assert readers == {"nim_portal/settings/env.py"}


def test_settings_read_the_variables_the_readme_promises():
    read = environment_variables_read()

    assert {"DJANGO_ENV", "DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read


def readme_section(title: str) -> str:
    return readme().split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_configuration_table_names_every_variable_and_no_other():
    documented = set(README_TABLE_ROW.findall(readme_section("Configuration")))
    read = environment_variables_read()

    assert read - documented == set(), "variables read but missing from the README table"
    assert documented - read == set(), "README table names variables nothing reads"


def test_readme_starts_with_the_two_commands():
    first_block = readme().split("```")[1]

    assert "make demo" in first_block
    assert "make test" in first_block


def test_makefile_offers_demo_test_and_lint():
    makefile = (ROOT / "Makefile").read_text()

    for target in ("demo", "test", "lint"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    assert "uv sync --frozen" in makefile
    assert '-m "not services"' in makefile


def test_uv_is_pinned_to_the_same_version_everywhere():
    makefile_pin = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    dockerfile_pin = re.search(r"uv==(\S+)", (ROOT / "Dockerfile").read_text())

    assert makefile_pin and dockerfile_pin
    assert makefile_pin.group(1) == dockerfile_pin.group(1)


def test_ci_script_is_strict_executable_and_runs_make_test_twice():
    script_path = ROOT / ".ci" / "run"
    script = script_path.read_text()

    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert os.stat(script_path).st_mode & stat.S_IXUSR
    assert script.count("make test") >= 2
    assert "postgres://postgres@127.0.0.1:5432/" in script
    assert "redis://127.0.0.1:6379/" in script
    assert "--junitxml=" in script
    assert ".venv/bin/python .ci/api_fuzz.py" in script
