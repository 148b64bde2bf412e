"""Settings come from the environment only, default to the local stack, and refuse bad values
with a message that names the variable and never echoes a secret."""

from __future__ import annotations

import pytest

from app.settings import Settings, SettingsError


def test_defaults_point_at_the_local_stack() -> None:
    """With an empty environment every address is the local stack's."""
    settings = Settings.from_env({})
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.temporal_address == "127.0.0.1:7233"
    assert settings.neo4j_uri == "bolt://127.0.0.1:7687"
    assert settings.task_queue == "repo-indexing-queue"
    assert settings.port == 8000
    assert settings.allow_local_repos is False
    assert settings.parse_file_cpu_seconds == 10.0
    assert Settings.from_env({"PARSE_FILE_CPU_SECONDS": "2.5"}).parse_file_cpu_seconds == 2.5


def test_comma_separated_secrets_allow_rotation() -> None:
    """Several webhook secrets and GitLab tokens are read as lists, blanks dropped."""
    settings = Settings.from_env(
        {"GITHUB_WEBHOOK_SECRET": "old, new ,", "GITLAB_WEBHOOK_TOKEN": "a,b"}
    )
    assert settings.github_webhook_secrets == ("old", "new")
    assert settings.gitlab_webhook_tokens == ("a", "b")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("REDIS_URL", "http://example.com"),
        ("TEMPORAL_ADDRESS", "no-port"),
        ("NEO4J_URI", "mysql://x"),
        ("ALLOW_LOCAL_REPOS", "maybe"),
        ("GITHUB_APP_ID", "abc"),
        ("GITLAB_WEBHOOK_SIGNING_TOKEN", "not-whsec"),
        ("CLONE_TIMEOUT_SECONDS", "-1"),
        ("EXTRA_LANGUAGES", "jsm"),
        ("VENDORED_DIRS", "vendor,third_party/lib"),
        ("PARSE_FILE_CPU_SECONDS", "0"),
        ("PARSE_FILE_CPU_SECONDS", "nan"),
        ("CLONE_TIMEOUT_SECONDS", "inf"),
    ],
)
def test_malformed_values_name_the_variable(variable: str, value: str) -> None:
    """Each malformed value stops start-up with a message naming the variable."""
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_a_file_may_not_parse_for_longer_than_half_the_parse_timeout() -> None:
    """Past 80 % of the parse timeout a run defers what it has not parsed: a file allowed more
    than that would be deferred at every run, never judged `parse_timeout`."""
    with pytest.raises(SettingsError, match=r"PARSE_FILE_CPU_SECONDS .* PARSE_TIMEOUT_SECONDS"):
        Settings.from_env({"PARSE_FILE_CPU_SECONDS": "151"})
    with pytest.raises(SettingsError, match=r"PARSE_TIMEOUT_SECONDS \(15\)"):
        Settings.from_env({"PARSE_TIMEOUT_SECONDS": "15"})
    raised = Settings.from_env({"PARSE_FILE_CPU_SECONDS": "150", "PARSE_TIMEOUT_SECONDS": "300"})
    assert raised.parse_file_cpu_seconds == 150


def test_app_id_and_key_must_come_together_and_the_key_is_not_echoed() -> None:
    """An App id without a key is refused; a non-PEM key is refused without showing it."""
    with pytest.raises(SettingsError, match="GITHUB_APP_ID"):
        Settings.from_env({"GITHUB_APP_ID": "42"})
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"GITHUB_APP_ID": "42", "GITHUB_APP_PRIVATE_KEY": "hunter2-secret"})
    assert "hunter2-secret" not in str(refused.value)


def test_secrets_stay_out_of_repr() -> None:
    """Printing settings (in a log or traceback) shows no token or password."""
    settings = Settings.from_env(
        {
            "GITLAB_TOKEN": "glpat-SECRET",
            "NEO4J_PASSWORD": "pw-SECRET",
            "GITLAB_WEBHOOK_TOKEN": "tok-SECRET",
        }
    )
    assert "SECRET" not in repr(settings)
