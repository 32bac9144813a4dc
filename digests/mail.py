"""Sending one email: over SMTP, or into an outbox directory as an ``.eml`` file (the default)."""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
import tempfile
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Protocol

from bot.errors import ExemplarError
from bot.secrets import Secret


class EmailError(ExemplarError):
    """An email could not be sent."""


class RecipientRefusedError(EmailError):
    """The server refused the recipient for good (a 5xx answer): retrying will not help."""

    def __init__(self, recipient: str, code: int, message: str) -> None:
        super().__init__(f"{recipient} refused by the mail server: {code} {message}")
        self.recipient, self.code = recipient, code


class TransientEmailError(EmailError):
    """Sending failed for now (connection, 4xx): worth retrying later."""


class EmailTransport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    """Sends through an SMTP server (STARTTLS by default); the password is never logged."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        starttls: bool = True,
        username: str | None = None,
        password: Secret | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.starttls = host, port, starttls
        self.username, self._password, self.timeout = username, password, timeout

    def send(self, message: EmailMessage) -> None:
        recipient = str(message["To"])
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self._password is not None:
                    smtp.login(self.username, self._password.reveal())
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = next(iter(error.recipients.values()), (550, b"refused"))
            if 400 <= code < 500:
                raise TransientEmailError(f"{recipient}: temporarily refused ({code})") from None
            raise RecipientRefusedError(recipient, code, _text(reason)) from None
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600 and error.smtp_code != 554:
                raise RecipientRefusedError(recipient, error.smtp_code, _text(error.smtp_error)) from None
            raise TransientEmailError(f"{recipient}: {error.smtp_code} {_text(error.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as error:
            raise TransientEmailError(
                f"cannot reach {self.host}:{self.port} ({type(error).__name__})"
            ) from None
        if refused:
            code, reason = next(iter(refused.values()))
            raise RecipientRefusedError(recipient, code, _text(reason))


class OutboxTransport:
    """Writes each message to ``directory`` as an ``.eml`` file, atomically (a temp file, then a rename).

    ``last_path`` is the file the most recent :meth:`send` wrote.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.last_path: Path | None = None

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        data = message.as_bytes(policy=SMTP)
        slug = re.sub(r"[^a-z0-9]+", "-", str(message["To"]).lower()).strip("-")[:60]
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{slug}-{hashlib.sha256(data).hexdigest()[:8]}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".writing-", suffix=".eml")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            Path(temporary).replace(self.directory / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.last_path = self.directory / name


def _text(reason: bytes | str) -> str:
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
