"""The import contracts that `make lint` checks (pyproject.toml, [tool.importlinter]): the portal
keeps them, and they break on each kind of import they forbid."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = ROOT / "pyproject.toml"

# One import of each kind the orders and the pages, forms and API contracts forbid.
FORBIDDEN = {
    "The apps depend one way": ("nim_portal.lookups", "products.models"),
    "Tasking's concepts depend one way": ("tasking.strategy.services", "tasking.meetings.models"),
    "Core's own pages": ("products.views", "nim_portal.views"),
    "Products' pages": ("tasking.forms", "products.forms"),
    "Partners' pages": ("tasking.api", "partners.serializers"),
}
# And a loop: the services enqueue through their tasks module, which calls the services.
LOOP = [("products.services", "products.tasks"), ("products.tasks", "products.services")]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", str(CONFIG)],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def modules_named_by_the_contracts() -> set[str]:
    settings = tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]
    names = set(settings["root_packages"])
    for contract in settings["contracts"]:
        for key in ("layers", "source_modules", "forbidden_modules", "ancestors"):
            names.update(contract.get(key, []))
        for ignored in contract.get("ignore_imports", []):
            names.update(part.strip() for part in ignored.split("->"))
    return names


def write_imports(tree: Path, imports: list[tuple[str, str]]) -> None:
    """A package for every module the contracts name and every module of `imports`, each
    importing what `imports` says it imports."""
    modules = modules_named_by_the_contracts() | {name for pair in imports for name in pair}
    for module in modules:
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):
            package = tree.joinpath(*parts[:depth])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
    for importer, imported in imports:
        init = tree.joinpath(*importer.split("."), "__init__.py")
        init.write_text(init.read_text() + f"import {imported}\n")


def test_the_portal_keeps_its_import_contracts():
    checked = lint_imports(ROOT)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_forbidden_import_breaks_its_contract(tmp_path):
    # The one import the loop contract lets pass, so that the tree has what it names.
    kept = [("nim_portal.access.grants", "nim_portal.services")]
    write_imports(tmp_path, [*kept, *FORBIDDEN.values(), *LOOP])

    checked = lint_imports(tmp_path)

    assert checked.returncode != 0
    assert "Contracts: 0 kept, 6 broken." in checked.stdout, checked.stdout + checked.stderr
    for contract, (importer, imported) in FORBIDDEN.items():
        assert contract in checked.stdout
        assert f"{importer} -> {imported}" in checked.stdout
    assert "No cycles are allowed in products." in checked.stdout
