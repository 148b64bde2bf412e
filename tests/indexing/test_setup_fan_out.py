"""An installation's repositories are set up one by one, each reported by a heartbeat, so an
installation too big for one attempt of the activity is finished by the attempts after it."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

from activities.credentials import Credentials
from activities.git_client import GitClient
from activities.metadata_store import MetadataStore
from activities.setup import SetupActivities
from app.settings import Settings
from tests.support import fake_github
from tests.support.fake_github import FakeGitHub, api_repository, make_app_key
from workflows.contracts import SetupCommand, branch_workflow_id

INSTALLATION = 77


@pytest.fixture
def app_key() -> tuple[str, str]:
    return make_app_key()


@pytest.fixture
def github(app_key: tuple[str, str], unique_id: str) -> Iterator[tuple[FakeGitHub, str]]:
    # Ids of one length: the activity goes through them in order of repository id.
    repos = [
        api_repository(n * 10**12 + int(unique_id, 16) % 10**12, f"acme/r{n}") for n in (1, 2, 3)
    ]
    # An App id of this test's own: githubkit keeps an App's JWT per App id for the process,
    # and other tests' fake Apps sign with other keys.
    app_id = str(int(unique_id[:8], 16))
    fake = FakeGitHub(app_id=app_id, public_key=app_key[1], installations={INSTALLATION: repos})
    with fake_github.serving(fake) as url:
        yield fake, url


async def test_an_installation_is_set_up_after_the_last_repository_an_attempt_reported(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    github: tuple[FakeGitHub, str],
    app_key: tuple[str, str],
    unique_id: str,
) -> None:
    fake, api_url = github
    repo_ids = [f"github-{r['id']}" for r in fake.installations[INSTALLATION]]
    assert repo_ids == sorted(repo_ids)
    app_settings = dataclasses.replace(
        settings,
        github_api_url=api_url,
        github_app_id=fake.app_id,
        github_app_private_key=app_key[0],
        task_queue=f"no-worker-{unique_id}",  # the branch workflows signalled stay queued
    )
    setup = SetupActivities(
        app_settings,
        client=temporal_client,
        git=GitClient(),
        credentials=Credentials(app_settings),
        metadata=MetadataStore(neo4j_driver, app_settings.neo4j_database),
        driver=neo4j_driver,
    )
    beats: list[tuple[object, ...]] = []
    environment = ActivityEnvironment(temporal_client)
    environment.on_heartbeat = lambda *details: beats.append(details)
    # The attempt before this one reported the first repository done.
    environment.info = dataclasses.replace(
        ActivityEnvironment.default_info(), heartbeat_details=[repo_ids[0]]
    )
    try:
        signalled = await environment.run(
            setup.run_setup_command,
            SetupCommand("install", f"delivery-{unique_id}", installation_id=INSTALLATION),
        )
        records, _, _ = await neo4j_driver.execute_query(
            "MATCH (r:Repository) WHERE r.repo_id IN $ids RETURN r.repo_id AS id ORDER BY id",
            ids=repo_ids,
            database_=app_settings.neo4j_database,
        )
    finally:
        for repo_id in repo_ids:
            handle = temporal_client.get_workflow_handle(branch_workflow_id(repo_id, "main"))
            with contextlib.suppress(RPCError):  # the first one was never started
                await handle.terminate("test over")
        await neo4j_driver.execute_query(
            "MATCH (n) WHERE n.repo_id IN $ids DETACH DELETE n",
            ids=repo_ids,
            database_=app_settings.neo4j_database,
        )
    assert signalled == 2
    assert [record["id"] for record in records] == repo_ids[1:]
    assert beats == [(repo_ids[1],), (repo_ids[2],)]
