"""Runtime settings, read from the environment (prefix ``CHINWAG_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chinwag.config_checks import check_database_url, check_origins, check_redis_url

DEV_JWT_SECRET = "chinwag-dev-secret-do-not-use-in-production"
"""Secret used when ``CHINWAG_JWT_SECRET`` is unset; whoever builds the app logs a loud warning."""


class Settings(BaseSettings):
    """All tunables of a chinwag process; every field maps to ``CHINWAG_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="CHINWAG_", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./chinwag.db",
        description="SQLAlchemy async URL (sqlite+aiosqlite or postgresql+asyncpg).",
    )
    jwt_secret: str | None = Field(default=None, description="HS256 secret for JWTs.")
    jwt_issuer: str | None = Field(default=None, description="Required `iss` claim, if set.")
    jwt_audience: str | None = Field(default=None, description="Required `aud` claim, if set.")
    redis_url: str | None = Field(
        default=None, description="Redis URL for cluster-wide fan-out and limits."
    )
    rate_limit_socket: float = Field(
        default=20.0,
        ge=0,
        description="Events/s per socket (burst 2x); 0 turns it off.",
    )
    rate_limit_user: float = Field(
        default=50.0, ge=0, description="Events/s per user (burst 2x); 0 turns it off."
    )
    max_sockets_per_user: int = Field(
        default=10, ge=1, description="Authenticated sockets a user may hold."
    )
    socket_heartbeat_s: float = Field(
        default=5.0,
        gt=0,
        description="With Redis: how often a process re-marks its sockets as live; sockets of "
        "a process silent for 3 heartbeats stop counting towards max_sockets_per_user.",
    )
    auth_deadline_s: float = Field(
        default=10.0,
        gt=0,
        description="Seconds an unauthenticated socket may stay connected.",
    )
    max_http_buffer_size: int = Field(
        default=262144,
        gt=0,
        description="engine.io max packet size (chars on websocket).",
    )
    max_socket_buffer: int = Field(
        default=2 * 1024 * 1024,
        ge=0,
        description="Bytes that may wait for one socket (engine.io queue + TCP buffer); over it "
        "the socket is aborted (slow_consumer). 0: unbounded.",
    )
    websocket_compression: bool = Field(
        default=False, description="permessage-deflate on websockets."
    )
    db_pool_size: int = Field(default=10, ge=1, description="PostgreSQL connection pool size.")
    db_max_overflow: int = Field(default=20, ge=0, description="PostgreSQL pool overflow.")
    group_commit_max_batch: int = Field(
        default=64,
        ge=1,
        description="Most sends committed together in one transaction.",
    )
    shutdown_deadline_s: float = Field(
        default=10.0,
        ge=0,
        description="Seconds graceful shutdown waits for in-flight work.",
    )
    flows_dir: Path = Field(
        default=Path(__file__).parent / "flows",
        description="Folder of flow definition files (*.yaml, see flows.schema.yaml).",
    )
    token_check_interval_s: float = Field(
        default=5.0,
        gt=0,
        description="How often connected sockets' token expiry is checked.",
    )

    # -- embedding in a host backend: identity, membership, webhooks (docs/embedding.md) --------
    jwt_algorithm: Literal["HS256", "RS256", "ES256"] = Field(
        default="HS256",
        description="HS256 checks with jwt_secret; RS256/ES256 with a JWKS URL or a PEM key.",
    )
    jwt_jwks_url: str | None = Field(default=None, description="The identity provider's JWKS URL.")
    jwt_public_key: str | None = Field(default=None, description="A PEM public key (RS256/ES256).")
    jwt_jwks_cache_s: float = Field(default=300.0, gt=0, description="How long a JWKS is cached.")
    jwt_jwks_min_refresh_s: float = Field(
        default=30.0,
        ge=0,
        description="At most one JWKS fetch for an unknown kid per this many seconds.",
    )
    jwt_user_id_claim: str = Field(default="sub", description="The claim holding the user id.")
    jwt_role_claim: str = Field(default="role", description="The claim holding the role(s).")
    jwt_service_role: str = Field(
        default="service", description="The role value that means chinwag's service role."
    )
    membership_url: str | None = Field(
        default=None,
        description="Host membership callback (POST); unset: chinwag's own tables decide.",
    )
    membership_cache_s: float = Field(
        default=5.0, ge=0, description="How long a host membership answer is reused."
    )
    membership_cache_size: int = Field(
        default=10000, ge=1, description="Most host membership answers kept."
    )
    webhook_url: str | None = Field(
        default=None, description="Where webhooks are POSTed; unset: webhooks are off."
    )
    webhook_secret: str | None = Field(
        default=None, description="HMAC-SHA256 key of the X-Chinwag-Signature header."
    )
    webhook_max_attempts: int = Field(
        default=8, ge=1, description="Attempts before a delivery is dead-lettered."
    )
    webhook_backoff_s: float = Field(
        default=1.0, gt=0, description="First retry delay; doubles per attempt (capped at 5 min)."
    )
    webhook_poll_s: float = Field(
        default=1.0, gt=0, description="How often the outbox is polled for due deliveries."
    )

    # -- operations: metrics, logs, CORS, admin UI (issue 17) --------------------------------
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"],
        description="Browser origins allowed to call Socket.IO and REST, comma-separated "
        "(e.g. `https://app.example.com,https://admin.socket.io`); `*` allows any origin.",
    )
    metrics: bool = Field(
        default=True, description="Serve Prometheus metrics at `/metrics` and record them."
    )
    log_format: Literal["console", "json"] = Field(
        default="console",
        description="`json`: one JSON object per line (production); `console`: for a terminal.",
    )
    garbage_limit: int = Field(
        default=20,
        ge=1,
        description="Malformed frames or polling bodies a socket may send within "
        "`garbage_window_s` before it is closed.",
    )
    garbage_window_s: float = Field(
        default=10.0,
        gt=0,
        description="Window for `garbage_limit`, and the least time between two warning lines "
        "about one socket's garbage; also how often `unauthenticated sockets closed` is logged.",
    )
    memory_release_after: int = Field(
        default=200,
        ge=0,
        description="Sockets closed, after which (once a second passes without a close, and "
        "when they are at least a quarter of the sockets still open) the "
        "process runs a full garbage collection and returns freed memory to the system "
        "(a pause of up to a few hundred ms after a burst such as a handshake flood); 0 turns "
        "it off.",
    )
    admin_ui: bool = Field(
        default=False,
        description="Socket.IO Admin UI instrumentation (namespace `/admin`); needs "
        "`admin_ui_username` and `admin_ui_password`.",
    )
    admin_ui_username: str | None = Field(default=None, description="Admin UI user name.")
    admin_ui_password: SecretStr | None = Field(default=None, description="Admin UI password.")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        return check_origins(value)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        return None if not value else check_redis_url(value)

    @model_validator(mode="after")
    def _admin_ui_needs_credentials(self) -> Settings:
        password = self.admin_ui_password.get_secret_value() if self.admin_ui_password else ""
        if self.admin_ui and not (self.admin_ui_username and password):
            raise ValueError(
                "CHINWAG_ADMIN_UI=true needs CHINWAG_ADMIN_UI_USERNAME and "
                "CHINWAG_ADMIN_UI_PASSWORD"
            )
        return self

    # -- end of the operations block ---------------------------------------------------------

    @property
    def jwt_secret_is_default(self) -> bool:
        """True when HS256 runs on the development default because no secret was configured."""
        return not self.jwt_secret and self.jwt_algorithm == "HS256"

    @property
    def effective_jwt_secret(self) -> str:
        """The configured secret, or the development default."""
        return self.jwt_secret or DEV_JWT_SECRET
