"""The composition root: settings → database, vault, flow catalog, runner, channels, built once.

The service, the worker and every command that talks to people get their services here, so
there is one place where a setting turns into an object and none of them wires things its own
way. Commands that only read (reports, users) need just the database and use ``open_database``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.channels.registry import ChannelRegistry, build_registry
from bot.config.database import open_database
from bot.config.settings import Settings, vault_for
from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.crypto import Vault
from storage.db import make_engine


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    vault: Vault
    catalog: FlowCatalog
    runner: Runner
    channels: ChannelRegistry

    @classmethod
    def build(cls, settings: Settings | None = None, engine: Engine | None = None) -> Services:
        """Everything, on a database that is ready (``DatabaseNotReady`` otherwise).

        ``engine`` is given by the service factory and tests, which open the database their own
        way; commands leave it out and get a checked, migrated one."""
        settings = settings or Settings()
        engine = engine or open_database(settings)
        vault = vault_for(settings)
        catalog = FlowCatalog.load(settings.flows_dir)
        channels = build_registry(settings)
        runner = Runner(
            engine, vault, catalog, signpost=settings.safeguarding_signpost, channels=channels
        )
        return cls(settings, engine, vault, catalog, runner, channels)

    @classmethod
    def for_service(cls, settings: Settings | None = None) -> Services:
        """For the HTTP service: the engine is opened lazily, so the process starts (and
        ``/healthz`` answers) even while the database is down; ``/readyz`` says why."""
        settings = settings or Settings()
        return cls.build(
            settings,
            make_engine(settings.database_url, lock_timeout=settings.database_lock_timeout),
        )
