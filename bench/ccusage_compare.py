"""Compare our Claude Code session totals with ccusage's (`ccusage session --json --offline`).

    npm install --prefix bench/.npm ccusage@20.0.24          # once (bench/.npm is git-ignored)
    python bench/ccusage_compare.py                          # generated logs + the agentx demo's logs
    python bench/ccusage_compare.py --projects ~/.claude/projects

For each projects folder: runs `queries.sources.claude_code_sessions.ClaudeLogs` (ours) and ccusage on the same
files, and prints per session the input, output, cache-write and cache-read totals of both.
ccusage runs with HOME and CLAUDE_CONFIG_DIR pointed at a temporary copy of the folder, so it
reads nothing else on this machine (it also looks for other agents' logs under HOME).

The copy is written the way Claude Code writes its logs, one compact JSON object a line:
ccusage skips any line whose text has `"usage": {` with a space (its line filter looks for the
literal `"usage":{`), and the agentx demo's logs are written with spaces. We parse JSON, so
the copy changes nothing for us.

Known differences, named per session in the output (README, "Prices", says why ours is right):
* a resumed session: Claude Code copies the earlier session's lines into the new file and they
  keep their original sessionId. ccusage groups by file name and counts each response once
  globally, in whichever file it reads first, so the new file's "session" takes the old
  session's responses and the old session loses them (it can vanish). We group by sessionId.
* an assistant line whose message.id is JSON null: ccusage drops it; we count it, as ccusage
  itself does a line with no message.id key (nothing to dedupe on either way).

ccusage is used here only, never by .ci/run or the app.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pricing  # noqa: E402
from queries.sources.claude_code_sessions import ClaudeLogs  # noqa: E402
from queries.sources.claude_code import log_files  # noqa: E402

DEFAULT_CCUSAGE = ROOT / "bench" / ".npm" / "node_modules" / ".bin" / "ccusage"
FIELDS = ("input", "output", "cache_write", "cache_read")


@dataclass
class FileFacts:
    """What a session file holds that explains a difference from ccusage."""

    other_session_ids: set[str] = field(default_factory=set)
    lines_with_null_message_id: int = 0
    null_id_tokens: tuple[int, int, int, int] = (0, 0, 0, 0)  # what those lines hold (in, out, write, read)


def compact_copy(source: Path, target: Path) -> dict[str, FileFacts]:
    """Copy every session log under `source` to `target`, one compact JSON object a line (as
    Claude Code writes them; unparseable lines verbatim), and note per session file (its stem,
    or its parent session for subagent files) the facts that explain known differences."""
    facts: dict[str, FileFacts] = {}
    for path_text, _project, path_session, _subagent in log_files(source):
        path = Path(path_text)
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        fact = facts.setdefault(path_session, FileFacts())
        lines = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(raw)
            except json.JSONDecodeError:
                lines.append(raw)
                continue
            lines.append(json.dumps(record, separators=(",", ":")))
            if isinstance(record, dict) and record.get("type") == "assistant":
                sid = record.get("sessionId")
                if sid and sid != path_session:
                    fact.other_session_ids.add(sid)
                message = record.get("message")
                if isinstance(message, dict) and "id" in message and message["id"] is None:
                    fact.lines_with_null_message_id += 1
                    u = message.get("usage") or {}
                    held = (u.get("input_tokens", 0), u.get("output_tokens", 0),
                            u.get("cache_creation_input_tokens", 0), u.get("cache_read_input_tokens", 0))
                    fact.null_id_tokens = tuple(a + b for a, b in zip(fact.null_id_tokens, held))
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return facts


def ours(projects: Path) -> dict[str, tuple[int, int, int, int]]:
    """Our totals per session id, priced by the library (prices play no part in the tokens)."""
    logs = ClaudeLogs(projects, pricing.CustomPrices(), use_library=True)
    try:
        listing = logs.sessions(page_size=10 ** 9)
    finally:
        logs.close()
    return {s.session_id: (s.input_tokens, s.output_tokens, s.cache_write_tokens or 0, s.cache_read_tokens or 0)
            for s in listing.sessions}


def theirs(ccusage: Path, projects: Path) -> dict[str, tuple[int, int, int, int]]:
    """ccusage's totals per session ("period", the file name), reading only `projects`."""
    with tempfile.TemporaryDirectory(prefix="ccusage-home-") as home:
        config = Path(home) / ".claude"
        shutil.copytree(projects, config / "projects")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "CLAUDE_CONFIG_DIR": str(config),
               "XDG_CONFIG_HOME": str(Path(home) / ".config"), "NO_COLOR": "1", "TZ": "UTC"}
        done = subprocess.run([str(ccusage), "session", "--json", "--offline"], env=env, capture_output=True,
                              text=True, check=True, timeout=600)
    report = json.loads(done.stdout)
    return {s["period"]: (s["inputTokens"], s["outputTokens"], s["cacheCreationTokens"], s["cacheReadTokens"])
            for s in report["session"]}


Totals = dict[str, tuple[int, int, int, int]]


def _sum(rows: list[tuple[int, int, int, int] | None]) -> tuple[int, ...]:
    return tuple(sum(r[i] for r in rows if r) for i in range(4))


def explain(sid: str, facts: dict[str, FileFacts], mine: Totals, other: Totals) -> str:
    """Why a session's totals differ, from what the files hold, checked: a resumed group (the
    session, the files its lines were copied into, the sessions its file holds lines of) has
    equal totals on both sides; lines with a null message.id account for the whole gap."""
    reasons, group = [], {sid}
    fact = facts.get(sid, FileFacts())
    if fact.other_session_ids:
        reasons.append(f"file holds lines of {', '.join(sorted(fact.other_session_ids))} (resumed session)")
        group |= fact.other_session_ids
    copied_into = sorted(f for f, other_fact in facts.items() if sid in other_fact.other_session_ids)
    if copied_into:
        reasons.append(f"its lines were copied into {', '.join(copied_into)} (resumed session)")
        group |= set(copied_into)
    null_gap = _sum([facts[g].null_id_tokens for g in group if g in facts])
    if any(null_gap):
        reasons.append(f"{sum(facts[g].lines_with_null_message_id for g in group if g in facts)} line(s) with "
                       "message.id null (ccusage drops them)")
    gap = tuple(a - b for a, b in zip(_sum([mine.get(g) for g in group]), _sum([other.get(g) for g in group])))
    if not reasons or gap != null_gap:
        reasons.append(f"UNEXPLAINED (gap {gap})")
    return "; ".join(reasons)


def compare(name: str, projects: Path, ccusage: Path) -> int:
    """Print the per-session comparison of one projects folder; the count of unexplained differences."""
    with tempfile.TemporaryDirectory(prefix="ccusage-compare-") as tmp:
        copy = Path(tmp) / "projects"
        facts = compact_copy(projects, copy)
        mine, other = ours(copy), theirs(ccusage, copy)
    print(f"\n== {name}: {projects} ({len(mine)} sessions ours, {len(other)} ccusage)")
    print(f"{'session':<28} {'ours (in / out / cache write / cache read)':<46} {'ccusage':<40} verdict")
    unexplained = 0
    for sid in sorted(set(mine) | set(other)):
        a, b = mine.get(sid), other.get(sid)
        verdict = "equal" if a == b else "differs: " + explain(sid, facts, mine, other)
        unexplained += "UNEXPLAINED" in verdict
        show = lambda t: "-" if t is None else " / ".join(f"{v:,}" for v in t)  # noqa: E731
        print(f"{sid[:28]:<28} {show(a):<46} {show(b):<40} {verdict}")
    equal = sum(1 for sid in set(mine) | set(other) if mine.get(sid) == other.get(sid))
    print(f"-- {equal} of {len(set(mine) | set(other))} sessions equal on all four totals; "
          f"{unexplained} unexplained difference(s)")
    return unexplained


def _line(sid: str, ts: datetime, msg: str | None, req: str | None, model: str, usage: dict, sidechain: bool = False,
          null_id: bool = False) -> str:
    """One assistant line as Claude Code writes it; `msg` None leaves message.id out (or, with
    `null_id`, writes it as JSON null)."""
    message = {"id": msg, "type": "message", "role": "assistant", "model": model,
               "content": [{"type": "text", "text": "ok"}], "usage": usage}
    if msg is None and not null_id:
        del message["id"]
    record = {"parentUuid": None, "isSidechain": sidechain, "cwd": "/home/dev/app", "sessionId": sid,
              "version": "2.0.14", "type": "assistant", "message": message,
              "uuid": f"u-{random.getrandbits(64):016x}", "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
    if req is not None:
        record["requestId"] = req
    return json.dumps(record, separators=(",", ":"))


def _usage(rng: random.Random, big: bool) -> dict:
    write = rng.randrange(0, 40_000)
    one_hour = rng.choice([0, 0, write // 2, write])
    return {"input_tokens": rng.randrange(1, 4_000), "output_tokens": rng.randrange(1, 3_000),
            "cache_creation_input_tokens": write, "cache_read_input_tokens": rng.randrange(150_000, 400_000) if big
            else rng.randrange(0, 120_000),
            "cache_creation": {"ephemeral_5m_input_tokens": write - one_hour, "ephemeral_1h_input_tokens": one_hour}}


def generate(root: Path, seed: int = 2026) -> None:
    """Seeded logs with the corners: streamed responses on several lines, lines without
    requestId (written twice), <synthetic> entries, 1-hour writes, requests above 200k, lines
    without message.id, subagent files, malformed lines, and a resumed session."""
    rng = random.Random(seed)
    random.seed(seed)
    models = ["claude-sonnet-4-5", "claude-sonnet-4-6", "claude-opus-4-7", "claude-haiku-4-5"]
    base = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    sessions: dict[str, list[str]] = {}
    for s in range(14):
        sid = f"{rng.getrandbits(32):08x}-gen-{s:02d}"
        start = base + timedelta(hours=rng.randrange(0, 24 * 40))
        lines = []
        for n in range(rng.randrange(2, 12)):
            ts = start + timedelta(minutes=3 * n)
            model = rng.choice(models)
            usage = _usage(rng, rng.random() < 0.2)
            kind = rng.random()
            if kind < 0.15:  # no requestId: the same response on two lines
                lines += [_line(sid, ts, f"msg_{s}_{n}", None, model, usage)] * 2
            elif kind < 0.2:  # no message id at all
                lines.append(_line(sid, ts, None, None, model, usage))
            else:  # streamed: output grows over 1-3 lines
                copies = rng.randrange(1, 4)
                for c in range(copies):
                    part = dict(usage, output_tokens=max(1, usage["output_tokens"] * (c + 1) // copies))
                    lines.append(_line(sid, ts + timedelta(milliseconds=c), f"msg_{s}_{n}", f"req_{s}_{n}", model,
                                       part))
            if rng.random() < 0.1:
                zero = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0}
                lines.append(_line(sid, ts, f"msg_{s}_{n}_err", f"req_{s}_{n}_err", "<synthetic>", zero))
            if rng.random() < 0.05:
                lines.append('{"type":"assistant","message":{"id":"cut off')
        sessions[sid] = lines
        if rng.random() < 0.3:
            sub = [_line(sid, start + timedelta(minutes=1, seconds=k), f"msg_{s}_sub{k}", f"req_{s}_sub{k}",
                         "claude-haiku-4-5", _usage(rng, False), True) for k in range(rng.randrange(1, 4))]
            path = root / "-home-dev-app" / sid / "subagents" / f"agent-{s}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(sub) + "\n", encoding="utf-8")
    # A resumed session: the new file starts with the old session's lines (old sessionId kept).
    old = sorted(sessions)[-1]
    new = f"{rng.getrandbits(32):08x}-gen-resumed"
    later = base + timedelta(days=41)
    sessions[new] = sessions[old] + [_line(new, later + timedelta(minutes=k), f"msg_r_{k}", f"req_r_{k}",
                                           "claude-sonnet-4-5", _usage(rng, False)) for k in range(3)]
    # A session with one assistant line whose message.id is JSON null (ccusage drops it; we count it).
    lone = f"{rng.getrandbits(32):08x}-gen-null-message-id"
    sessions[lone] = [_line(lone, later, f"msg_l_{k}", f"req_l_{k}", "claude-haiku-4-5", _usage(rng, False))
                      for k in range(2)]
    sessions[lone].append(_line(lone, later, None, None, "claude-haiku-4-5", _usage(rng, False), null_id=True))
    for sid, lines in sessions.items():
        path = root / "-home-dev-app" / f"{sid}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=Path, action="append", help="a projects folder to compare (repeatable); "
                        "default: a generated set and the agentx demo's logs")
    parser.add_argument("--ccusage", type=Path, default=DEFAULT_CCUSAGE, help="the ccusage executable")
    args = parser.parse_args(argv)
    if not args.ccusage.exists():
        print(f"No ccusage at {args.ccusage}. Install it: npm install --prefix bench/.npm ccusage@20.0.24",
              file=sys.stderr)
        return 2
    version = subprocess.run([str(args.ccusage), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}; ours: queries.sources.claude_code_sessions.ClaudeLogs")
    unexplained = 0
    with tempfile.TemporaryDirectory(prefix="ccusage-data-") as tmp:
        folders = [(str(p), p.expanduser()) for p in args.projects or []]
        if not folders:
            generated = Path(tmp) / "generated"
            generate(generated)
            from queries.sources.agentx_demo import write_agentx_demo

            demo = Path(tmp) / "agentx-demo"
            write_agentx_demo(demo, date(2026, 3, 31))
            folders = [("generated (bench/ccusage_compare.py generate, seed 2026)", generated),
                       ("agentx demo (queries/sources/agentx_demo.py, end day 2026-03-31)", demo / "projects")]
        for name, folder in folders:
            unexplained += compare(name, folder, args.ccusage)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
