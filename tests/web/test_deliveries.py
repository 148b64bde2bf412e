"""Every fixture delivery, signed and posted, becomes exactly the expected signals in Temporal."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict

import pytest
from temporalio.client import Client

from app.commands import Dispatch, Ignored, Outcome, Ping
from app.settings import Settings
from tests.receiver.test_github_events import EXPECTED as GITHUB_EXPECTED
from tests.receiver.test_gitlab_events import EXPECTED as GITLAB_EXPECTED
from tests.receiver.webhook_fixtures import fixture_body
from tests.web.deliveries import GITLAB_SYSTEM_TOKEN, GITLAB_TOKEN, UniqueIds
from tests.web.receiver_app import Receiver
from tests.web.temporal_history import Dispatched, ExpectedSignal, expected_signal
from workflows.contracts import BranchWorkflowInput

CASES = [
    pytest.param("github", name, event, outcome, id=f"github-{name}")
    for name, (event, outcome) in sorted(GITHUB_EXPECTED.items())
] + [
    pytest.param("gitlab", name, event, outcome, id=f"gitlab-{name}")
    for name, (event, outcome) in sorted(GITLAB_EXPECTED.items())
]


async def post_fixture(
    receiver: Receiver, ids: UniqueIds, provider: str, name: str, event: str
) -> tuple[int, dict[str, object]]:
    body = ids.body(fixture_body(provider, name))
    if provider == "github":
        response = await receiver.post_github(body, event=event, delivery=ids.delivery)
    else:
        token = GITLAB_SYSTEM_TOKEN if event == "System Hook" else GITLAB_TOKEN
        response = await receiver.post_gitlab(body, event=event, delivery=ids.delivery, token=token)
    return response.status_code, response.json()


@pytest.mark.parametrize(("provider", "name", "event", "outcome"), CASES)
async def test_fixture_delivery_produces_exactly_the_expected_signals(
    receiver: Receiver,
    dispatched: Dispatched,
    temporal_client: Client,
    settings: Settings,
    ids: UniqueIds,
    provider: str,
    name: str,
    event: str,
    outcome: Outcome,
) -> None:
    """A real-shaped delivery starts the expected workflows with the expected signal arguments."""
    status, answer = await post_fixture(receiver, ids, provider, name, event)
    match outcome:
        case Ping():
            assert status == 200
            assert answer == {"status": "ping", "delivery": ids.delivery, "workflows": []}
        case Ignored(reason):
            assert status == 202
            assert answer == {
                "status": "ignored",
                "delivery": ids.delivery,
                "reason": reason,
                "workflows": [],
            }
        case Dispatch(commands):
            expected = [expected_signal(ids.value(command)) for command in commands]
            assert status == 202
            assert answer == {
                "status": "accepted",
                "delivery": ids.delivery,
                "workflows": [signal.workflow_id for signal in expected],
            }
            await assert_signals_in_temporal(dispatched, temporal_client, settings, expected)
    if not isinstance(outcome, Dispatch):
        assert await receiver.metric("repograph_workflow_signals_total") == 0


async def assert_signals_in_temporal(
    dispatched: Dispatched,
    client: Client,
    settings: Settings,
    expected: list[ExpectedSignal],
) -> None:
    by_workflow: dict[str, list[ExpectedSignal]] = defaultdict(list)
    for signal in expected:
        by_workflow[signal.workflow_id].append(signal)
    for workflow_id, signals in by_workflow.items():
        record = await dispatched.record(workflow_id)
        assert record.workflow_type == signals[0].workflow_type
        assert record.task_queue == settings.task_queue
        argument_type = type(signals[0].argument)
        assert record.decoded(client, argument_type) == [
            (signal.signal, signal.argument) for signal in signals
        ]


async def test_dispatch_logs_carry_delivery_event_repo_and_branch(
    receiver: Receiver,
    dispatched: Dispatched,
    ids: UniqueIds,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The log line of a dispatched push names its delivery, event, repo_id and branch."""
    caplog.set_level(logging.INFO, logger="repograph.webhooks")
    status, answer = await post_fixture(receiver, ids, "github", "push", "push")
    assert status == 202
    dispatched.track(*answer["workflows"])  # type: ignore[misc]
    records = [record for record in caplog.records if hasattr(record, "workflow_id")]
    assert len(records) == 1
    record = records[0]
    assert record.delivery == ids.delivery  # type: ignore[attr-defined]
    assert record.event == "push"  # type: ignore[attr-defined]
    assert record.repo_id == f"github-{ids.ids['708123456']}"  # type: ignore[attr-defined]
    assert record.branch == "main"  # type: ignore[attr-defined]


async def test_every_start_of_a_branch_workflow_carries_its_input_and_policy(
    receiver: Receiver,
    dispatched: Dispatched,
    temporal_client: Client,
    settings: Settings,
    ids: UniqueIds,
) -> None:
    """The branch workflow starts with repo_id, branch and the settings' policy, also when a
    later push starts it again (the dispatcher converts that input once per branch)."""
    expected = BranchWorkflowInput(
        f"github-{ids.ids['708123456']}", "main", policy=settings.indexing_policy()
    )
    converter = temporal_client.data_converter.payload_converter
    for delivery in (ids, UniqueIds(ids.ids, str(uuid.uuid4()))):
        status, answer = await post_fixture(receiver, delivery, "github", "push", "push")
        assert status == 202
        (workflow_id,) = answer["workflows"]  # type: ignore[misc]
        record = await dispatched.record(workflow_id)
        assert converter.from_payloads(record.start_payloads, [BranchWorkflowInput]) == [expected]
        await temporal_client.get_workflow_handle(workflow_id).terminate("start it again")
