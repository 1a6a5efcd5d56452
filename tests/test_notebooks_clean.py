"""The committed notebooks are clean: no execution timestamps or stray metadata, the standard
kernel, outputs kept with their counts (nbstripout --keep-output --keep-count would change nothing),
data found through the package, key numbers asserted, and deterministic cells checked by nbval."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
OWN = ["01-claims-overview.ipynb", "02-evidence-grades.ipynb", "03-consistency.ipynb"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ALLOWED_NB_METADATA = {"kernelspec", "language_info", "jupytext"}
ALLOWED_CELL_METADATA = {"tags", "jupyter", "editable", "deletable", "slideshow", "nbval-ignore-output",
                         "collapsed", "scrolled"}


def test_the_three_notebooks_exist():
    names = {p.name for p in NOTEBOOKS}
    assert set(OWN) <= names
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", n) for n in names), names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_metadata_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert set(nb.metadata) <= ALLOWED_NB_METADATA, set(nb.metadata) - ALLOWED_NB_METADATA
    raw = path.read_text(encoding="utf-8")
    assert "ExecuteTime" not in raw and '"execution": {' not in raw  # no timing records
    assert "application/vnd.jupyter.widget-state" not in raw
    counts = []
    for cell in nb.cells:
        assert set(cell.metadata) <= ALLOWED_CELL_METADATA, (path.name, dict(cell.metadata))
        if cell.cell_type == "code":
            counts.append(cell.execution_count)
            for out in cell.outputs:
                assert out.output_type != "error", (path.name, out.get("ename"))
                if out.output_type == "stream":
                    assert out.name != "stderr", (path.name, out.text[:200])  # no warnings kept
    ran = [c for c in counts if c is not None]
    assert ran == sorted(ran) and len(set(ran)) == len(ran), counts  # one clean top-to-bottom run


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_machine_paths_or_timestamps(path):
    nb = nbformat.read(path, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    text = re.sub(r'"image/png": "[^"]*"', "", text)
    assert not re.search(r"/(tmp|work|home|root)/", text), path.name
    assert not re.search(r"\b20\d\d-\d\d-\d\d[T ]\d\d:\d\d:\d\d", text), path.name


@pytest.mark.parametrize("name", OWN)
def test_notebooks_read_the_package_and_assert_their_numbers(name):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "config.claims_dir()" in code and "store.load_package" in code
    assert "../" not in code and "sys.path" not in code
    assert code.count("assert ") >= 3
    checked = [c for c in nb.cells if c.cell_type == "code" and "# NBVAL_CHECK_OUTPUT" in c.source]
    assert checked and all(c.outputs for c in checked), name  # reference outputs are committed
