"""Temporal activities: the work (git, parsing, Neo4j), and the worker process that runs it."""
