"""Temporal workflows: durable orchestration of indexing, one workflow per branch."""
