"""No test asserts how long something took (the README promises it; bench/ measures speed).

A wall-clock bound fails on a loaded CI machine although nothing is wrong, so an assert may
not read a clock, directly or through a name the same function set from a clock. Timings go
to bench/ and the README's figures; tests assert correctness (nothing lost, nothing failed,
equal numbers).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = {"time", "monotonic", "perf_counter", "process_time", "monotonic_ns", "perf_counter_ns", "time_ns"}


def _reads_clock(node: ast.AST, clock_names: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in CLOCKS \
                and isinstance(sub.func.value, ast.Name) and sub.func.value.id == "time":
            return True
        if isinstance(sub, ast.Name) and sub.id in clock_names:
            return True
    return False


def wall_clock_asserts(source: str) -> list[int]:
    """Line numbers of asserts that read a clock, in the functions of one test module."""
    found: list[int] = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        clock_names: set[str] = set()
        for node in ast.walk(func):  # names set from a clock, e.g. `started = time.monotonic()`
            if isinstance(node, ast.Assign) and _reads_clock(node.value, clock_names):
                clock_names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        found += [node.lineno for node in ast.walk(func)
                  if isinstance(node, ast.Assert) and _reads_clock(node.test, clock_names)]
    return found


def test_the_check_finds_an_assert_on_elapsed_time():
    assert wall_clock_asserts("import time\ndef test_x():\n    started = time.perf_counter()\n    work()\n"
                              "    assert time.perf_counter() - started < 60\n") == [5]
    assert wall_clock_asserts("def test_y():\n    began = time.monotonic()\n    took = time.monotonic() - began\n"
                              "    assert took < 1\n") == [4]
    assert wall_clock_asserts("def test_z():\n    deadline = time.monotonic() + 5\n    assert count() == 3\n") == []


def test_no_test_asserts_a_wall_clock_time():
    offenders = {str(path.relative_to(TESTS)): lines for path in sorted(TESTS.rglob("*.py"))
                 if (lines := wall_clock_asserts(path.read_text()))}
    assert offenders == {}
