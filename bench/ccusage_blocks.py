"""Compare our 5-hour windows (queries/blocks.py) with ccusage's `blocks --json --offline`.

    npm install --prefix /tmp/ccu ccusage@20.0.24                       # once
    python bench/ccusage_blocks.py [--ccusage /tmp/ccu/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage]

Generates seeded Claude Code logs (compact JSON, as Claude Code writes them: ccusage reads no
line with spaces after the colons) whose last requests are minutes old, so one window is active;
with pauses longer than 5 hours (gaps), a request exactly 5 hours after a window's start, and
subagent files. Then prints, window by window, start, end, requests, tokens, cost and burn rate
of both, and the active window's projection. ccusage runs with HOME pointed at a temporary copy,
so it reads nothing else on this machine. Used here only, never by .ci/run or the app.
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
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CCUSAGE = "/tmp/ccu/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage"
MODELS = ("claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001")


def _line(session: str, at: datetime, n: int, model: str, rng: random.Random, sidechain: bool) -> str:
    usage = {"input_tokens": rng.randrange(1, 400), "cache_creation_input_tokens": rng.randrange(0, 20_000),
             "cache_read_input_tokens": rng.randrange(0, 120_000), "output_tokens": rng.randrange(1, 3_000)}
    record = {"parentUuid": None, "isSidechain": sidechain, "userType": "external", "cwd": "/home/dev/app",
              "sessionId": session, "version": "2.0.31", "type": "assistant", "requestId": f"req_{session}_{n}",
              "message": {"id": f"msg_{session}_{n}", "type": "message", "role": "assistant", "model": model,
                          "content": [{"type": "text", "text": "ok"}], "usage": usage},
              "uuid": f"{session}-{n}", "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"}
    return json.dumps(record, separators=(",", ":"))


def generate(root: Path, now: datetime, seed: int = 7) -> None:
    """Ten days of requests, the last three 50 to 20 minutes before `now`, in 6 sessions and 2 subagent files."""
    rng = random.Random(seed)
    times = []
    at = (now - timedelta(days=10)).replace(minute=0, second=0, microsecond=0) + timedelta(minutes=13)
    while at < now - timedelta(minutes=20):
        times.append(at)
        step = rng.choice([timedelta(minutes=rng.randrange(1, 40))] * 6 + [timedelta(hours=rng.randrange(5, 14))])
        at += step
    first = times[0].replace(minute=0, second=0, microsecond=0)
    times.append(first + timedelta(hours=5))  # exactly 5 h after a window's start: still that window
    times = sorted(set(t for t in times if t < now - timedelta(minutes=50)))
    times += [now - timedelta(minutes=50), now - timedelta(minutes=37), now - timedelta(minutes=20)]
    files: dict[Path, list[str]] = {}
    for n, t in enumerate(times):
        s = n * 6 // len(times)
        session = f"session-{s}"
        sub = rng.random() < 0.15
        path = root / "-home-dev-app" / (f"{session}/subagents/agent-{s}.jsonl" if sub else f"{session}.jsonl")
        files.setdefault(path, []).append(_line(session, t, n, MODELS[rng.randrange(3)], rng, sub))
    for path, lines in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ours(root: Path, now: datetime):
    from queries.blocks import usage_blocks
    from queries.sources.claude_code import open_claude_code

    source = open_claude_code(root)
    try:
        cat = source.kind.catalog(source)
        return usage_blocks(source, source.kind.price_book(source, cat, None, True), now)
    finally:
        source.close()


def theirs(ccusage: str, root: Path) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="ccusage-home-") as home:
        shutil.copytree(root, Path(home) / ".claude" / "projects")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "NO_COLOR": "1", "TZ": "UTC",
               "XDG_CONFIG_HOME": str(Path(home) / ".config")}
        done = subprocess.run([ccusage, "claude", "blocks", "--json", "--offline"], env=env, capture_output=True,
                              text=True, check=True, timeout=600)
    return json.loads(done.stdout)["blocks"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ccusage", default=CCUSAGE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        root = Path(tmp) / "projects"
        now = datetime.now(timezone.utc)
        generate(root, now)
        mine = ours(root, now)
        other = theirs(args.ccusage, root)
    print(f"{len(mine)} windows and gaps (ours), {len(other)} (ccusage)")
    same_shape = 0
    for b, o in zip(mine, other):
        start = datetime.fromisoformat(o["startTime"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(o["endTime"].replace("Z", "+00:00"))
        tc = o["tokenCounts"]
        theirs_tokens = (tc["inputTokens"], tc["outputTokens"], tc["cacheReadInputTokens"],
                         tc["cacheCreationInputTokens"])
        mine_tokens = (b.input_tokens, b.output_tokens, b.cache_read_tokens, b.cache_write_tokens)
        match = (b.start == start and b.end == end and b.is_gap == o["isGap"] and b.is_active == o["isActive"]
                 and b.requests == o["entries"] and mine_tokens == theirs_tokens)
        same_shape += match
        rate = o.get("burnRate") or {}
        print(f"{'=' if match else '!'} {b.start:%m-%d %H:%M}-{b.end:%m-%d %H:%M} gap={b.is_gap!s:5} active={b.is_active!s:5} "
              f"n={b.requests:3}/{o['entries']:3} tokens={b.total_tokens:>9}/{o['totalTokens']:>9} "
              f"cost={b.cost:9.4f}/{o['costUSD']:9.4f} "
              f"tpm={(b.tokens_per_minute or 0):10.1f}/{(rate.get('tokensPerMinute') or 0):10.1f} "
              f"usd/h={(b.cost_per_hour or 0):8.3f}/{(rate.get('costPerHour') or 0):8.3f}")
        if b.is_active:
            print(f"  active projection: tokens {b.projected_tokens}/{(o.get('projection') or {}).get('totalTokens')} "
                  f"cost {b.projected_cost}/{(o.get('projection') or {}).get('totalCost')} "
                  f"minutes left {b.minutes_left}/{(o.get('projection') or {}).get('remainingMinutes')}")
    print(f"{same_shape} of {max(len(mine), len(other))} windows equal in start, end, gap, active, requests and tokens")
    return 0 if same_shape == len(mine) == len(other) else 1


if __name__ == "__main__":
    sys.exit(main())
