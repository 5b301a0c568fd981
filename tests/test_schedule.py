"""`pipeline schedule` against a fixed clock (PIPELINE_NOW): what goes out next, and when."""

from __future__ import annotations

import json

from tests.contenttree import ContentTree


def scheduled_tree(tree: ContentTree) -> ContentTree:
    """Two shows: published, scheduled (in two zones) and draft episodes around FIXED_NOW."""
    tree.add_show("weekly")
    tree.add_show("semanal", language="es")
    tree.add_episode("weekly", "past", date="2026-11-20T18:00:00Z")
    tree.add_episode("weekly", "next-friday", date="2026-11-27T18:00:00Z")
    tree.add_episode("weekly", "draft-one", "draft = true\n", date="2026-11-25T18:00:00Z")
    tree.add_episode("semanal", "el-sabado", date="2026-11-28T10:00:00+01:00")
    tree.add_episode("semanal", "manana", date="2026-11-25T09:30:00-03:00")
    return tree


def test_schedule_lists_what_goes_out_next_soonest_first(tree: ContentTree, cli):
    result = cli(scheduled_tree(tree).root, "schedule")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2026-11-25T12:30:00Z  semanal  manana  Episode about manana",
        "2026-11-27T18:00:00Z  weekly  next-friday  Episode about next-friday",
        "2026-11-28T09:00:00Z  semanal  el-sabado  Episode about el-sabado",
    ]


def test_schedule_json_is_machine_readable(tree: ContentTree, cli):
    result = cli(scheduled_tree(tree).root, "schedule", "--json", "--limit", "2")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "show": "semanal",
            "slug": "manana",
            "title": "Episode about manana",
            "time": "2026-11-25T12:30:00Z",
        },
        {
            "show": "weekly",
            "slug": "next-friday",
            "title": "Episode about next-friday",
            "time": "2026-11-27T18:00:00Z",
        },
    ]


def test_schedule_moves_with_the_clock(tree: ContentTree, cli, monkeypatch):
    scheduled_tree(tree)
    monkeypatch.setenv("PIPELINE_NOW", "2026-11-27T18:00:00Z")  # the Friday episode is out now
    result = cli(tree.root, "schedule", "--json")
    assert [i["slug"] for i in json.loads(result.stdout)] == ["el-sabado"]
    monkeypatch.setenv("PIPELINE_NOW", "2026-12-01T00:00:00Z")
    assert cli(tree.root, "schedule").stdout == "nothing scheduled\n"
    assert json.loads(cli(tree.root, "schedule", "--json").stdout) == []
