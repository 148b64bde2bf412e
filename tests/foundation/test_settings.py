"""Settings come from the environment only, default to the local stack, and refuse bad values
with a message that names the variable and never echoes a secret."""

from __future__ import annotations

import pytest

from activities.codegraph.languages import detect_language
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
    """Several webhook secrets and GitLab tokens are read as lists, spaces around each dropped;
    a single secret is taken whole, however short."""
    settings = Settings.from_env(
        {
            "GITHUB_WEBHOOK_SECRET": "old-webhook-secret-1, new-webhook-secret-2 ",
            "GITLAB_WEBHOOK_TOKEN": "gitlab-hook-token-a,gitlab-hook-token-b",
            "GITLAB_SYSTEM_HOOK_TOKEN": " s3cret ",
        }
    )
    assert settings.github_webhook_secrets == ("old-webhook-secret-1", "new-webhook-secret-2")
    assert settings.gitlab_webhook_tokens == ("gitlab-hook-token-a", "gitlab-hook-token-b")
    assert settings.gitlab_system_hook_tokens == ("s3cret",)
    assert "s3cret" not in repr(settings)


def test_gitlab_hook_tokens_are_per_project_unless_turned_off() -> None:
    assert Settings.from_env({}).gitlab_webhook_token_per_project is True
    shared = Settings.from_env({"GITLAB_WEBHOOK_TOKEN_PER_PROJECT": "false"})
    assert shared.gitlab_webhook_token_per_project is False


@pytest.mark.parametrize(
    "variable", ["GITHUB_WEBHOOK_SECRET", "GITLAB_WEBHOOK_TOKEN", "GITLAB_SYSTEM_HOOK_TOKEN"]
)
@pytest.mark.parametrize(
    "value",
    [
        "Zq8v,3kLm9PwX2rT7yNb",  # one secret with a comma: its pieces would verify alone
        "k," + "9f2a" * 10,  # a one-character piece would verify forged deliveries
        "9f2a" * 10 + ",",  # a secret ending in a comma, or a stray comma
        "9f2a" * 10 + ",," + "7c1e" * 10,
    ],
    ids=["comma-inside", "short-piece", "trailing-comma", "empty-entry"],
)
def test_an_ambiguous_list_of_secrets_is_refused_at_startup(variable: str, value: str) -> None:
    """A list of secrets with an empty or short entry stops the process with an error naming
    the variable (never the value), rather than accepting the pieces of a split secret."""
    with pytest.raises(SettingsError, match=f"{variable} lists secrets") as refused:
        Settings.from_env({variable: value})
    assert all(piece not in str(refused.value) for piece in value.split(",") if piece)


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
        ("GITLAB_WEBHOOK_SIGNING_TOKEN", "whsec_"),
        ("CLONE_TIMEOUT_SECONDS", "-1"),
        ("EXTRA_LANGUAGES", "jsm"),
        ("EXTRA_LANGUAGES", ".cs2=c#"),
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


@pytest.mark.parametrize("language", ["c#", "c++", "Python", "shell"])
def test_extra_languages_must_name_a_language_repograph_parses(language: str) -> None:
    """An unknown language name stops start-up with the accepted names, not an unparsed file."""
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"EXTRA_LANGUAGES": f".x={language}"})
    message = str(refused.value)
    assert f"EXTRA_LANGUAGES maps '.x' to {language!r}" in message
    assert "c, cpp, csharp, go, java, javascript, kotlin, php, python, ruby" in message


def test_extra_language_extensions_match_whatever_the_case() -> None:
    """Extension keys are lowercased as the indexer lowercases a file's; file names are exact."""
    settings = Settings.from_env({"EXTRA_LANGUAGES": ".JSM=javascript,Jenkinsfile=java"})
    assert settings.extra_languages == {".jsm": "javascript", "Jenkinsfile": "java"}
    assert detect_language("lib/util.JSM", settings.extra_languages) == "javascript"
    assert detect_language("lib/util.jsm", settings.extra_languages) == "javascript"
    assert detect_language("ci/Jenkinsfile", settings.extra_languages) == "java"


def test_a_signing_token_that_is_not_base64_is_refused_without_echoing_it() -> None:
    """A `whsec_` token the receiver could not decode stops start-up instead of failing every
    GitLab delivery with 401; the message does not show the token."""
    with pytest.raises(SettingsError, match="GITLAB_WEBHOOK_SIGNING_TOKEN") as refused:
        Settings.from_env({"GITLAB_WEBHOOK_SIGNING_TOKEN": "whsec_hunter2-not%base64"})
    assert "hunter2" not in str(refused.value)
    valid = "whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA=="
    settings = Settings.from_env({"GITLAB_WEBHOOK_SIGNING_TOKEN": valid})
    assert settings.gitlab_webhook_signing_token == valid


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
