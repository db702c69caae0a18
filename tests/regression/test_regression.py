"""Regression test: the headline tables of three scenarios at a fixed seed, compared exactly.

In the style of OpenMC's regression tests: a stored reference of the /summary
(headline figures per replication and LDU) and /statistics (mean and interval
across replications) tables. A refactor must leave them identical; a change to
the model updates them on purpose with scripts/update-regression-references,
in the same commit, saying why they moved.
"""

import sys
import pathlib

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import reference  # noqa: E402
from cases import CASES, TABLES  # noqa: E402


@pytest.mark.parametrize("name", sorted(CASES))
def test_headline_tables_match_reference(caseload_bin, tmp_path, name):
    produced = reference.run_case(caseload_bin, name, tmp_path)
    for table in TABLES:
        expected = reference.read(name, table)
        got = produced[table]
        assert list(got) == list(expected), f"{name} /{table}: columns differ"
        for column, values in expected.items():
            assert len(got[column]) == len(values), f"{name} /{table}/{column}: row count differs"
            for row, (e, g) in enumerate(zip(values, got[column])):
                assert reference.same(e, g), (
                    f"{name} /{table}/{column} row {row}: expected {e!r}, got {g!r}; if the model "
                    "changed on purpose, run scripts/update-regression-references and say why")


def test_references_cover_every_case():
    for name in CASES:
        for table in TABLES:
            assert reference.path_of(name, table).is_file(), f"missing reference {name}.{table}"
