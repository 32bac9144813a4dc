"""Sending one email: over SMTP, or into an outbox directory as an ``.eml`` file (the default).

Every failure says where it happened, because that decides whether the message may be sent again:

- :class:`TransientEmailError`: before the end of DATA. The server does not have the message; retry.
- :class:`UnconfirmedEmailError`: the end of DATA went out but no answer came back. The server may
  have the message: never resend it automatically.
- :class:`RecipientRefusedError`: a 5xx refusal of the address or of the message: final.

The caller's ``handing_over`` callback runs just before the end of DATA (or the outbox file's
rename), so it can record that from then on the message may have arrived. After a 250 for the message,
nothing can make it a failure: a ``421`` or a dropped connection on ``QUIT`` is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import select
import smtplib
import socket
import ssl
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol

import dkim

from bot.errors import ExemplarError
from bot.secrets import Secret

# Headers whose value is a list of <URI>s: an RFC 2047 encoded word there is unreadable (mail
# providers then ignore one-click unsubscribe), so they are written as they are and folded only at
# the commas between URIs.
VERBATIM_HEADERS = frozenset({"list-unsubscribe", "list-id", "list-archive", "list-subscribe"})
# RFC 8058 requires the DKIM signature to cover List-Unsubscribe and List-Unsubscribe-Post.
SIGNED_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
)


class EmailError(ExemplarError):
    """An email could not be sent."""


class RecipientRefusedError(EmailError):
    """The server refused the recipient or the message for good (a 5xx answer): retrying will not help."""

    def __init__(self, recipient: str, code: int, message: str) -> None:
        super().__init__(f"{recipient} refused by the mail server: {code} {message}")
        self.recipient, self.code = recipient, code


class TransientEmailError(EmailError):
    """Not sent, for now (connection, 4xx, a drop before the end of DATA): worth retrying later.

    ``address_specific`` is true when the server turned this address down for now (a 4xx for the
    recipient or the message), as opposed to the server being unreachable for everyone.
    """

    def __init__(self, message: str, *, address_specific: bool = False) -> None:
        super().__init__(message)
        self.address_specific = address_specific


class UnconfirmedEmailError(EmailError):
    """The message was handed over, but the server's answer never came: it may have arrived."""


def _nothing() -> None:
    return None


class EmailTransport(Protocol):
    def send(self, message: EmailMessage, *, handing_over: Callable[[], None] = _nothing) -> None: ...


class _WirePolicy(EmailPolicy):
    """SMTP line endings; headers listed in :data:`VERBATIM_HEADERS` are never encoded."""

    def fold(self, name: str, value: Any) -> str:
        return self._verbatim(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        verbatim = self._verbatim(name, value)
        return verbatim.encode("ascii") if verbatim else super().fold_binary(name, value)

    def _verbatim(self, name: str, value: Any) -> str | None:
        text = str(value)
        if name.lower() not in VERBATIM_HEADERS or not text.isascii():
            return None
        text = " ".join(text.split())
        if len(name) + 2 + len(text) <= 78:
            return f"{name}: {text}{self.linesep}"
        return f"{name}: " + f",{self.linesep} ".join(p.strip() for p in text.split(",")) + self.linesep


WIRE_POLICY = _WirePolicy(linesep="\r\n")


@dataclass(frozen=True, slots=True)
class DkimSigner:
    """Signs messages with DKIM (rsa-sha256, relaxed/relaxed) for ``domain`` under ``selector``."""

    selector: str
    domain: str
    private_key: Secret

    def signature(self, data: bytes) -> bytes:
        """The ``DKIM-Signature:`` header line for ``data`` (to put in front of it)."""
        present = {line.split(b":", 1)[0].strip().lower() for line in _header_lines(data)}
        included = [name.encode() for name in SIGNED_HEADERS if name.lower().encode() in present]
        signature: bytes = dkim.sign(
            data,
            self.selector.encode(),
            self.domain.encode(),
            self.private_key.reveal().encode(),
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=included,
        )
        return signature


def _header_lines(data: bytes) -> list[bytes]:
    head = data.split(b"\r\n\r\n", 1)[0]
    return [line for line in head.split(b"\r\n") if line and not line[:1].isspace()]


def wire_bytes(message: EmailMessage, signer: DkimSigner | None = None) -> bytes:
    """The message as it goes over the wire: CRLF line endings, readable list headers, DKIM-signed
    when a signer is given."""
    data = message.as_bytes(policy=WIRE_POLICY)
    return signer.signature(data) + data if signer else data


def _address(value: object) -> str:
    return parseaddr(str(value or ""))[1]


class SmtpTransport:
    """Sends through an SMTP server (STARTTLS by default), one connection per message, and tells
    apart the phases of the conversation (see the module's docstring). The password is never logged."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        starttls: bool = True,
        username: str | None = None,
        password: Secret | None = None,
        timeout: float = 30.0,
        signer: DkimSigner | None = None,
        settle_seconds: float = 0.05,
    ) -> None:
        self.host, self.port, self.starttls = host, port, starttls
        self.username, self._password, self.timeout = username, password, timeout
        self.signer = signer
        # How long to listen, before the end of DATA, for a server that already hung up or spoke.
        self.settle_seconds = settle_seconds

    def send(self, message: EmailMessage, *, handing_over: Callable[[], None] = _nothing) -> None:
        recipient, sender = _address(message["To"]), _address(message["From"])
        data = wire_bytes(message, self.signer)
        smtp = smtplib.SMTP(timeout=self.timeout)
        try:
            self._before_end_of_data(smtp, sender, recipient, data)
            handing_over()
            try:
                smtp.send(b".\r\n")
            except (smtplib.SMTPException, OSError) as error:
                # The end of DATA could not even be written: the server never had the whole message.
                raise TransientEmailError(
                    f"{recipient}: not sent: the connection to {self.host}:{self.port} broke before the "
                    f"end of the message ({type(error).__name__})"
                ) from None
            try:
                code, reply = smtp.getreply()
            except (smtplib.SMTPException, OSError) as error:
                raise UnconfirmedEmailError(
                    f"{recipient}: no answer from {self.host}:{self.port} after the message was sent "
                    f"({type(error).__name__}); it may have arrived"
                ) from None
            if code == 250:
                _quit_quietly(smtp)
                return
            if 500 <= code < 600:
                raise RecipientRefusedError(recipient, code, _text(reply))
            if 400 <= code < 500:
                raise TransientEmailError(
                    f"{recipient}: message refused for now ({code} {_text(reply)})", address_specific=True
                )
            raise UnconfirmedEmailError(f"{recipient}: unexpected answer {code} after the message")
        finally:
            smtp.close()

    def _before_end_of_data(self, smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
        step = "connect"
        try:
            smtp.connect(self.host, self.port)
            step = "EHLO"
            smtp.ehlo_or_helo_if_needed()
            if self.starttls:
                step = "STARTTLS"
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username and self._password is not None:
                step = "AUTH"
                smtp.login(self.username, self._password.reveal())
            step = "MAIL FROM"
            _expect(smtp.mail(sender), (250,), recipient, step, address_specific=False)
            step = "RCPT TO"
            _expect(smtp.rcpt(recipient), (250, 251), recipient, step, address_specific=True)
            step = "DATA"
            _expect(smtp.docmd("DATA"), (354,), recipient, step, address_specific=False)
            smtp.send(_dot_stuffed(data))
            self._settle(smtp, recipient)
        except smtplib.SMTPResponseException as error:
            raise _refusal(
                error.smtp_code, error.smtp_error, recipient, step, address_specific=False
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            raise TransientEmailError(
                f"{recipient}: not sent: {step} with {self.host}:{self.port} failed ({type(error).__name__})"
            ) from None

    def _settle(self, smtp: smtplib.SMTP, recipient: str) -> None:
        """Before the end of DATA: a server that hung up or answered early has not taken the message."""
        sock = smtp.sock
        if sock is None:
            raise smtplib.SMTPServerDisconnected("no connection")
        readable, _, _ = select.select([sock], [], [], self.settle_seconds)
        if not readable:
            return
        if not isinstance(sock, ssl.SSLSocket) and not sock.recv(1, socket.MSG_PEEK):
            raise smtplib.SMTPServerDisconnected("closed during DATA")
        code, reply = smtp.getreply()
        raise _refusal(code, reply, recipient, "DATA", address_specific=False)


def _expect(
    answer: tuple[int, bytes], wanted: tuple[int, ...], recipient: str, step: str, *, address_specific: bool
) -> None:
    code, reply = answer
    if code not in wanted:
        raise _refusal(code, reply, recipient, step, address_specific=address_specific)


def _refusal(
    code: int, reply: bytes | str, recipient: str, step: str, *, address_specific: bool
) -> EmailError:
    if 500 <= code < 600 and address_specific:
        return RecipientRefusedError(recipient, code, _text(reply))
    if code == -1:
        return TransientEmailError(f"{recipient}: not sent: the server hung up at {step}")
    return TransientEmailError(
        f"{recipient}: not sent: {step} answered {code} {_text(reply)}",
        address_specific=address_specific and 400 <= code < 500,
    )


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """The message was accepted; whatever QUIT answers (421, a drop) changes nothing."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.quit()


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _dot_stuffed(data: bytes) -> bytes:
    """The message body for DATA, every line CRLF-terminated and leading dots doubled, without the
    final ``.`` line."""
    body = _LINE_END.sub(b"\r\n", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", body)


class OutboxTransport:
    """Writes each message to ``directory`` as an ``.eml`` file, atomically (a temp file, then a rename).

    ``last_path`` is the file the most recent :meth:`send` wrote.
    """

    def __init__(self, directory: Path, *, signer: DkimSigner | None = None) -> None:
        self.directory = directory
        self.signer = signer
        self.last_path: Path | None = None

    def send(self, message: EmailMessage, *, handing_over: Callable[[], None] = _nothing) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TransientEmailError(
                f"cannot create the outbox {self.directory}: {error.strerror}"
            ) from None
        data = wire_bytes(message, self.signer)
        slug = re.sub(r"[^a-z0-9]+", "-", str(message["To"]).lower()).strip("-")[:60]
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{slug}-{hashlib.sha256(data).hexdigest()[:8]}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".writing-", suffix=".eml")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            handing_over()
            Path(temporary).replace(self.directory / name)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise TransientEmailError(
                f"cannot write to the outbox {self.directory}: {error.strerror}"
            ) from None
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.last_path = self.directory / name


def _text(reason: bytes | str) -> str:
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
