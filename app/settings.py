"""Configuration: the one place that reads the environment.

`Settings.from_env()` is called once by each process entry point (web, worker, CLI); everything
else receives the frozen `Settings`. A missing or malformed value stops the process at start
with a `SettingsError` that names the variable, never the secret it holds.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

# languages imports tree-sitter's core (about 2 ms and 150 KiB); grammars load on first parse.
from activities.codegraph.languages import GRAMMARS
from activities.codegraph.skipping import DEFAULT_PARSE_CPU_SECONDS, DEFAULT_VENDORED_DIRS
from app.signatures import SignatureError, standard_webhooks_key
from workflows.contracts import TASK_QUEUE_DEFAULT, IndexingPolicy

_N = TypeVar("_N", int, float)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
MIN_ADMIN_TOKEN_CHARS = 16
# Each of several comma-separated webhook secrets: a shorter one is most likely a piece of a
# secret that contains a comma, and every piece would verify deliveries on its own.
MIN_LISTED_SECRET_CHARS = 16


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Timeouts:
    """Activity start-to-close timeouts in seconds (the brief's seed values)."""

    clone: float = 300
    parse: float = 300
    metadata: float = 300
    graph: float = 600
    stale_cleanup: float = 300
    workspace_cleanup: float = 120


@dataclass(frozen=True)
class Settings:
    """Every setting repograph reads, with defaults that point at the local stack."""

    github_webhook_secrets: tuple[str, ...] = field(default=(), repr=False)
    github_app_id: str | None = None
    github_app_private_key: str | None = field(default=None, repr=False)
    github_url: str = "https://github.com"
    github_api_url: str = "https://api.github.com"
    gitlab_url: str = "https://gitlab.com"
    gitlab_token: str | None = field(default=None, repr=False)
    gitlab_webhook_tokens: tuple[str, ...] = field(default=(), repr=False)
    gitlab_system_hook_tokens: tuple[str, ...] = field(default=(), repr=False)
    # Each project hook sends a token of its own, derived from GITLAB_WEBHOOK_TOKEN and the
    # project's id (`signatures.gitlab_project_token`); false: the token itself (group hooks).
    gitlab_webhook_token_per_project: bool = True
    gitlab_webhook_signing_token: str | None = field(default=None, repr=False)
    redis_url: str = "redis://127.0.0.1:6379/0"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    # Temporal Cloud: an API key, or a client certificate and key for mTLS (PEM text).
    temporal_api_key: str | None = field(default=None, repr=False)
    temporal_tls_cert: str | None = field(default=None, repr=False)
    temporal_tls_key: str | None = field(default=None, repr=False)
    # TLS without a client certificate (implied by an API key or a certificate).
    temporal_tls: bool = False
    task_queue: str = TASK_QUEUE_DEFAULT
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = field(default="", repr=False)
    neo4j_database: str = "neo4j"
    # The public base URL of the web process (`gitlab connect` registers <base>/webhooks/gitlab).
    webhook_base_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    allow_local_repos: bool = False
    workspace_dir: Path = Path(".local/workspaces")
    # Fetched repositories a worker keeps for the next run of the same branch (0: none).
    warm_repos: int = 8
    # ... and deletes once unused this long (a worker holds no code long after access ends).
    warm_repo_max_age_hours: float = 24
    worker_max_activities: int = 8
    worker_shutdown_seconds: float = 30
    parse_processes: int = 0  # 0: one per CPU
    max_file_bytes: int = 1024 * 1024
    # CPU seconds one file may take to parse; a slower one is recorded as skipped.
    parse_file_cpu_seconds: float = DEFAULT_PARSE_CPU_SECONDS
    graph_batch_size: int = 2000
    # Files of recently indexed branches whose extractions and resolution tables a worker keeps
    # in memory between runs; a larger branch is resolved afresh on every change.
    index_cache_files: int = 5_000
    # Extra file-name -> language mappings, e.g. {".jsm": "javascript", "Jenkinsfile": "java"}.
    extra_languages: dict[str, str] = field(default_factory=dict)
    # Directory names whose files are recorded as skipped (vendored), anywhere in a path.
    vendored_dirs: tuple[str, ...] = DEFAULT_VENDORED_DIRS
    idle_timeout_seconds: float = 1800
    heartbeat_timeout_seconds: float = 60
    host_schedule_timeout_seconds: float = 120
    # A host queue nobody has polled for this long counts as gone: a branch's delete then
    # does not wait for its worker. Above Temporal's 60 s long poll, which an idle worker
    # holds without being seen again.
    host_gone_after_seconds: float = 120
    max_runs_per_execution: int = 500
    retry_initial_seconds: float = 10
    stale_age_days: float = 7
    sweep_interval_hours: float = 24
    redelivery_interval_minutes: float = 15
    # Bearer token of the admin API (`/api/...`); the API is off (404) when unset.
    admin_token: str | None = field(default=None, repr=False)
    # Web: /metrics on this port (on HOST) instead of PORT, so a public PORT never shows it; 0:
    # on PORT.
    metrics_port: int = 0
    # Temporal SDK metrics on this port, repograph's worker metrics on the next; 0: neither.
    worker_metrics_port: int = 9464
    worker_metrics_host: str = "127.0.0.1"
    max_body_bytes: int = 25 * 1024 * 1024
    log_format: str = "text"
    log_level: str = "INFO"
    timeouts: Timeouts = field(default_factory=Timeouts)

    def indexing_policy(self) -> IndexingPolicy:
        """The workflow's timeouts, from these settings (a workflow cannot read the env)."""
        return IndexingPolicy(
            idle_timeout=self.idle_timeout_seconds,
            clone_timeout=self.timeouts.clone,
            parse_timeout=self.timeouts.parse,
            metadata_timeout=self.timeouts.metadata,
            graph_timeout=self.timeouts.graph,
            stale_cleanup_timeout=self.timeouts.stale_cleanup,
            workspace_cleanup_timeout=self.timeouts.workspace_cleanup,
            heartbeat_timeout=self.heartbeat_timeout_seconds,
            host_schedule_timeout=self.host_schedule_timeout_seconds,
            forget_schedule_timeout=min(30.0, self.host_schedule_timeout_seconds),
            max_runs_per_execution=self.max_runs_per_execution,
            retry_initial_interval=self.retry_initial_seconds,
            retry_max_interval=max(30.0, self.retry_initial_seconds),
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `environ` (default `os.environ`), validating every value."""
        env = _Env(os.environ if environ is None else environ)
        key_text = env.text("GITHUB_APP_PRIVATE_KEY")
        key_file = env.text("GITHUB_APP_PRIVATE_KEY_FILE")
        if key_text and key_file:
            raise SettingsError(
                "set only one of GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_FILE"
            )
        if key_file:
            key_text = _read_key_file(key_file)
        if key_text is not None and "PRIVATE KEY" not in key_text:
            raise SettingsError("GITHUB_APP_PRIVATE_KEY is not a PEM private key")
        app_id = env.text("GITHUB_APP_ID")
        if app_id is not None and not app_id.isdigit():
            raise SettingsError("GITHUB_APP_ID must be the App's numeric id")
        if (app_id is None) != (key_text is None):
            raise SettingsError(
                "GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (or _FILE) must be set together"
            )
        api_key = env.text("TEMPORAL_API_KEY")
        tls_cert = _text_or_file(env, "TEMPORAL_TLS_CERT")
        tls_key = _text_or_file(env, "TEMPORAL_TLS_KEY")
        if (tls_cert is None) != (tls_key is None):
            raise SettingsError(
                "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (or _FILE) must be set together"
            )
        if tls_cert is not None and "BEGIN CERTIFICATE" not in tls_cert:
            raise SettingsError("TEMPORAL_TLS_CERT is not a PEM certificate")
        if tls_key is not None and "PRIVATE KEY" not in tls_key:
            raise SettingsError("TEMPORAL_TLS_KEY is not a PEM private key")
        if api_key is not None and tls_cert is not None:
            raise SettingsError("set TEMPORAL_API_KEY or TEMPORAL_TLS_CERT/KEY, not both")
        timeouts = _timeouts(env)
        return cls(
            github_webhook_secrets=env.secrets("GITHUB_WEBHOOK_SECRET"),
            github_app_id=app_id,
            github_app_private_key=key_text,
            github_url=env.url("GITHUB_URL", cls.github_url, ("http", "https")),
            github_api_url=env.url("GITHUB_API_URL", cls.github_api_url, ("http", "https")),
            gitlab_url=env.url("GITLAB_URL", cls.gitlab_url, ("http", "https")),
            gitlab_token=env.text("GITLAB_TOKEN"),
            gitlab_webhook_tokens=env.secrets("GITLAB_WEBHOOK_TOKEN"),
            gitlab_system_hook_tokens=env.secrets("GITLAB_SYSTEM_HOOK_TOKEN"),
            gitlab_webhook_token_per_project=env.flag(
                "GITLAB_WEBHOOK_TOKEN_PER_PROJECT", default=True
            ),
            gitlab_webhook_signing_token=_gitlab_signing_token(env),
            redis_url=env.url("REDIS_URL", cls.redis_url, ("redis", "rediss", "unix")),
            temporal_address=env.host_port("TEMPORAL_ADDRESS", cls.temporal_address),
            temporal_namespace=env.text("TEMPORAL_NAMESPACE") or cls.temporal_namespace,
            temporal_api_key=api_key,
            temporal_tls_cert=tls_cert,
            temporal_tls_key=tls_key,
            temporal_tls=env.flag(
                "TEMPORAL_TLS", default=api_key is not None or tls_cert is not None
            ),
            task_queue=env.text("TEMPORAL_TASK_QUEUE") or cls.task_queue,
            neo4j_uri=env.url(
                "NEO4J_URI",
                cls.neo4j_uri,
                ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"),
            ),
            neo4j_user=env.text("NEO4J_USER") or cls.neo4j_user,
            neo4j_password=env.text("NEO4J_PASSWORD") or "",
            neo4j_database=env.text("NEO4J_DATABASE") or cls.neo4j_database,
            webhook_base_url=env.optional_url("WEBHOOK_BASE_URL", ("http", "https")),
            host=env.text("HOST") or cls.host,
            port=env.integer("PORT", cls.port, 1, 65535),
            allow_local_repos=env.flag("ALLOW_LOCAL_REPOS", default=False),
            workspace_dir=Path(env.text("WORKSPACE_DIR") or cls.workspace_dir),
            warm_repos=env.integer("WARM_REPOS", 8, 0, 10_000),
            warm_repo_max_age_hours=env.number("WARM_REPO_MAX_AGE_HOURS", 24, 0.01, 24 * 365),
            worker_max_activities=env.integer("WORKER_MAX_ACTIVITIES", 8, 1, 1000),
            worker_shutdown_seconds=env.seconds("WORKER_SHUTDOWN_SECONDS", 30),
            parse_processes=env.integer("PARSE_PROCESSES", 0, 0, 256),
            max_file_bytes=env.integer("MAX_FILE_BYTES", 1024 * 1024, 1, 2**31),
            parse_file_cpu_seconds=_parse_file_cpu_seconds(env, timeouts.parse),
            graph_batch_size=env.integer("GRAPH_BATCH_SIZE", 2000, 1, 100_000),
            index_cache_files=env.integer("INDEX_CACHE_FILES", 5_000, 0, 10_000_000),
            extra_languages=_extra_languages(env),
            vendored_dirs=_vendored_dirs(env),
            idle_timeout_seconds=env.seconds("IDLE_TIMEOUT_SECONDS", 1800),
            heartbeat_timeout_seconds=env.seconds("HEARTBEAT_TIMEOUT_SECONDS", 60),
            host_schedule_timeout_seconds=env.seconds("HOST_SCHEDULE_TIMEOUT_SECONDS", 120),
            host_gone_after_seconds=env.number("HOST_GONE_AFTER_SECONDS", 120, 70, 3600),
            max_runs_per_execution=env.integer("MAX_RUNS_PER_EXECUTION", 500, 1, 100_000),
            retry_initial_seconds=env.seconds("RETRY_INITIAL_SECONDS", 10),
            stale_age_days=env.seconds("STALE_AGE_DAYS", 7),
            sweep_interval_hours=env.seconds("SWEEP_INTERVAL_HOURS", 24),
            redelivery_interval_minutes=env.number("REDELIVERY_INTERVAL_MINUTES", 15, 1, 24 * 60),
            admin_token=_admin_token(env),
            metrics_port=env.integer("METRICS_PORT", 0, 0, 65535),
            worker_metrics_port=env.integer("WORKER_METRICS_PORT", 9464, 0, 65534),
            worker_metrics_host=env.text("WORKER_METRICS_HOST") or cls.worker_metrics_host,
            max_body_bytes=env.integer("MAX_BODY_BYTES", cls.max_body_bytes, 1024, 2**31),
            log_format=env.choice("LOG_FORMAT", cls.log_format, ("text", "json")),
            log_level=env.choice(
                "LOG_LEVEL", cls.log_level, ("DEBUG", "INFO", "WARNING", "ERROR"), upper=True
            ),
            timeouts=timeouts,
        )


def _timeouts(env: _Env) -> Timeouts:
    defaults = Timeouts()
    return Timeouts(
        clone=env.seconds("CLONE_TIMEOUT_SECONDS", defaults.clone),
        parse=env.seconds("PARSE_TIMEOUT_SECONDS", defaults.parse),
        metadata=env.seconds("METADATA_TIMEOUT_SECONDS", defaults.metadata),
        graph=env.seconds("GRAPH_TIMEOUT_SECONDS", defaults.graph),
        stale_cleanup=env.seconds("STALE_CLEANUP_TIMEOUT_SECONDS", defaults.stale_cleanup),
        workspace_cleanup=env.seconds(
            "WORKSPACE_CLEANUP_TIMEOUT_SECONDS", defaults.workspace_cleanup
        ),
    )


def _parse_file_cpu_seconds(env: _Env, parse_timeout: float) -> float:
    """One file's parse limit, well inside the run's parse deadline (`PARSE_TIME_SHARE` of
    the parse timeout, see activities.indexing): a file allowed longer is cut by the deadline
    at every run, deferred again and again, never judged too slow."""
    seconds = env.seconds("PARSE_FILE_CPU_SECONDS", DEFAULT_PARSE_CPU_SECONDS)
    if seconds > parse_timeout / 2:
        raise SettingsError(
            f"PARSE_FILE_CPU_SECONDS ({seconds:g}) must be at most half of "
            f"PARSE_TIMEOUT_SECONDS ({parse_timeout:g}): a file allowed longer is cut by the "
            "run's parse deadline every time instead of being skipped as parse_timeout"
        )
    return seconds


def _text_or_file(env: _Env, name: str) -> str | None:
    """The value of NAME, or the contents of the file NAME_FILE names; not both."""
    text = env.text(name)
    path = env.text(f"{name}_FILE")
    if text is not None and path is not None:
        raise SettingsError(f"set only one of {name} and {name}_FILE")
    if path is None:
        return text
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{name}_FILE cannot be read ({exc.strerror})") from None


def _gitlab_signing_token(env: _Env) -> str | None:
    """GITLAB_WEBHOOK_SIGNING_TOKEN, refused unless `whsec_` and base64: the receiver could not
    derive its key and would answer every GitLab delivery 401."""
    token = env.text("GITLAB_WEBHOOK_SIGNING_TOKEN")
    if token is None:
        return None
    if not token.startswith("whsec_"):
        raise SettingsError("GITLAB_WEBHOOK_SIGNING_TOKEN must start with 'whsec_'")
    try:
        key = standard_webhooks_key(token)
    except SignatureError:
        key = b""
    if not key:
        raise SettingsError(
            "GITLAB_WEBHOOK_SIGNING_TOKEN must be 'whsec_' followed by a base64 key; the part "
            "after 'whsec_' is empty or not base64 (a truncated copy?)"
        )
    return token


def _extra_languages(env: _Env) -> dict[str, str]:
    """EXTRA_LANGUAGES, each to a language repograph has a grammar for; extensions (keys
    starting with '.') lowercased, as the indexer lowercases a file's extension to look it up."""
    languages: dict[str, str] = {}
    for key, language in env.mapping("EXTRA_LANGUAGES").items():
        if language not in GRAMMARS:
            raise SettingsError(
                f"EXTRA_LANGUAGES maps {key!r} to {language!r}, not a language repograph "
                f"parses; use one of {', '.join(sorted(GRAMMARS))}"
            )
        languages[key.lower() if key.startswith(".") else key] = language
    return languages


def _vendored_dirs(env: _Env) -> tuple[str, ...]:
    """`VENDORED_DIRS` replaces the default list; each entry is one directory name."""
    names = env.csv("VENDORED_DIRS")
    if not names:
        return DEFAULT_VENDORED_DIRS
    if any("/" in name or name in (".", "..") for name in names):
        raise SettingsError("VENDORED_DIRS must be directory names (no '/'), separated by commas")
    return names


def _admin_token(env: _Env) -> str | None:
    """ADMIN_TOKEN, refused when short enough to guess or padded with whitespace."""
    token = env.text("ADMIN_TOKEN")
    if token is not None and (
        len(token) < MIN_ADMIN_TOKEN_CHARS or any(char.isspace() for char in token)
    ):
        raise SettingsError(
            f"ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN_CHARS} characters without spaces "
            "(e.g. `openssl rand -hex 32`)"
        )
    return token


def _read_key_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(
            f"GITHUB_APP_PRIVATE_KEY_FILE cannot be read ({exc.strerror})"
        ) from None


class _Env:
    """Typed accessors over an environment mapping; errors name the variable."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str) -> str | None:
        value = self._environ.get(name, "").strip()
        return value or None

    def csv(self, name: str) -> tuple[str, ...]:
        raw = self._environ.get(name, "")
        return tuple(part.strip() for part in raw.split(",") if part.strip())

    def secrets(self, name: str) -> tuple[str, ...]:
        """Webhook secrets, several (rotation) separated by commas, so none can contain one.

        A list with an empty entry or one shorter than MIN_LISTED_SECRET_CHARS is refused: it
        is ambiguous (`k,long-secret` may be one secret with a comma in it, which would never
        verify, while the piece `k` would verify forged deliveries). A single value is taken
        whole: it is exactly what the provider was given.
        """
        raw = self._environ.get(name, "").strip()
        if not raw:
            return ()
        entries = tuple(part.strip() for part in raw.split(","))
        if len(entries) > 1 and min(map(len, entries)) < MIN_LISTED_SECRET_CHARS:
            # Never the value in the message: it is a secret.
            raise SettingsError(
                f"{name} lists secrets separated by commas, and each must be at least "
                f"{MIN_LISTED_SECRET_CHARS} characters, none empty: a secret cannot contain a "
                "comma. Give the provider a secret without commas (e.g. `openssl rand -hex 32`)"
            )
        return entries

    def mapping(self, name: str) -> dict[str, str]:
        """`key=value,key=value` pairs (e.g. `.jsm=javascript,Jenkinsfile=java`)."""
        pairs: dict[str, str] = {}
        for part in self.csv(name):
            key, sep, value = part.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise SettingsError(f"{name} must be key=value pairs separated by commas")
            pairs[key.strip()] = value.strip()
        return pairs

    def flag(self, name: str, *, default: bool) -> bool:
        raw = self._environ.get(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise SettingsError(f"{name} must be true or false, not {raw!r}")

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self._parsed(name, int, "an integer")
        return default if value is None else self._within(name, value, low, high)

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self._parsed(name, float, "a number")
        return default if value is None else self._within(name, value, low, high)

    def seconds(self, name: str, default: float) -> float:
        value = self._parsed(name, float, "a number of seconds")
        if value is not None and not 0 < value < math.inf:  # also refuses nan
            raise SettingsError(f"{name} must be a positive number, not {value:g}")
        return default if value is None else value

    def _parsed(self, name: str, convert: type[_N], what: str) -> _N | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return convert(raw)
        except ValueError:
            raise SettingsError(f"{name} must be {what}, not {raw!r}") from None

    @staticmethod
    def _within(name: str, value: _N, low: _N, high: _N) -> _N:
        if not low <= value <= high:
            raise SettingsError(f"{name} must be between {low:g} and {high:g}, not {value:g}")
        return value

    def choice(
        self, name: str, default: str, allowed: tuple[str, ...], *, upper: bool = False
    ) -> str:
        raw = self.text(name)
        if raw is None:
            return default
        value = raw.upper() if upper else raw.lower()
        if value not in allowed:
            raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}")
        return value

    def url(self, name: str, default: str, schemes: tuple[str, ...]) -> str:
        raw = self.text(name)
        if raw is None:
            return default
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not (parts.netloc or parts.path):
            raise SettingsError(
                f"{name} must be a URL with scheme {' or '.join(schemes)} "
                f"(got scheme {parts.scheme!r})"
            )
        return raw.rstrip("/") if parts.scheme in ("http", "https") else raw

    def optional_url(self, name: str, schemes: tuple[str, ...]) -> str | None:
        return self.url(name, "", schemes) or None

    def host_port(self, name: str, default: str) -> str:
        raw = self.text(name)
        if raw is None:
            return default
        host, sep, port = raw.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise SettingsError(f"{name} must be host:port, not {raw!r}")
        return raw
