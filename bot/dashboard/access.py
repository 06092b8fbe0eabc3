"""Who may see what. Every page asks here; a refusal looks exactly like a page that does not exist
(404), so editing a web address reveals nothing, not even whether a provider exists.

- commissioner: every provider's report, the all-provider report, consultations, safeguarding triage
- admin: as a commissioner (admins run the service and manage users with ``carevoice users``)
- provider: its own provider's report only
- organiser (parent carer forum): consultation results of its own surveys only
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.models import User


class Role(StrEnum):
    commissioner = "commissioner"
    provider = "provider"
    organiser = "organiser"
    admin = "admin"


ROLE_NAMES = {
    Role.commissioner: "Commissioner",
    Role.provider: "Provider",
    Role.organiser: "Forum organiser",
    Role.admin: "Administrator",
}


@dataclass(frozen=True)
class Viewer:
    user_id: int
    email: str
    role: Role
    provider_id: int | None
    flow_ids: tuple[str, ...]

    @classmethod
    def of(cls, user: User) -> Viewer:
        assert user.id is not None
        return cls(
            user_id=user.id,
            email=user.email,
            role=Role(user.role),
            provider_id=user.provider_id,
            flow_ids=tuple(user.flow_ids or ()),
        )

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    @property
    def sees_all_providers(self) -> bool:
        return self.role in (Role.commissioner, Role.admin)

    @property
    def may_triage(self) -> bool:
        return self.role in (Role.commissioner, Role.admin)

    @property
    def sees_reports(self) -> bool:
        return self.sees_all_providers or self.role is Role.provider

    def may_see_provider(self, provider_id: int) -> bool:
        if self.sees_all_providers:
            return True
        return self.role is Role.provider and self.provider_id == provider_id

    def may_see_flow(self, flow_id: str) -> bool:
        if self.sees_all_providers:
            return True
        return self.role is Role.organiser and flow_id in self.flow_ids
