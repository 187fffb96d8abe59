"""The apps keep their layers and import nothing in a loop: the import-linter contracts of pyproject.toml.

grimp builds the graph from every import statement, so an import made inside a function counts like one
at the top of a module (the last test proves it on a throwaway package).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import grimp
import importlinter.api  # noqa: F401  (sets up import-linter's adapters, as its CLI does)
import pytest
from importlinter.application import use_cases

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def _contract(contract_id: str, capsys, config: Path = PYPROJECT) -> tuple[bool, str]:
    """(kept, report) of one contract; the report is import-linter's own text."""
    kept = use_cases.lint_imports(config_filename=str(config), limit_to_contracts=(contract_id,), cache_dir=None,
                                  no_logo=True)
    return kept, capsys.readouterr().out


@pytest.mark.parametrize("contract_id", ["layers", "rules-indicators", "no-synth"])
def test_import_contract_is_kept(contract_id, capsys):
    kept, report = _contract(contract_id, capsys)
    assert kept, report


def test_no_app_and_no_module_imports_in_a_loop(capsys):
    """acyclic_siblings over jingzhun: no loop between apps, nor between the modules of one app."""
    kept, report = _contract("no-loops", capsys)
    assert kept, report


def test_no_import_chain_leads_from_an_app_back_to_itself():
    """The same, app by app with grimp: an app that reaches another must not be reached back."""
    graph = grimp.build_graph("jingzhun")
    apps = sorted(graph.find_children("jingzhun"))
    loops = []
    for i, first in enumerate(apps):
        for second in apps[i + 1:]:
            there = graph.find_shortest_chains(importer=first, imported=second, as_packages=True)
            back = graph.find_shortest_chains(importer=second, imported=first, as_packages=True)
            if there and back:
                loops.append((sorted(there)[0], sorted(back)[0]))
    assert not loops, loops


def test_the_contracts_count_imports_made_inside_functions(tmp_path, monkeypatch, capsys):
    """A lower layer importing a higher one only inside a function still breaks a layers contract."""
    package = tmp_path / "layered"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "high.py").write_text("from layered import low\n")
    (package / "low.py").write_text(textwrap.dedent("""\
        def later():
            from layered import high  # the violation, hidden in a function

            return high
        """))
    config = tmp_path / "importlinter.toml"
    config.write_text(textwrap.dedent("""\
        [tool.importlinter]
        root_package = "layered"

        [[tool.importlinter.contracts]]
        id = "layers"
        name = "high above low"
        type = "layers"
        layers = ["layered.high", "layered.low"]
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    kept, report = _contract("layers", capsys, config)
    assert not kept
    assert "layered.low -> layered.high" in report
