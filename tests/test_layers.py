"""The layers import only the layers above them: core and figures never import Streamlit."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "gdviz"

FORBIDDEN = {
    "core": {"streamlit", "plotly", "gdviz.experiments", "gdviz.figures", "gdviz.ui"},
    "experiments": {"streamlit", "plotly", "gdviz.figures", "gdviz.ui"},
    "figures": {"streamlit", "gdviz.ui"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_layers_above_it(layer):
    files = sorted((PKG / layer).rglob("*.py"))
    assert files, f"no files in gdviz/{layer}"
    bad = []
    for f in files:
        for name in imported_modules(f):
            if any(name == x or name.startswith(x + ".") for x in FORBIDDEN[layer]):
                bad.append(f"{f.relative_to(PKG.parent)} imports {name}")
    assert not bad, "\n".join(bad)


def test_the_checker_sees_a_streamlit_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("import numpy\nfrom streamlit import session_state\n")
    assert "streamlit" in imported_modules(f)
