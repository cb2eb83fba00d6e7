"""Keys that protect: a minimum strength, owner-only key files, and a fingerprint in every
cleaned round so that a changed or lost key is an error naming the rounds, not new pids."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from pathlib import Path

import pytest

from exchange_eval.clean.keys import (
    KEY_FILE_NAME,
    MIN_KEY_BITS,
    KeyMismatchError,
    WeakKeyError,
    key_fingerprint,
    key_strength_bits,
    load_key,
    round_key,
)
from exchange_eval.clean.pipeline import clean_round
from exchange_eval.core.config import Environment
from exchange_eval.core.paths import Workspace
from support import run_cli

ROUNDS = ("jsr-2025-fr", "salex-2025")


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch):
    monkeypatch.delenv("EXCHANGE_EVAL_KEY", raising=False)
    monkeypatch.delenv("EXCHANGE_EVAL_KEY_FILE", raising=False)


@pytest.mark.parametrize(
    ("key", "bits"),
    [
        (b"a", 4.0),  # one hexadecimal digit
        (b"z" * 40, 4.700439718141092),  # one block repeated counts once
        (b"00112233445566778899aabbccddeeff", 128.0),  # 32 hexadecimal digits
        ("une phrase secrète".encode(), 3 * 12.92481250360578),  # three words
        (b"Tr0ub4dor&3", 11 * 6.569855608330948),  # 95-character pool
        (bytes(range(20)), 160.0),  # not text: 8 bits a byte
    ],
)
def test_strength_follows_the_documented_rule(key, bits):
    assert key_strength_bits(key) == pytest.approx(bits)


@pytest.mark.parametrize("key", ["a", "password", "une phrase secrète", "Tr0ub4dor&3", "0" * 64,
                                 "abcabcabcabcabcabcabcabcabcabcabc"])
def test_short_or_simple_keys_are_refused(tmp_path, key):
    with pytest.raises(WeakKeyError, match="at least 128 bits") as info:
        load_key(tmp_path, key=key)
    assert info.value.exit_code == 1


@pytest.mark.parametrize("key", ["9f1c2e7a5b30d4e8a6c1f2b7d9e04a3c", "q7Xk2LmP9vR4tZ8wN3bJ6yHs1E",
                                 "correct horse battery staple orbit velvet lantern quarry mosaic drift"])
def test_strong_keys_are_accepted(tmp_path, key):
    assert key_strength_bits(key.encode()) >= MIN_KEY_BITS
    assert load_key(tmp_path, key=key) == key.encode()


def test_a_weak_key_file_is_refused_too(tmp_path):
    path = tmp_path / KEY_FILE_NAME
    path.write_text("secret\n", encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(WeakKeyError, match=str(path)):
        load_key(tmp_path)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o666])
def test_a_key_file_other_users_can_read_is_refused(tmp_path, mode):
    load_key(tmp_path)
    path = tmp_path / KEY_FILE_NAME
    path.chmod(mode)
    with pytest.raises(WeakKeyError) as info:
        load_key(tmp_path)
    assert f"chmod 600 {path}" in str(info.value)
    assert stat.S_IMODE(path.stat().st_mode) == mode  # refused, not silently changed


def test_a_short_key_is_refused_by_the_command_line(tmp_path, demo_raw):
    data = tmp_path / "data"
    shutil.copytree(demo_raw / ROUNDS[0], data / "raw" / ROUNDS[0])
    result = run_cli_with_key("a", "--data-dir", str(data), "clean", ROUNDS[0])
    assert result.returncode == 1
    assert "EXCHANGE_EVAL_KEY holds about 4 bits" in result.stderr and "Traceback" not in result.stderr
    assert not (data / "processed").exists()


def run_cli_with_key(key: str | None, *args: str):
    env_key = os.environ.pop("EXCHANGE_EVAL_KEY", None)
    try:
        if key is not None:
            os.environ["EXCHANGE_EVAL_KEY"] = key
        return run_cli(*args)
    finally:
        os.environ.pop("EXCHANGE_EVAL_KEY", None)
        if env_key is not None:
            os.environ["EXCHANGE_EVAL_KEY"] = env_key


def test_the_fingerprint_is_an_hmac_and_tells_keys_apart():
    a, b = secrets.token_hex(32).encode(), secrets.token_hex(32).encode()
    assert key_fingerprint(a) == key_fingerprint(a) != key_fingerprint(b)
    assert a.decode() not in key_fingerprint(a) and len(key_fingerprint(a)) == 16


@pytest.fixture
def cleaned(tmp_path, demo_raw) -> Workspace:
    data = tmp_path / "data"
    for round_id in ROUNDS:
        shutil.copytree(demo_raw / round_id, data / "raw" / round_id)
    ws = Workspace.from_options(data, tmp_path / "reports")
    for round_id in ROUNDS:
        clean_round(ws, round_id)
    return ws


def test_each_cleaned_round_keeps_the_fingerprint_not_the_key(cleaned):
    key = (cleaned.data_dir / KEY_FILE_NAME).read_text().strip()
    for round_id in ROUNDS:
        text = (cleaned.processed_round(round_id) / "meta.json").read_text(encoding="utf-8")
        assert json.loads(text)["key_fingerprint"] == key_fingerprint(key.encode())
        assert key not in text


def test_a_changed_key_is_refused_naming_the_rounds(cleaned):
    other = Workspace.from_options(cleaned.data_dir, cleaned.reports_dir,
                                   environment=Environment(key=secrets.token_hex(32)))
    with pytest.raises(KeyMismatchError) as info:
        clean_round(other, ROUNDS[0])
    assert info.value.rounds == sorted(ROUNDS) and info.value.exit_code == 1
    assert "--rekey" in str(info.value)
    with pytest.raises(KeyMismatchError):
        round_key(other)  # what build checks first, even when there is nothing to clean


def test_a_changed_key_is_refused_by_clean_and_build(cleaned):
    before = {r: (cleaned.processed_round(r) / "meta.json").read_bytes() for r in ROUNDS}
    new_key = secrets.token_hex(32)
    args = ("--data-dir", str(cleaned.data_dir), "--reports-dir", str(cleaned.reports_dir))
    for command in (("clean", ROUNDS[0]), ("clean", "--all"), ("build", "--format", "html")):
        result = run_cli_with_key(new_key, *args, *command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert f"rounds {', '.join(sorted(ROUNDS))} were cleaned with" in result.stderr
        assert "Nothing to do" not in result.stdout and "Traceback" not in result.stderr
    assert before == {r: (cleaned.processed_round(r) / "meta.json").read_bytes() for r in ROUNDS}


def test_rekey_cleans_every_round_with_the_new_key(cleaned):
    new_key = secrets.token_hex(32)
    args = ("--data-dir", str(cleaned.data_dir))
    result = run_cli_with_key(new_key, *args, "clean", "--rekey")
    assert result.returncode == 0, result.stderr
    for round_id in ROUNDS:
        meta = json.loads((cleaned.processed_round(round_id) / "meta.json").read_text(encoding="utf-8"))
        assert meta["key_fingerprint"] == key_fingerprint(new_key.encode())
    assert run_cli_with_key(new_key, *args, "clean", ROUNDS[0]).returncode == 0


def test_a_deleted_key_file_is_not_silently_replaced(cleaned):
    path = cleaned.data_dir / KEY_FILE_NAME
    path.unlink()
    result = run_cli_with_key(None, "--data-dir", str(cleaned.data_dir), "clean", ROUNDS[1])
    assert result.returncode == 1
    assert f"the key file {path} is missing, but rounds {', '.join(sorted(ROUNDS))}" in result.stderr
    assert not path.exists()  # no new key made behind the user's back
    # --rekey makes a new one and cleans every round with it
    assert run_cli_with_key(None, "--data-dir", str(cleaned.data_dir), "clean", "--rekey").returncode == 0
    assert path.is_file()


def test_validation_does_not_need_the_same_key(cleaned):
    from exchange_eval.clean.pipeline import validate_round

    other = Workspace.from_options(cleaned.data_dir, cleaned.reports_dir,
                                   environment=Environment(key=secrets.token_hex(32)))
    assert not [p for p in validate_round(other, ROUNDS[0]) if p.severity == "error"]


def test_key_file_path_from_the_environment_is_checked_too(tmp_path):
    path = tmp_path / "elsewhere.key"
    path.write_text(secrets.token_hex(32), encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(WeakKeyError, match="chmod 600"):
        load_key(tmp_path / "data", key_file=Path(path))
