"""The indexer the graph tests drive directly (no workflow), on the session's Neo4j."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from neo4j import AsyncDriver

from activities.codegraph.indexer import CodeGraphIndexer
from activities.git_client import GitClient
from tests.conftest import LocalStack


def make_indexer(local_stack: LocalStack, neo4j_driver: AsyncDriver) -> CodeGraphIndexer:
    """An indexer as a worker holds one: its own parse pool and kept tables."""
    settings = local_stack.settings(parse_processes=2)
    return CodeGraphIndexer(settings, neo4j_driver, GitClient(allow_file_protocol=True))


@pytest.fixture
async def indexer(
    local_stack: LocalStack, neo4j_driver: AsyncDriver
) -> AsyncIterator[CodeGraphIndexer]:
    instance = make_indexer(local_stack, neo4j_driver)
    yield instance
    await instance.aclose()
