"""The README documents every command, every upload kind and its columns, every export
name and every check code; its Quick start has exactly two commands."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.cli import build_parser
from models.exporting import DATA_EXPORTS
from models.formats import KINDS
from models.issues import CHECKS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _subcommands(parser, prefix=()):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _subcommands(sub, (*prefix, name))


COMMANDS = sorted(set(_subcommands(build_parser())))


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme(command):
    assert f"resultsboard {' '.join(command)}" in README


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_its_section_and_columns(kind):
    section = re.search(rf"^### {kind}\n(.*?)(?=^### |^## )", README, re.S | re.M)
    assert section, f"no '### {kind}' section"
    for column in KINDS[kind].columns:
        assert re.search(rf"\b{column}\b", section.group(1)), f"{kind}: column {column} undocumented"


@pytest.mark.parametrize("name", DATA_EXPORTS)
def test_every_export_name_is_documented(name):
    assert f"`{name}`" in README


def test_the_readme_lists_exactly_the_check_codes():
    """README's check-code table is models.issues.CHECKS, in its order, each with its meaning."""
    section = re.search(r"^### Check codes\n(.*?)(?=^##)", README, re.S | re.M)
    assert section, "no '### Check codes' section"
    rows = re.findall(r"^\| `([a-z-]+)` \| (.+?) \|$", section.group(1), re.M)
    assert [code for code, _ in rows] == list(CHECKS)
    assert dict(rows) == CHECKS


def test_quick_start_has_exactly_two_commands():
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", README, re.S | re.M).group(1)
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    assert [line for line in block.splitlines() if line.strip()] == ["make demo", "make test"]


@pytest.mark.parametrize("flag", ["--kind", "--dry-run", "--json", "--user", "--encoding", "--delimiter", "--decimal-comma",
                                  "--region", "--donor", "--partner", "--key-factor", "--from", "--to", "--port", "--demo"])
def test_every_flag_is_documented(flag):
    assert flag in README
