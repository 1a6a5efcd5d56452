"""Where things live: the project's folders and the package's data files.

Notebooks and the CLI find ``claims/`` and ``reports/`` through here, never through relative paths.
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml


def project_root() -> Path:
    """The claimaudit project folder.

    ``CLAIMAUDIT_PROJECT`` wins; else the nearest ancestor of the working directory holding both
    ``pyproject.toml`` and ``claims/``; else the checkout the package is installed from (editable
    install); else the working directory.
    """
    env = os.environ.get("CLAIMAUDIT_PROJECT")
    if env:
        return Path(env).resolve()
    cwd = Path.cwd().resolve()
    for p in (cwd, *cwd.parents):
        if (p / "pyproject.toml").is_file() and (p / "claims").is_dir():
            return p
    here = Path(__file__).resolve().parents[2]
    if (here / "pyproject.toml").is_file():
        return here
    return cwd


def claims_dir() -> Path:
    return project_root() / "claims"


def reports_dir() -> Path:
    return project_root() / "reports"


def articles_dir() -> Path:
    return project_root() / "articles"


def data_path(*parts: str) -> Path:
    """Path of a package data file (``src/claimaudit/data/...``)."""
    return Path(str(resources.files("claimaudit").joinpath("data", *parts)))


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: same result, a fraction of the time


@lru_cache(maxsize=None)
def load_yaml(*parts: str):
    """Parsed YAML data file; cached, so treat the result as read-only."""
    with open(data_path(*parts), encoding="utf-8") as f:
        return yaml.load(f, Loader=_LOADER)
