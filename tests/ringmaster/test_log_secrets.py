"""Issue 12: secrets never reach the logs: the audit key, API keys, tokens, session cookies,
passwords in database URLs, whether in a message, its arguments, an extra or a traceback."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from ringmaster import logs
from ringmaster.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "rm_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v"
COOKIE = "Zq9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8cB7aZ6y"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path,
        db_url="postgresql://ringmaster:pg-pass-123@db.example:5432/rm",
        model_api_key=SecretStr("sk-model-key-456"),
        smtp_password=SecretStr("smtp-pass-789"),
        notify_webhook_secret=SecretStr("hook-secret-000"),
    )


def log_everything(log: logging.Logger, settings: Settings) -> None:
    key = settings.audit_secret().decode()
    log.warning("audit key is %s", key)
    log.warning("connecting to %s", settings.db_url)
    log.info("got header Authorization: Bearer %s and Cookie: rm_session=%s", TOKEN, COOKIE)
    log.info("request", extra={"body": json.dumps({"api_key": "sk-model-key-456"})})
    log.info("sent with smtp-pass-789 and hook-secret-000, token %s", TOKEN)
    try:
        raise RuntimeError(f"cannot log in with {key}")
    except RuntimeError:
        log.exception("failed")


def secrets_of(settings: Settings) -> list[str]:
    return [
        settings.audit_secret().decode(),
        "pg-pass-123",
        "sk-model-key-456",
        "smtp-pass-789",
        "hook-secret-000",
        TOKEN,
        COOKIE,
    ]


def test_the_filter_hides_every_secret_from_captured_records(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(logs.SecretFilter(settings.secret_values()))
    with caplog.at_level(logging.INFO):
        log_everything(logging.getLogger("ringmaster.test"), settings)
    text = caplog.text + "".join(str(vars(r)) for r in caplog.records)
    assert len(caplog.records) == 6 and "RuntimeError: cannot log in with [redacted]" in caplog.text
    for secret in secrets_of(settings):
        assert secret not in text, secret
    assert "postgresql://ringmaster:[redacted]@db.example:5432/rm" in caplog.text  # rest stays


def test_serve_logs_hide_them_as_json_lines(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure("info", "json", settings.secret_values())
        log_everything(logging.getLogger("ringmaster.test"), settings)
    finally:
        root.handlers, root.level = saved[0], saved[1]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert len(lines) == 6 and "RuntimeError" in lines[-1]["exception"]
    for secret in secrets_of(settings):
        assert secret not in json.dumps(lines), secret


def test_a_cli_error_does_not_show_the_database_password(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "RINGMASTER_HOME": str(tmp_path),
        "RINGMASTER_DB_URL": "postgresql://ringmaster:pg-pass-123@127.0.0.1:1/nowhere",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "ringmaster.cli", "review", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "pg-pass-123" not in proc.stderr + proc.stdout and "***" in proc.stderr


def test_no_secret_of_the_settings_is_in_their_repr(settings: Settings) -> None:
    shown = repr(settings) + str(settings)
    for secret in secrets_of(settings)[1:5]:  # the audit key is read only when asked for
        assert secret not in shown, secret
    assert "postgresql://ringmaster:***@db.example:5432/rm" in shown
    assert settings.db_url and "pg-pass-123" in settings.db_url  # the value itself is kept


def test_a_url_password_is_hidden_and_nothing_else_is_touched() -> None:
    from ringmaster.settings import hide_url_passwords

    said = "cannot reach postgresql://rm:s3cret@db:5432/rm; ask ops@example.com"
    assert hide_url_passwords(said) == (
        "cannot reach postgresql://rm:***@db:5432/rm; ask ops@example.com"
    )
    # A URL with a port and no password stays whole, whatever follows it on the line.
    plain = "postgresql://db:5432/rm; ask ops@example.com"
    assert hide_url_passwords(plain) == plain


def test_the_log_filter_hides_what_the_product_redacts_from_requests(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The log filter kept its own patterns, narrower than tools/redaction.py's list: a
    password said in words, a provider key, a card number reached the logs whole."""
    from ringmaster.tools.redaction import redact

    caplog.handler.addFilter(logs.SecretFilter())
    said = [
        "my password is hunter2",
        "calling the model with sk-proj-Abc123def456GHI789jkl",
        "card 4111 1111 1111 1111 on file",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    ]
    with caplog.at_level(logging.INFO):
        log = logging.getLogger("ringmaster.test")
        for text in said:
            log.info("request: %s", text)
        # What the filter caught before stays caught, now by the one list.
        log.info("connecting to postgresql://rm:s3cr3t-pw@db:5432/rm")
        log.info("header Authorization: Basic dXNlcjpwYXNz, db_password=pw1234")
        log.info("sent Cookie: sid=Zq9yX8wV7uT6 and session=abcd; csrf_token=%s", "qwer5678")
        log.info('body {"api_key": "short-key-1", "token": "t0k3n-value"}')
    for text, record in zip(said, caplog.records, strict=False):
        assert record.getMessage() == f"request: {redact(text)}", record.getMessage()
    for secret in ("hunter2", "sk-proj", "4111", "MIIEow", "s3cr3t-pw", "dXNlcjpwYXNz"):
        assert secret not in caplog.text, secret
    for secret in ("pw1234", "Zq9yX8wV7uT6", "abcd", "qwer5678", "short-key-1", "t0k3n-value"):
        assert secret not in caplog.text, secret
    assert "postgresql://rm:[redacted]@db:5432/rm" in caplog.text  # the rest stays
