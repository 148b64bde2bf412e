"""StaleSweepWorkflow: the scheduled clean-up of graph data that is no longer confirmed.

Branches whose head was not confirmed for `max_age_days` (say, a delete webhook was missed)
get a revalidation push: their workflow re-resolves the head, and a branch that no longer
exists on the remote has its graph removed. Those not confirmed for twice as long (their
repository deleted or no longer readable, so every revalidation failed) get a delete, which
asks the remote first. Data left without its Branch (an interrupted deletion) is deleted in
bounded batches.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import SweepOutcome, SweepRequest


@workflow.defn(name="StaleSweepWorkflow")
class StaleSweepWorkflow:
    @workflow.run
    async def run(self, request: SweepRequest) -> SweepOutcome:
        outcome: SweepOutcome = await workflow.execute_activity(
            "sweep_stale_graphs",
            request,
            result_type=SweepOutcome,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=10)),
        )
        workflow.logger.info(
            "stale sweep done",
            extra={"orphans": outcome.orphans_deleted, "revalidated": outcome.branches_revalidated},
        )
        return outcome
