"""The project's own promises: layout, two commands, and environment.yml in step with pyproject."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    """Distribution name of a requirement, normalized (extras and versions dropped)."""
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)", req)
    assert m, req
    return re.sub(r"[-_.]+", "-", m.group(1)).lower()


def test_mandated_layout_exists():
    for p in ("notebooks", "claims", "src/claimaudit", "tests", "articles", "environment.yml",
              "pyproject.toml", "README.md", ".ci/run"):
        assert (ROOT / p).exists(), p
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():  # the bundled articles are the seed pages under their own names
        for f in seeds.iterdir():
            assert (ROOT / "articles" / f.name).read_bytes() == f.read_bytes()


def test_environment_yml_declares_the_same_dependencies_as_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in py["dependencies"]}
    for extra in py.get("optional-dependencies", {}).values():
        declared |= {_name(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip_block = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_block and "-e ." in pip_block[0]["pip"]
    assert "conda-forge" in env["channels"]
    assert any(d == "python=3.11" for d in env["dependencies"] if isinstance(d, str))
    assert conda == declared, (f"only in environment.yml: {sorted(conda - declared)}; "
                               f"only in pyproject.toml: {sorted(declared - conda)}")


def test_readme_dependency_table_lists_every_dependency():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in py["dependencies"]}
    for extra in py.get("optional-dependencies", {}).values():
        declared |= {_name(r) for r in extra}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {_name(m) for m in re.findall(r"^\|\s*`?([A-Za-z0-9_.\-]+)`?\s*\|", readme, re.M)}
    missing = declared - rows
    assert not missing, f"README dependency table lacks {sorted(missing)}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make audit" in readme
    assert re.search(r"^make test$", ci, re.M)
    assert "set -euo pipefail" in ci


def test_make_test_runs_pytest_over_tests_and_notebooks_without_swallowing_its_status():
    mk = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = mk.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "-m pytest tests notebooks" in recipe and "--nbval-lax" in recipe
    assert "--nbval-current-env" in recipe and "nbval_sanitize.cfg" in recipe
    assert "|| true" not in recipe and "-" != recipe.strip()[:1]
