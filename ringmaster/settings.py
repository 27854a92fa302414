"""Settings: the one place that reads the environment (variables prefixed RINGMASTER_)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable. With nothing set: SQLite under ./.ringmaster and the demo team."""

    model_config = SettingsConfigDict(env_prefix="RINGMASTER_", extra="ignore")

    home: Path = Path(".ringmaster")
    # One URL for every store. Unset: SQLite files under `home`. postgresql://… moves all of them.
    db_url: str | None = None
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
    # With a key the audit chain is an HMAC chain: rewriting it needs the key as well.
    audit_key: str | None = None

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
    ui_refresh_seconds: float = 5.0  # how often the web queue refreshes itself
    api_ping_seconds: float = 15.0  # keep-alive comments on an idle progress stream
    # `ringmaster serve`'s logs: one JSON object a line (request, thread and turn ids), or text.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

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
    def demo_db_path(self) -> Path:
        return self.home / "demo-company.db"

    @property
    def cache_dir(self) -> Path:
        return self.planner_cache or self.home / "cache"
