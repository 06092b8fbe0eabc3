"""Care providers: the organisations people receive care from, and who commissions them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process, utils
from sqlalchemy import func
from sqlmodel import Session, col, select

from storage import repository as repo
from storage.models import CATEGORIES, Contact, Provider

MAX_NAME = 200


class ProviderError(ValueError):
    """A provider cannot be added as asked; the message says why."""


@dataclass(frozen=True)
class ProviderSummary:
    id: int
    name: str
    category: str
    commissioners: list[str]
    contacts: int
    created_at: datetime


find_provider = repo.provider_by_name
# How alike two names must be (0–100, rapidfuzz WRatio on lower-cased words) to suggest one:
# "Sunrise Care Ltd" and "Sunrize Care" both reach "Sunrise Care"; "Meadow Homecare" does not.
SUGGEST_SCORE = 85.0
SUGGEST_MARGIN = 3.0


def nearest_name(name: str, names: Iterable[str]) -> str | None:
    """The known name ``name`` most likely means, for "did you mean …?"; None when none is close."""
    found = process.extract(
        name, list(names), scorer=fuzz.WRatio, processor=utils.default_process,
        score_cutoff=SUGGEST_SCORE, limit=2,
    )  # fmt: skip
    if not found or (len(found) == 2 and found[0][1] - found[1][1] < SUGGEST_MARGIN):
        return None  # "Care" is as close to every "… Care": a guess would mislead
    return str(found[0][0])


def nearest_provider(session: Session, name: str) -> str | None:
    return nearest_name(name, session.exec(select(Provider.name)))


def unknown_provider(name: str, names: Iterable[str], fix: str = "") -> str:
    """The message for a provider name nobody has: a suggestion if a name is near, else the fix."""
    nearest = nearest_name(name, names)
    if nearest is not None:
        return f"no provider called {name!r}: did you mean {nearest!r}?"
    return f"no provider called {name!r}{': ' + fix if fix else ''}"


def provider_names(session: Session) -> list[str]:
    return list(session.exec(select(Provider.name)))


def add_provider(
    session: Session,
    name: str,
    category: str,
    commissioners: list[str],
    at: datetime,
    actor: str = "cli",
) -> Provider:
    clean = " ".join(name.split())
    if not clean:
        raise ProviderError("the provider name is empty")
    if len(clean) > MAX_NAME:
        raise ProviderError(f"the provider name is longer than {MAX_NAME} characters")
    if category not in CATEGORIES:
        raise ProviderError(f"unknown category {category!r}: choose {', '.join(CATEGORIES)}")
    if find_provider(session, clean) is not None:
        raise ProviderError(f"a provider called {clean!r} already exists")
    wanted = [" ".join(c.split()) for c in commissioners if c.strip()]
    provider = Provider(
        name=clean,
        category=category,
        commissioners=list(dict.fromkeys(wanted)) or None,
        created_at=at,
    )
    session.add(provider)
    session.flush()
    repo.audit(session, actor, "provider_add", f"provider:{provider.id}", {"name": clean}, at)
    return provider


def list_providers(session: Session) -> list[ProviderSummary]:
    counts = dict(
        session.exec(
            select(Contact.provider_id, func.count())
            .where(col(Contact.erased_at).is_(None))
            .group_by(col(Contact.provider_id))
        ).all()
    )
    rows = session.exec(select(Provider).order_by(func.lower(Provider.name)))
    return [
        ProviderSummary(
            id=p.id or 0,
            name=p.name,
            category=p.category,
            commissioners=list(p.commissioners or []),
            contacts=counts.get(p.id or 0, 0),
            created_at=p.created_at,
        )
        for p in rows
    ]
