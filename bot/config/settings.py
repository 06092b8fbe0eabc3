"""Configuration from the environment (``CAREVOICE_*``) or a ``.env`` file. No secrets in git."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, field_validator
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

    # Dashboard sessions end after this long without a request, and this long after sign-in.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_max_hours: float = Field(default=8, gt=0, le=24 * 30)
    api_docs: bool = Field(
        default=False, description="Serve Swagger UI at /docs (CAREVOICE_API_DOCS=on)."
    )
    trusted_proxies: str = Field(
        default="",
        description="Proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed.",
    )

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

    # Telegram through the Bot API (python-telegram-bot). The secret is what Telegram sends back
    # in X-Telegram-Bot-Api-Secret-Token with every update; without it the webhook refuses all.
    telegram_bot_token: str = Field(default="", validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_secret: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9_-]{0,256}$",
        validation_alias="CAREVOICE_TELEGRAM_SECRET",
        description="Webhook secret token: 1-256 of A-Za-z0-9_-.",
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        validation_alias="CAREVOICE_TELEGRAM_API_URL",
        description="The Bot API server's root (a fake one in tests).",
    )
    telegram_per_second: float = Field(default=30.0, gt=0, description="Bot-wide sending rate.")
    telegram_per_chat_per_second: float = Field(
        default=1.0, gt=0, description="Sending rate to any one chat (outbox lane)."
    )
    # Campaigns. Route names: sms (a text conversation), telegram, web_sms (a personal web link
    # by text), web_email (a personal web link by e-mail).
    channel_order: str = Field(
        default="sms,telegram,web_sms,web_email",
        description="Fallback order when a person's preferred channel is not possible.",
    )
    campaign_batch: int = Field(default=250, ge=1, description="Invitations per transaction.")
    sms_cost_per_segment: float = Field(default=0.04, ge=0, description="GBP, for previews.")

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
    # The web form (bot/channels/web): whose it is, in their colours, and their privacy notice.
    web_organisation: str = Field(
        default="carevoice", description="Council or forum name in the web form's header."
    )
    web_colour: str = Field(
        default="#1d4f91",
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="Web form header colour (#rrggbb); its text colour is chosen for contrast.",
    )
    web_privacy_notice: str = Field(
        default=(
            "We use your answers only to improve local services. Answers are reported in groups "
            "so that no one can be identified, and are kept for no longer than two years. We do "
            "not share them with anyone else. You can ask us to delete your answers at any time."
        ),
        description="The privacy notice linked from every page of the web form.",
    )
    web_contact: str = Field(
        default="", description="Who to contact about a survey, shown on the confirmation page."
    )
    web_submissions_per_client: int = Field(
        default=300, ge=1, description="Form submissions allowed from one address per 15 minutes."
    )

    # One mail server for alerts and e-mail invitations. Invitations by e-mail (the ``email``
    # channel) are on only when a host is set; alerts fall back to a server on this machine, as
    # they always have, so a safeguarding alert is never held back by a missing setting.
    smtp_host: str = Field(
        default="", description="Mail server; set it to send e-mail invitations."
    )
    smtp_port: int = 25
    smtp_from: str = "carevoice@localhost"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    email_per_second: float = Field(
        default=2.0, gt=0, description="E-mail invitations per second (the e-mail outbox lane)."
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        # Checked here so a typo stops the service at start-up with a message, not a traceback.
        for entry in (part.strip() for part in value.split(",")):
            if entry:
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError:
                    raise ValueError(f"{entry!r} is not an IP address or CIDR range") from None
        return value


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
        settings.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate_key() + "\n")
    return Vault.from_setting(key_file.read_text().strip())
