"""RedeliverySweepWorkflow: ask GitHub to redeliver the App's webhook events that never got through.

Run by a Temporal Schedule. Each run covers the deliveries since the previous successful run
stopped (its completion result, which the schedule hands to the next run), so a failed run
leaves its window to the next one. A redelivery that fails again is a new failed attempt,
found by the next run, until an attempt succeeds or GitHub's three days are over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import (
        RedeliveryOutcome,
        RedeliverySweepOutcome,
        RedeliverySweepRequest,
        RedeliveryWindow,
    )


@workflow.defn(name="RedeliverySweepWorkflow")
class RedeliverySweepWorkflow:
    @workflow.run
    async def run(self, request: RedeliverySweepRequest) -> RedeliverySweepOutcome:
        until = workflow.now()
        since = max(
            self._resume_from(request) or until - timedelta(minutes=request.lookback_minutes),
            until - timedelta(hours=request.max_lookback_hours),
        )
        outcome: RedeliveryOutcome = await workflow.execute_activity(
            "redeliver_failed_deliveries",
            RedeliveryWindow(since.isoformat()),
            result_type=RedeliveryOutcome,
            start_to_close_timeout=timedelta(minutes=10),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(
                maximum_attempts=3,
                initial_interval=timedelta(seconds=10),
                non_retryable_error_types=["GitHubAppNotConfigured", "GitHubAppRejected"],
            ),
        )
        workflow.logger.info(
            "redelivery sweep done",
            extra={
                "since": since.isoformat(),
                "events": outcome.events,
                "redelivered": outcome.redelivered,
                "refused": outcome.refused,
            },
        )
        return RedeliverySweepOutcome(since.isoformat(), until.isoformat(), outcome)

    def _resume_from(self, request: RedeliverySweepRequest) -> datetime | None:
        """Where the last successful run stopped, less the overlap; None on a first run."""
        if not workflow.has_last_completion_result():
            return None
        last = workflow.get_last_completion_result(RedeliverySweepOutcome)
        if last is None:
            return None
        stopped = datetime.fromisoformat(last.checked_until)
        return stopped - timedelta(seconds=request.overlap_seconds)
