"""Benchmark: does the admin get in while a script hammers the login with wrong passwords?

One command, from the repository root (about two minutes):

    .venv/bin/python bench/login.py

It starts the real server (`streamlit run app.py`, bound to 127.0.0.1 only) with a password
hash at the full 600,000 PBKDF2 rounds, signs in once to build the demo mirror, then measures
the admin's right password from its own loopback address (127.0.0.3), several times each:

* baseline: nobody else is trying;
* one address: attacker threads send wrong passwords from 127.0.0.2 as fast as the server
  answers (a new websocket session per try, a new User-Agent per try);
* many addresses: the same, each try from a new source address (127.0.10.x …), which is what
  the server-wide budget is for.

Every attack loop is bounded (`--seconds`, and at most `--max-tries` per thread). Printed per
phase: the admin's answer times (median, max; "in" = until the signed-in page's first elements
arrive, i.e. the gate's answer; "page" = until the whole Token Usage page has run), the attacker's tries and how many of them were
checked against the hash ("Wrong password") or refused before it, and the server's CPU use
(from /proc). `--app-dir` runs another checkout's app.py instead (e.g. an older commit
unpacked with `git archive`), for a before/after comparison in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from login_client import try_password_sync  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-admin-pw-41c9"
ITERATIONS = 600_000  # the app's HASH_ITERATIONS: what a configured hash really costs
ADMIN = "127.0.0.3"


def _hash(password: str) -> str:
    salt = os.urandom(16)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${hashlib.pbkdf2_hmac('sha256', password.encode(), salt, ITERATIONS).hex()}"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start(app_dir: Path, port: int, home: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("USAGE_", "ADMIN_"))}
    env.update(ADMIN_PASSWORD_HASH=_hash(PASSWORD), HOME=str(home), XDG_CACHE_HOME=str(home / "cache"))
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                "--server.address", "127.0.0.1", "--server.headless", "true"],
                               cwd=app_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise SystemExit("the server did not start")


def _attack(url: str, stop: threading.Event, sources, counts: dict, max_tries: int) -> None:
    for i in range(max_tries):
        if stop.is_set():
            return
        source = next(sources)
        try:
            answer = try_password_sync(url, "wrong-guess", source=source, user_agent=f"hammer/{i}")
        except Exception:  # noqa: BLE001 (a refused or dropped connection counts as an error, not a crash)
            counts["errors"] += 1
            continue
        counts["tries"] += 1
        counts["checked" if any("Wrong password" in e for e in answer.errors) else "refused"] += 1


def _phase(url: str, pid: int, name: str, sources, threads: int, seconds: float, logins: int,
           max_tries: int) -> dict:
    counts = {"tries": 0, "checked": 0, "refused": 0, "errors": 0}
    stop = threading.Event()
    lock = threading.Lock()

    def next_source():
        with lock:
            return next(sources) if sources else None

    class Shared:
        def __next__(self):
            return next_source()

    workers = [threading.Thread(target=_attack, args=(url, stop, Shared(), counts, max_tries), daemon=True)
               for _ in range(threads if sources else 0)]
    cpu0, t0 = _cpu_seconds(pid), time.monotonic()
    for worker in workers:
        worker.start()
    time.sleep(2.0 if workers else 0.0)  # let the hammering get going
    times, first_times, refused = [], [], 0
    gap = max(0.5, (seconds - 2.0) / logins)
    for _ in range(logins):
        answer = try_password_sync(url, PASSWORD, source=ADMIN)
        times.append(answer.seconds)
        if answer.first_seconds is not None:
            first_times.append(answer.first_seconds)
        refused += not answer.signed_in
        time.sleep(gap)
    stop.set()
    for worker in workers:
        worker.join(60)
    elapsed = time.monotonic() - t0
    cpu = (_cpu_seconds(pid) - cpu0) / elapsed
    result = {"phase": name, "admin_logins": logins, "admin_refused": refused,
              "admin_in_median_s": round(statistics.median(first_times), 3) if first_times else None,
              "admin_in_max_s": round(max(first_times), 3) if first_times else None,
              "admin_page_median_s": round(statistics.median(times), 3), "admin_page_max_s": round(max(times), 3),
              "attack_tries": counts["tries"], "checked_against_hash": counts["checked"],
              "refused_before_hash": counts["refused"], "attack_errors": counts["errors"],
              "attack_seconds": round(elapsed, 1), "server_cpu_cores": round(cpu, 2)}
    print(json.dumps(result), flush=True)
    return result


def _many_addresses():
    i = 0
    while True:
        i += 1
        yield f"127.0.{10 + i // 250}.{1 + i % 250}"


def _one_address():
    while True:
        yield "127.0.0.2"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="checkout whose app.py to serve")
    parser.add_argument("--port", type=int, default=8599)
    parser.add_argument("--threads", type=int, default=4, help="attacker threads")
    parser.add_argument("--seconds", type=float, default=25.0, help="length of each attack phase")
    parser.add_argument("--logins", type=int, default=7, help="admin logins per phase")
    parser.add_argument("--max-tries", type=int, default=2000, help="wrong tries per attacker thread, at most")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as home:
        process = _start(args.app_dir.resolve(), args.port, Path(home))
        url = f"http://127.0.0.1:{args.port}"
        try:
            try_password_sync(url, PASSWORD, source=ADMIN)  # builds the demo mirror: not measured
            results = [
                _phase(url, process.pid, "baseline", None, 0, args.seconds, args.logins, args.max_tries),
                _phase(url, process.pid, "one address", _one_address(), args.threads, args.seconds, args.logins,
                       args.max_tries),
                _phase(url, process.pid, "many addresses", _many_addresses(), args.threads, args.seconds,
                       args.logins, args.max_tries),
            ]
        finally:
            process.terminate()
            process.wait(20)
    attacked = [r for r in results if r["phase"] != "baseline"]
    print(f"under attack: admin refused {sum(r['admin_refused'] for r in attacked)} times; slowest sign-in "
          f"{max((r['admin_in_max_s'] or 0) for r in attacked):.2f} s to the signed-in page's first elements, "
          f"{max(r['admin_page_max_s'] for r in attacked):.2f} s to the whole page (target: answered within 2 s); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
