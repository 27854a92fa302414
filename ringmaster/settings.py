"""Settings: the one place that reads the environment (variables prefixed RINGMASTER_)."""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ringmaster.private_files import private_dir
from ringmaster.tools.redaction import URL_PASSWORD  # the one pattern: CLI messages, repr, logs


def default_home() -> Path:
    """The platform's user data directory for ringmaster (~/.local/share/ringmaster on Linux,
    ~/Library/Application Support/ringmaster on macOS, %LOCALAPPDATA%\\ringmaster on Windows)."""
    import platformdirs

    return platformdirs.user_data_path("ringmaster", appauthor=False)


def hide_url_passwords(text: str) -> str:
    """`text` with every URL's password replaced by ***."""
    return URL_PASSWORD.sub(r"\1:***@", text)


class Settings(BaseSettings):
    """Everything configurable. With nothing set: SQLite files in the platform's user data
    directory (RINGMASTER_HOME moves them) and the demo team."""

    model_config = SettingsConfigDict(env_prefix="RINGMASTER_", extra="ignore")

    # Where the SQLite files, the demo company database and caches live.
    home: Path = Field(default_factory=default_home)
    # One URL for every store. Unset: SQLite files under `home`. postgresql://… moves all of them.
    db_url: str | None = None
    # Schema upgrades at start-up. Unset: when safe (a new database, or SQLite); true: always;
    # false: never (run `ringmaster db upgrade`). See ringmaster/migrations.
    auto_migrate: bool | None = None
    team_file: Path | None = None  # unset: the bundled demo team
    refund_approval_limit: Decimal = Decimal("100")
    # A thread lock older than this, held by a process that is gone, is taken over.
    stale_lock_seconds: float = 300.0
    max_request_chars: int = 8_000
    planner_cache: Path | None = None  # unset: HOME/cache

    # Models (see agents/models.py). Unset: no model anywhere, the local planner plans.
    # Names are init_chat_model strings: openai:gpt-4o-mini, anthropic:…, ollama:….
    planner: Literal["local", "llm", "cascade"] | None = None  # unset: llm iff planner_model
    planner_model: str | None = None
    # How the LLM planner asks for its plan: json_schema (server-enforced schema),
    # function_calling (a tool call), or json_mode (for servers with only JSON mode).
    planner_structured_output: Literal["json_schema", "function_calling", "json_mode"] = (
        "json_schema"
    )
    agent_model: str | None = None  # for agents with `runtime: {kind: llm}` and no model
    judge_model: str | None = None  # for agents with a `judge` in the team file
    model_base_url: str | None = None  # any OpenAI-compatible server; else OPENAI_BASE_URL
    model_api_key: SecretStr | None = None  # else the provider's own variable
    model_timeout: float = 60.0
    model_max_retries: int = 2  # the provider SDK's retries (429/5xx, Retry-After)
    model_fallbacks: list[str] = []
    cascade_min_confidence: float = 0.7
    cascade_min_margin: float = 0.2
    # Per request: past either, no further model call; the subtask goes to a person.
    max_model_calls: int | None = None
    max_tokens: int | None = None
    # How often `ringmaster serve` escalates overdue reviews; 0 turns its scheduler off.
    escalation_interval_seconds: float = 60.0
    policy_file: Path | None = None  # unset: agents/demo/policy.yaml for the demo team
    # The run queue (ringmaster/run_queue.py) and its workers (ringmaster/worker.py).
    run_max_attempts: int = 3  # a run that fails this many times is quarantined
    run_retry_seconds: float = 2.0  # backoff before the 2nd attempt; doubles per attempt
    run_lease_seconds: float = 60.0  # a worker that stops renewing loses its job after this
    worker_poll_seconds: float = 0.05  # SQLite workers poll; Postgres ones are NOTIFYed
    serve_worker: bool = True  # `ringmaster serve` runs a worker (`--no-worker` turns it off)
    # A subtask waits this long in its agent node for a slot of its agent (capacity, rate
    # limit); past it the run goes back to the queue for `slot_requeue_seconds` and keeps its
    # place in line (ringmaster/slots.py), so no worker is held without a bound.
    slot_wait_seconds: float = Field(default=10.0, gt=0)
    slot_requeue_seconds: float = Field(default=1.0, ge=0)
    # Schedules inside every worker (ringmaster/schedules.py), each tick run once across
    # processes; 0 turns one off. Check-ins record status and escalate stuck runs and newly
    # unhealthy agents; rebalancing moves queued subtasks off queues longer than the threshold
    # or off unhealthy agents; the summary of the past interval is queued in the outbox at
    # `summary_at_hour_utc` each day; the outbox sender delivers what is due.
    checkin_interval_seconds: float = 300.0
    rebalance_interval_seconds: float = 30.0
    # Queued subtasks on one agent before any move to its stand-ins.
    rebalance_threshold: int = Field(default=8, ge=0)
    summary_interval_hours: float = 24.0
    summary_at_hour_utc: float = Field(default=8.0, ge=0, lt=24)
    outbox_interval_seconds: float = 30.0
    # Stuck work: a running job with no progress, a worker silent, past these limits.
    stuck_run_seconds: float = 900.0
    silent_worker_seconds: float = 300.0
    # The audit chain is an HMAC chain: rewriting it needs the key as well. Unset: a key made
    # on first start in HOME/audit.key (mode 0600). Never shown in a repr or a log.
    audit_key: str | None = Field(default=None, repr=False)

    # Notifications (ringmaster/outbox.py): where outbox rows addressed to a group go, and how.
    # A webhook must be https unless it is on this machine (loopback); with a secret every
    # body is signed (X-Ringmaster-Signature, HMAC-SHA-256).
    notify_webhook_url: str | None = None
    notify_webhook_secret: SecretStr | None = None
    notify_email_to: str | None = None  # comma-separated addresses
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "ringmaster@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    outbox_max_attempts: int = 6  # then a row is `failed`
    outbox_backoff_seconds: float = 2.0  # first wait; it doubles with every attempt
    # Agent status (ringmaster/agent_status.py): the window an error rate is taken over, and
    # the error rate past which an agent is unhealthy and gets no new work.
    status_window_minutes: float = 60.0
    unhealthy_error_rate: float = 0.5
    # The router weighs agents' health and load among the planner's choice and its stand-ins
    # (graph/standins.py); off: the planner's choice always stands.
    load_aware_routing: bool = True

    # HTTP API and web review queue (ringmaster/api). Rate limits are per token, shared by
    # every process on the database.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_max_body_bytes: int = 64_000
    api_requests_per_minute: float = 30.0
    api_decisions_per_minute: float = 120.0
    api_rate_burst: int = 10
    api_session_hours: float = 12.0
    api_secure_cookies: bool = False  # set behind HTTPS: cookies get the Secure flag
    api_stream_seconds: float = 600.0  # longest a progress stream stays open
    api_poll_seconds: float = 0.25  # how often a stream looks for new events
    chat_poll_seconds: float = 0.5  # how often `ringmaster chat` looks for decisions elsewhere
    # How long a chat fed from a pipe waits, at the end of its input, for runs it reported as
    # going (a review decided elsewhere, resumed on a worker) before it exits saying so.
    chat_wait_seconds: float = Field(default=120.0, ge=0)
    ui_refresh_seconds: float = 5.0  # how often the web queue refreshes itself
    api_ping_seconds: float = 15.0  # keep-alive comments on an idle progress stream
    # `ringmaster serve`'s logs: one JSON object a line (request, thread and turn ids), or text.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("db_url")
    @classmethod
    def _postgres_or_unset(cls, value: str | None) -> str | None:
        """Only a Postgres URL moves the stores (a `sqlite:` one, which tests use, moves the
        application's tables alone); another (mysql://) was a missing driver's traceback."""
        if value and not value.startswith(("postgresql", "postgres:", "sqlite:")):
            raise ValueError(
                "is not a database URL ringmaster can use: only postgresql://… (leave it unset "
                "for the SQLite files under RINGMASTER_HOME)"
            )
        return value or None

    def __repr_args__(self) -> Any:
        # A database URL's password is a secret like the others: never in a repr or a log.
        for name, value in super().__repr_args__():
            if name == "db_url" and isinstance(value, str):
                value = hide_url_passwords(value)
            yield name, value

    @property
    def health_reading_seconds(self) -> float:
        """How often a health reading can change an agent's flag: the shortest schedule that
        reads health (rebalancing, check-ins); `slot_requeue_seconds` when both are off (then
        only `ringmaster checkin` from cron reads it, at a pace ringmaster does not know)."""
        on = [s for s in (self.rebalance_interval_seconds, self.checkin_interval_seconds) if s > 0]
        return min(on) if on else self.slot_requeue_seconds

    @property
    def effective_policy_file(self) -> Path | None:
        """The policy file in force: the configured one, or the demo's for the demo team."""
        if self.policy_file is not None:
            return self.policy_file
        if self.team_file is None:
            from ringmaster.agents.demo import TEAM_FILE

            return TEAM_FILE.parent / "policy.yaml"
        return None

    @property
    def is_postgres(self) -> bool:
        return bool(self.db_url) and self.db_url.startswith(("postgresql", "postgres:"))  # type: ignore[union-attr]

    @property
    def app_db_url(self) -> str:
        """SQLAlchemy URL for the application's tables."""
        if self.db_url:
            if self.is_postgres:
                rest = self.db_url.split("://", 1)[1]
                return f"postgresql+psycopg://{rest}"
            return self.db_url
        return f"sqlite:///{self.home / 'ringmaster.db'}"

    @property
    def checkpoint_url(self) -> str:
        """URL for LangGraph's checkpointer."""
        if self.db_url and self.is_postgres:
            return "postgresql://" + self.db_url.split("://", 1)[1]
        return f"sqlite:///{self.home / 'checkpoints.db'}"

    @property
    def audit_key_file(self) -> Path:
        return self.home / "audit.key"

    def audit_secret(self) -> bytes:
        """The audit chain's key: the setting, else the key file, made on first use (0600)."""
        if self.audit_key:
            return self.audit_key.encode()
        path = self.audit_key_file
        try:
            return path.read_bytes().strip()
        except FileNotFoundError:
            pass
        private_dir(path.parent)
        key = secrets.token_hex(32).encode()
        # Written whole under a temporary name, then linked into place: a process starting at
        # the same moment never reads half a key, and the first one made is the one kept.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(key)
            os.link(tmp, path)
        except FileExistsError:
            return path.read_bytes().strip()
        finally:
            tmp.unlink(missing_ok=True)
        return key

    def secret_values(self) -> list[str]:
        """Every secret these settings hold, for the logs to hide (`logs.SecretFilter`)."""
        from urllib.parse import urlsplit

        values = [self.audit_secret().decode()]
        for secret in (self.model_api_key, self.notify_webhook_secret, self.smtp_password):
            if secret is not None:
                values.append(secret.get_secret_value())
        if self.db_url:
            try:
                values.append(urlsplit(self.db_url).password or "")
            except ValueError:
                pass
        return [v for v in values if v]

    @property
    def demo_db_path(self) -> Path:
        return self.home / "demo-company.db"

    @property
    def cache_dir(self) -> Path:
        return self.planner_cache or self.home / "cache"
