"""The Claude Code source's store: logs parsed once, then only the bytes appended to each file.

Expected turns come from `oracle_claude_turns` (the logs read with Python's json), never from the
store itself.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from factories import ClaudeProjects, Turn, oracle_claude_turns, random_claude_projects, user_line
from queries.sources.claude_code import acquire_store, release_store, store_path


def store_turns(store) -> list[tuple]:
    """(session, model, input, output, cache read, cache write, 1h write, subagent) of every turn, sorted."""
    rows = store.connection.execute(
        "SELECT session_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
        "cache_write_1h_tokens, subagent FROM claude_turns").fetchall()
    return sorted(rows)


def oracle_turns(root: Path) -> list[tuple]:
    sessions, _malformed = oracle_claude_turns(root)
    return sorted((t["session_id"], t["model"], t["input_tokens"], t["output_tokens"], t["cache_read_tokens"],
                   t["cache_write_tokens"], t["cache_write_1h_tokens"], t["subagent"])
                  for turns in sessions.values() for t in turns)


@pytest.fixture
def store_of():
    opened = []

    def refreshed(projects: ClaudeProjects):
        store = acquire_store(projects.root)
        opened.append(store)
        return store

    yield refreshed
    for store in opened:
        release_store(store)


def turn(n: int, output: int = 10, session: str = "s1", request: str | None = None) -> str:
    return Turn(f"msg_{n}", request or f"req_{n}", f"2026-03-20T10:{n:02d}:00Z", "claude-opus-4-7", 100 + n,
                output).line(session)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_a_store_equals_the_oracle_on_random_logs(claude_projects, store_of):
    random_claude_projects(11, claude_projects, n_sessions=20)
    store = store_of(claude_projects)
    assert store_turns(store) == oracle_turns(claude_projects.root)
    assert store.counts()["malformed_lines"] == oracle_claude_turns(claude_projects.root)[1]


def test_appended_lines_show_up_after_a_refresh_and_only_they_are_read(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2)])
    store = store_of(claude_projects)
    size_before = path.stat().st_size
    append(path, turn(3) + "\n" + user_line("s1", "2026-03-20T10:04:00Z") + "\n")
    result = store.refresh()
    assert result.bytes_read == path.stat().st_size - size_before  # the appended bytes, nothing before
    assert [r[2] for r in store_turns(store)] == [101, 102, 103]


def test_a_half_written_line_waits_until_it_is_complete(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1)])
    store = store_of(claude_projects)
    line = turn(2)
    append(path, line[:40])  # Claude Code is mid-write
    store.refresh()
    assert len(store_turns(store)) == 1 and store.counts()["malformed_lines"] == 0
    append(path, line[40:] + "\n")
    store.refresh()
    assert [r[2] for r in store_turns(store)] == [101, 102]
    assert store.counts()["malformed_lines"] == 0


def test_a_response_completed_in_a_later_refresh_keeps_its_final_usage(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1, output=5)])
    store = store_of(claude_projects)
    append(path, turn(1, output=50) + "\n")  # the same message id + request id, more output
    store.refresh()
    assert [(r[3]) for r in store_turns(store)] == [50]
    assert store.counts()["duplicate_lines"] == 1


def test_a_truncated_file_loses_its_old_turns(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2), turn(3)])
    store = store_of(claude_projects)
    inode = path.stat().st_ino
    with path.open("r+", encoding="utf-8") as handle:  # same inode, fewer bytes
        handle.truncate(0)
        handle.write(turn(7) + "\n")
    assert path.stat().st_ino == inode
    store.refresh()
    assert store_turns(store) == oracle_turns(claude_projects.root)
    assert [r[2] for r in store_turns(store)] == [107]


def test_a_replaced_file_is_read_again_from_the_start(claude_projects, store_of):
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2)])
    store = store_of(claude_projects)
    replacement = path.with_suffix(".tmp")
    replacement.write_text("".join(t + "\n" for t in (turn(1, output=99), turn(4), turn(5), turn(6))), encoding="utf-8")
    os.replace(replacement, path)  # another inode, and longer than before: not an append
    store.refresh()
    assert store_turns(store) == oracle_turns(claude_projects.root)
    assert sorted(r[3] for r in store_turns(store)) == [10, 10, 10, 99]


def test_a_deleted_file_takes_its_turns_with_it(claude_projects, store_of):
    keep = claude_projects.session_file("p", "s1", [turn(1)])
    gone = claude_projects.subagent_file("p", "s1", "agent-1", [turn(2), turn(3)])
    store = store_of(claude_projects)
    assert len(store_turns(store)) == 3
    gone.unlink()
    store.refresh()
    assert [r[2] for r in store_turns(store)] == [101]
    assert store.counts()["files"] == 1 and keep.exists()


def test_a_file_rewritten_in_place_is_read_again(claude_projects, store_of):
    """Seen through the last TAIL_BYTES before the offset (a change further back in an append-only
    log is not looked for: that would mean reading the file again on every refresh)."""
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2)])
    store = store_of(claude_projects)
    text = path.read_text(encoding="utf-8").replace('"text": "ok"}], "usage": {"input_tokens": 102',
                                                    '"text": "ok"}], "usage": {"input_tokens": 555')
    assert '"input_tokens": 555' in text
    path.write_text(text + turn(3) + "\n", encoding="utf-8")  # same inode, longer, earlier bytes changed
    store.refresh()
    assert store_turns(store) == oracle_turns(claude_projects.root)


def test_a_restart_reads_only_what_changed_while_it_was_down(claude_projects):
    path = claude_projects.session_file("p", "s1", [turn(1), turn(2)])
    store = acquire_store(claude_projects.root)
    release_store(store)  # the server stops; its store stays in the cache directory
    assert store_path(claude_projects.root).exists()
    append(path, turn(3) + "\n")
    store = acquire_store(claude_projects.root)
    try:
        assert store.last_refresh.bytes_read == len(turn(3)) + 1
        assert [r[2] for r in store_turns(store)] == [101, 102, 103]
    finally:
        release_store(store)


def test_random_appends_in_random_pieces_end_equal_to_the_oracle(claude_projects, tmp_path, store_of):
    """Seeded logs written into the projects directory in random byte pieces, a refresh after each."""
    source = random_claude_projects(5, ClaudeProjects(tmp_path / "full"), n_sessions=8)
    files = sorted(p for p in source.root.rglob("*.jsonl"))
    contents = {p: p.read_bytes() for p in files}
    written = {p: 0 for p in files}
    rng = random.Random(5)
    store = store_of(claude_projects)
    while any(written[p] < len(contents[p]) for p in files):
        for p in rng.sample(files, k=3):
            target = claude_projects.root / p.relative_to(source.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            piece = contents[p][written[p]:written[p] + rng.randrange(1, 900)]
            with target.open("ab") as handle:
                handle.write(piece)
            written[p] += len(piece)
        store.refresh()
    assert store_turns(store) == oracle_turns(source.root)
    assert store.counts()["malformed_lines"] == oracle_claude_turns(source.root)[1]
