"""The gate's tests catch a broken gate: each hand-made mutant of pages/common/auth.py below is
applied to a copy of the project, and the tests named beside it must fail there.

A mutant is one small source change of the kind a slip makes (a check that returns True, a
delay without its cap, the hash computed before the throttle). Each change must apply exactly
once, so a mutant that no longer matches the code fails here instead of silently testing
nothing; and the unmutated copy passes the same tests (the first case), so a failure is the
mutant's doing. The real-server form of the throttle's key (50 User-Agents from one address)
is in tests/browser/test_gate.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from factories import ROOT

AUTH = Path("pages/common/auth.py")

# (name, original text, replacement, tests in tests/test_auth.py that must fail)
MUTANTS = [
    ("unchanged", "", "", []),
    ("check_password returns True",
     "    if hashed:\n        try:", "    return True\n    if hashed:\n        try:",
     ["test_a_wrong_password_is_refused_against_admin_password_hash",
      "test_a_wrong_password_is_refused_against_the_hash_in_secrets_toml",
      "test_a_wrong_password_is_refused_against_the_plain_password_in_secrets_toml",
      "test_a_malformed_hash_keeps_the_gate_shut_even_for_the_plain_password",
      "test_an_empty_password_is_refused"]),
    ("the hash comparison returns True",
     "return hmac.compare_digest(digest, bytes.fromhex(digest_hex))", "return True",
     ["test_a_wrong_password_is_refused_against_admin_password_hash",
      "test_a_wrong_password_is_refused_against_the_hash_in_secrets_toml",
      "test_a_wrong_password_does_not_match_the_hash"]),
    ("a malformed hash lets anyone in",
     "        except (ValueError, TypeError):\n            return False",
     "        except (ValueError, TypeError):\n            return True",
     ["test_a_malformed_hash_refuses_every_password",
      "test_a_malformed_hash_keeps_the_gate_shut_even_for_the_plain_password"]),
    ("the hash scheme is not checked",
     "            if scheme != HASH_SCHEME:\n                return False\n", "",
     ["test_a_malformed_hash_refuses_every_password"]),
    ("the environment's hash is ignored",
     '(os.environ.get("ADMIN_PASSWORD_HASH"), os.environ.get("ADMIN_PASSWORD"))',
     '(None, os.environ.get("ADMIN_PASSWORD"))',
     ["test_the_right_password_opens_against_admin_password_hash"]),
    ("the delay has no cap",
     "min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_TRIES + 1))", "2 ** (failures - FREE_TRIES + 1)",
     ["test_the_delay_doubles_after_five_free_tries_up_to_300_seconds",
      "test_a_client_that_waits_out_each_delay_waits_at_most_300_seconds"]),
    ("the throttle never delays",
     "if known is not None and known.locked_until > now:", "if False:",
     ["test_a_try_inside_the_delay_is_refused_with_the_time_left",
      "test_a_locked_client_gets_no_hash_computed"]),
    ("the hash is computed before the throttle",
     "    admission = throttle.admit(",
     '    check_password(password or "", plain=plain, hashed=hashed)\n    admission = throttle.admit(',
     ["test_a_locked_client_gets_no_hash_computed", "test_the_server_wide_budget_refuses_before_hashing"]),
    ("no server-wide budget",
     "if len(self.recent) >= budget_per_minute:", "if False:",
     ["test_the_server_wide_budget_refuses_tries_from_fresh_addresses_for_the_rest_of_the_minute",
      "test_the_server_wide_budget_refuses_before_hashing"]),
    ("old clients are never forgotten",
     "if oldest.last_try > now - FORGET_AFTER_SECONDS:", "if True:",
     ["test_a_clients_wrong_tries_are_forgotten_an_hour_after_the_last"]),
    ("no cap on remembered clients",
     "while len(self.clients) > MAX_CLIENTS:", "while False:",
     ["test_memory_stays_bounded_after_100000_distinct_clients"]),
    ("X-Forwarded-For is believed from anyone",
     "if networks and forwarded_for and is_trusted(address):", "if forwarded_for:",
     ["test_x_forwarded_for_is_ignored_unless_the_connection_is_a_trusted_proxy"]),
    ("a token's signature is not checked",
     'if not hmac.compare_digest(mac.encode(), self._mac(fingerprint, f"{expires}.{nonce}").encode()):',
     "if False:",
     ["test_a_token_with_a_later_expiry_written_in_is_refused", "test_another_server_process_refuses_the_token",
      "test_a_token_is_refused_after_the_password_changes"]),
    ("a token is not bound to the password",
     'b"stay-signed-in\\0" + fingerprint.encode()', 'b"stay-signed-in\\0"',
     ["test_a_token_is_refused_after_the_password_changes"]),
    ("a token never expires",
     "if expires <= now:", "if False:",
     ["test_a_token_holds_for_its_password_until_it_expires"]),
    ("an open session's token is not rechecked",
     'token = st.session_state.get("login_token")', "token = None",
     ["test_an_open_session_is_signed_out_when_its_token_is_revoked",
      "test_an_open_session_is_signed_out_when_the_password_changes"]),
    ("Log out does not revoke the token",
     "            LOGINS.revoke(token)\n", "            pass\n",
     ["test_log_out_revokes_the_sessions_token"]),
    ("Log out's revocation is ignored",
     "if nonce in self._revoked:", "if False:",
     ["test_a_revoked_token_is_refused"]),
]


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's code and tests, copied once; each mutant rewrites auth.py in it."""
    copy = tmp_path_factory.mktemp("mutants") / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "artifacts", "__pycache__",
                                                                ".pytest_cache", ".hypothesis", "*.db", "*.duckdb"))
    return copy


@pytest.mark.parametrize("name, original, replacement, must_fail", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_the_gate_tests_catch_the_mutant(project_copy: Path, name: str, original: str, replacement: str,
                                        must_fail: list[str]):
    source = (ROOT / AUTH).read_text(encoding="utf-8")
    if original:
        assert source.count(original) == 1, f"mutant {name!r} no longer matches auth.py exactly once"
    (project_copy / AUTH).write_text(source.replace(original, replacement) if original else source, encoding="utf-8")
    selection = " or ".join(must_fail) if must_fail else "hash or token or delay or budget or password"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
                           "tests/test_auth.py", "-k", selection],
                          cwd=project_copy, capture_output=True, text=True, timeout=600, check=False)
    failed = {line.split("::", 1)[1].split(" ", 1)[0].split("[", 1)[0]
              for line in done.stdout.splitlines() if line.startswith("FAILED tests/test_auth.py::")}
    if not must_fail:
        assert done.returncode == 0, f"the unmutated copy fails:\n{done.stdout[-3000:]}"
        return
    assert done.returncode != 0, f"no test failed for mutant {name!r}:\n{done.stdout[-2000:]}"
    assert set(must_fail) <= failed, f"mutant {name!r}: still passing: {sorted(set(must_fail) - failed)}"
