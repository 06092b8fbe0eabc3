"""Persistence: models, repository, migrations (storage issue)."""
