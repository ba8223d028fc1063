"""Settings declared once, with defaults and help; each can be set by a GOVPULSE_* environment variable."""

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from etl.metrics.worktime import Deadline


class Settings(BaseSettings):
    """All govpulse settings."""

    model_config = SettingsConfigDict(env_prefix="GOVPULSE_", frozen=True)

    data_dir: Path = Field(Path("data"), description="Folder for the SQLite database, demo files and schedules")
    database_url: str = Field(
        "",
        description="SQLAlchemy URL of the database; empty means SQLite at <data_dir>/govpulse.db (WAL mode)",
        repr=False,  # it may hold the database's password
    )
    language: Literal["ru", "kk", "en"] = Field("ru", description="Language of reports and exports")
    chunk_rows: int = Field(100_000, description="Rows read and validated at a time while loading", ge=1_000)
    max_errors_shown: int = Field(50, description="Errors printed in full for a rejected file", ge=1)
    min_sample_inquiries: int = Field(
        10, description="Inquiries in a period below which a response rate is 'not rated'", ge=1
    )
    min_sample_posts: int = Field(5, description="Posts in a period below which engagement is 'not rated'", ge=1)
    warm_up: bool = Field(
        True, description="Read each country's pages in the background when the server starts and after data change"
    )
    active_days: int = Field(14, description="An account without posts for this many days is silent", ge=1)
    response_target_pct: float = Field(80.0, description="Response rate below which an alert is raised")
    deadline: str = Field(
        "8wh",
        description="Answer deadline of within_deadline_pct: 8wh, 9wh, 24h, 1wd or custom N wh / h / wd",
    )

    alert_overdue: int = Field(
        10,
        description="An alert is raised for a page with more than this many citizens waiting past the deadline",
        ge=0,
    )
    public_url: str = Field(
        "", description="Address of the served dashboard (https://govpulse.example.kz): digests and alerts link to it"
    )
    smtp_host: str = Field("", description="Mail server that sends digests and alerts by e-mail; empty: no e-mail")
    smtp_port: int = Field(587, description="Its port (587 with STARTTLS)", ge=1, le=65535)
    smtp_user: str = Field("", description="User name on the mail server (the password: GOVPULSE_SMTP_PASSWORD)")
    smtp_from: str = Field("", description="Sender address of digest and alert e-mails")
    smtp_starttls: bool = Field(True, description="Encrypt the mail connection with STARTTLS before logging in")

    auth: Literal["off", "oidc", "header"] = Field(
        "off",
        description="Sign-in to the dashboard: off (the demo: no sign-in, every visitor may do everything), oidc "
        "(OpenID Connect, [auth] in .streamlit/secrets.toml) or header (the user a reverse proxy puts in a header)",
    )
    auth_header: str = Field(
        "X-Remote-User", description="With auth=header: the request header naming the user, set by the proxy"
    )
    auth_groups_claim: str = Field(
        "groups", description="With auth=oidc: the ID token's claim listing the user's groups (govpulse:ROLE:CODE)"
    )
    auth_groups_header: str = Field(
        "", description="With auth=header: the request header listing the user's groups, comma-separated; empty: none"
    )
    actor: str = Field("", description="Who the command line records in the audit; empty: the operating-system user")

    brief_colour: str = Field(
        "#1f6f8b",
        description="Accent colour of the briefing pack (#RRGGBB): the administration's own",
        pattern=r"^#[0-9a-fA-F]{6}$",
    )
    brief_logo: Path | None = Field(
        None, description="PNG or JPEG logo on the briefing pack's cover and in each page's corner; empty for none"
    )

    @field_validator("brief_logo", mode="before")
    @classmethod
    def _logo_file(cls, value: object) -> object:
        """An empty value is no logo; a path must be a file."""
        if value in ("", None):
            return None
        if not Path(str(value)).is_file():
            raise ValueError(f"{value} is not a file")
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        """An http(s) address without a trailing slash, or empty."""
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not a web address: write it as https://host[/path]")
        return value.rstrip("/")

    @field_validator("deadline")
    @classmethod
    def _known_deadline(cls, value: str) -> str:
        """The deadline as written by Deadline.parse ("8wh"); a malformed one is refused."""
        # Imported here: etl.metrics.worktime pulls in the holiday calendars, which most commands never need.
        from etl.metrics.worktime import Deadline

        return str(Deadline.parse(value))

    @property
    def deadline_rule(self) -> "Deadline":
        """The `deadline` setting as the working clock reads it."""
        from etl.metrics.worktime import Deadline

        return Deadline.parse(self.deadline)

    @property
    def url(self) -> str:
        """The database URL in effect."""
        return self.database_url or f"sqlite:///{self.data_dir / 'govpulse.db'}"


def masked_url(url: str) -> str:
    """A database URL fit to print or log: its password, and any password among its parameters, as ***."""
    # Imported here: most commands never print a URL, and SQLAlchemy takes a moment to load.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    base, mark, query = url.partition("?")
    try:
        base = make_url(base).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # not a URL SQLAlchemy reads: everything between user: and the host's @
        base = re.sub(r"(://[^:/@]*:).*@", r"\1***@", base)
    query = re.sub(r"(^|&)([^=&]*password[^=&]*)=[^&]*", r"\1\2=***", query, flags=re.IGNORECASE)
    return base + mark + query


@lru_cache
def get_settings() -> Settings:
    """The settings of this process (read once from the environment)."""
    return Settings()
