"""Read back what was really dispatched: push signals recorded in Temporal histories."""

from __future__ import annotations

import json
from collections import Counter

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client


async def push_deliveries(client: Client, workflow_id: str) -> Counter[str]:
    """Delivery ids of every `push` signal any run of `workflow_id` received, with counts."""
    seen: Counter[str] = Counter()
    async for execution in client.list_workflows(f'WorkflowId = "{workflow_id}"'):
        handle = client.get_workflow_handle(workflow_id, run_id=execution.run_id)
        history = await handle.fetch_history()
        for event in history.events:
            if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
                continue
            attributes = event.workflow_execution_signaled_event_attributes
            if attributes.signal_name != "push":
                continue
            for payload in attributes.input.payloads:
                seen[json.loads(payload.data)["delivery_id"]] += 1
    return seen
