"""repograph's web process: receives webhooks, verifies, deduplicates and dispatches them."""
