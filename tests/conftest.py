"""Shared fixtures: a clean environment, Axiom-shaped SQLite files, and helpers to run the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
for entry in (str(ROOT), str(TESTS)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from factories import (OWN_ENV_VARS, RANDOM_AGENTX_RATES, AgentxDB, AxiomDB, ClaudeProjects,  # noqa: E402
                       RandomAgentx, RandomAxiom, random_agentx, random_axiom)

settings.register_profile("suite", max_examples=60, deadline=None)
settings.load_profile("suite")  # modest example counts keep the suite fast


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the developer's own database, settings and secrets out of every test.

    HOME and XDG_CACHE_HOME point at fresh temp dirs, so demo data is generated there.
    Returns the cache dir.
    """
    for name in OWN_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    # The tests written for one demo assert its figures: the default demo workspace of every kind
    # (issue 12, item 6) is asked for by the tests of it (USAGE_DEMO=all).
    monkeypatch.setenv("USAGE_DEMO", "axiom")
    home = tmp_path_factory.mktemp("home")
    cache = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


@pytest.fixture
def axiom_db(tmp_path: Path) -> AxiomDB:
    """An empty SQLite file in Axiom's exact schema at tmp_path/openagent.db; fill it with
    .session(), .task(), .usage() (each commits and closes its connection)."""
    return AxiomDB(tmp_path / "openagent.db")


@pytest.fixture
def make_axiom_db(tmp_path: Path) -> Callable[..., AxiomDB]:
    """A factory for more Axiom files: make_axiom_db("name.db", loose=True) relaxes NOT NULL on token_usage."""

    def make(name: str = "other.db", loose: bool = False) -> AxiomDB:
        return AxiomDB(tmp_path / name, loose=loose)

    return make


@pytest.fixture
def write_settings(tmp_path: Path) -> Callable[[object], Path]:
    """Write a settings.json (a dict as JSON, or raw text/bytes as they are) and return its path."""

    def write(content: object, name: str = "settings.json") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def random_data() -> RandomAxiom:
    """2,000 seeded Axiom rows over March 2026 (plus a little either side)."""
    return random_axiom(seed=20260301, n_rows=2000)


@pytest.fixture(scope="session")
def random_db(tmp_path_factory: pytest.TempPathFactory, random_data: RandomAxiom) -> AxiomDB:
    """random_data written once per run; tests only read it (one test proves reading changes nothing)."""
    return random_data.write(AxiomDB(tmp_path_factory.mktemp("random") / "random.db"))


@pytest.fixture
def agentx_db(tmp_path: Path) -> AgentxDB:
    """An empty agentx working directory at tmp_path/agentx-cwd, its database at .agentx/db.sqlite;
    fill it with .daily(), .history(), .traces(), .rotations(), .config(), .custom_prices()."""
    return AgentxDB(tmp_path / "agentx-cwd")


@pytest.fixture
def old_agentx_db(tmp_path: Path) -> AgentxDB:
    """An agentx file of an early schema: no tier-2 columns, no task_traces, no rotations."""
    return AgentxDB(tmp_path / "old-agentx-cwd", old=True)


@pytest.fixture(scope="session")
def random_agentx_data() -> RandomAgentx:
    """Seeded agentx rows over March 2026 (tasks in task_traces)."""
    return random_agentx(seed=20260302)


@pytest.fixture(scope="session")
def random_agentx_db(tmp_path_factory: pytest.TempPathFactory, random_agentx_data: RandomAgentx) -> AgentxDB:
    """random_agentx_data written once per run, priced by custom.json (RANDOM_AGENTX_RATES); tests only read it."""
    db = random_agentx_data.write(AgentxDB(tmp_path_factory.mktemp("random-agentx") / "cwd"))
    db.custom_prices({m: {"input": r[0], "output": r[1], "cacheRead": r[2], "cacheCreate": r[3]}
                      for m, r in RANDOM_AGENTX_RATES.items()})
    return db


@pytest.fixture
def claude_projects(tmp_path: Path) -> ClaudeProjects:
    """An empty Claude Code projects directory at tmp_path/projects."""
    return ClaudeProjects(tmp_path / "projects")


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run cli.main in-process with these arguments; returns exit code, stdout, stderr."""
    import cli

    def run(*args: object) -> CliResult:
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


class ReadOnlyDir:
    """Make a directory unwritable even for root (`chattr +i`), and writable again; always undone."""

    def __init__(self) -> None:
        self.locked: list[Path] = []

    def lock(self, path: Path) -> None:
        import subprocess

        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"chattr +i needs ext4 and CAP_LINUX_IMMUTABLE (root): {done.stderr}"
        self.locked.append(path)

    def unlock(self, path: Path) -> None:
        import subprocess

        subprocess.run(["chattr", "-i", str(path)], check=True)
        self.locked.remove(path)


@pytest.fixture
def read_only_dir():
    """Lock directories read-only the way a root-owned or read-only mount would; unlocked afterwards
    (a plain chmod does not stop root, and the suite runs as root on these machines)."""
    guard = ReadOnlyDir()
    try:
        yield guard
    finally:
        for path in list(guard.locked):
            guard.unlock(path)


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL (Debian's, initdb + pg_ctl on a temp dir and a free port) holding a template
    database with LiteLLM's own migrations applied in order (tests/pg.py); stopped and removed at the end."""
    from pg import PgServer

    server = PgServer.start()
    try:
        server.migrate_template()
        yield server
    finally:
        server.stop()


@pytest.fixture
def litellm_pg(pg_server):
    """A fresh database with LiteLLM's schema for one test: (server, its name, the read-only role's URL).
    Seed it through `pg_server.connect(name)` with tests/pg.py's factories."""
    import uuid

    name = "t_" + uuid.uuid4().hex[:16]
    url = pg_server.new_database(name)
    yield pg_server, name, url
    pg_server.drop_database(name)
