"""The sync engine: outbox -> batches -> submit -> poll -> reconcile. Plain Python, no Qt."""
