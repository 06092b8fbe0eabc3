"""Configuration from the environment (``CAREVOICE_*``) or a ``.env`` file. No secrets in git."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.defaults import DEFAULT_URL

if TYPE_CHECKING:
    from storage.crypto import Vault


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CAREVOICE_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default=DEFAULT_URL, description="SQLite file or postgresql+psycopg://"
    )
    secret_key: str | None = Field(
        default=None,
        description="Fernet keys, newest first, comma-separated. With the SQLite default and no "
        "key, one is made in var/secret.key on first run.",
    )
    database_lock_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a database lock before answering 503."
    )
    public_url: str = Field(default="http://127.0.0.1:8000", description="How channels reach us.")
    flows_dir: Path | None = Field(default=None, description="Extra flow files (*.yaml).")
    phone_region: str = Field(default="GB", description="Region for numbers written without +.")
    var_dir: Path = Path("var")

    # SMS through Twilio. The auth token also signs Twilio's webhooks to us.
    twilio_account_sid: str = Field(default="", validation_alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field(default="", validation_alias="TWILIO_AUTH_TOKEN")
    twilio_from_number: str = Field(default="", validation_alias="TWILIO_FROM_NUMBER")
    twilio_api_url: str = Field(
        default="https://api.twilio.com", description="Twilio's REST API (a fake one in tests)."
    )
    sms_per_second: float = Field(default=1.0, gt=0, description="Sending rate per number.")
    quiet_hours: str = Field(default="21:00-09:00", description="No texts then (UK time).")
    invitations_per_month: int = Field(default=1, ge=1, description="Survey texts per person.")

    # Safeguarding alerts by e-mail. Empty safeguarding_email: flags wait in the dashboard only.
    safeguarding_email: str = Field(default="", description="Who triages possible disclosures.")
    safeguarding_signpost: str = Field(
        default=(
            "Thank you for telling us. If you or someone else is in danger now, call 999. To "
            "report abuse or neglect, contact your council's adult or children's social care "
            "team. Someone will read your message."
        ),
        description="Reply to a possible disclosure made outside any survey.",
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "carevoice@localhost"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False


def vault_for(settings: Settings) -> Vault:
    """The identity vault; creates a local key only for the zero-set-up SQLite default."""
    from storage.crypto import Vault, generate_key
    from storage.db import is_sqlite

    if settings.secret_key:
        return Vault.from_setting(settings.secret_key)
    if not is_sqlite(settings.database_url):
        raise SystemExit(
            "CAREVOICE_SECRET_KEY must be set when using PostgreSQL "
            "(make one with: carevoice db new-key)"
        )
    key_file = settings.var_dir / "secret.key"
    if not key_file.exists():
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate_key() + "\n")
    return Vault.from_setting(key_file.read_text().strip())
