"""Real SMTP servers on loopback (aiosmtpd) that fail at a chosen phase of the conversation.

``FaultyMailbox.fault`` picks the failure, and can be changed between runs (a server that recovers):

- ``None``: accept everything;
- ``"refuse-rcpt"``: 550 at RCPT TO (permanent for the address);
- ``"soft-rcpt"``: 452 at RCPT TO (a soft failure of the address);
- ``"drop-during-data"``: hang up right after 354, before the message is complete;
- ``"drop-after-data"``: take the whole message, then hang up without answering;
- ``"silent-after-data"``: take the whole message and never answer;
- ``"reject-data"``: 554 after the message (permanent);
- ``"soft-data"``: 451 after the message (not accepted, for now);
- ``"421-on-quit"``: accept the message (250), then answer QUIT with 421 and hang up.

``received`` holds every message the server took in full, whether or not it answered.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class FaultyMailbox:
    fault: str | None = None
    received: list[bytes] = field(default_factory=list)
    # When set, RCPT faults hit only these addresses; the others are accepted.
    only: set[str] | None = None
    silence_seconds: float = 5.0
    # When set, the server holds its answer to a complete message until the event is set.
    hold_answer: threading.Event | None = None

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(raw, policy=default_policy)  # type: ignore[misc]
            for raw in self.received
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if str(m["To"]).lower() == address.lower()]

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        targeted = self.only is None or address.lower() in self.only
        if self.fault == "refuse-rcpt" and targeted:
            return "550 5.1.1 No such user here"
        if self.fault == "soft-rcpt" and targeted:
            return "452 4.2.2 Mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        if self.fault == "reject-data":
            return "554 5.7.1 Message rejected as spam"
        if self.fault == "soft-data":
            return "451 4.3.0 Try again later"
        self.received.append(bytes(content))
        if self.fault == "drop-after-data":
            assert server.transport is not None
            server.transport.abort()  # the 250 below is never written
        elif self.fault == "silent-after-data":
            await asyncio.sleep(self.silence_seconds)
        if self.hold_answer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.hold_answer.wait, 60)
        return "250 2.0.0 Message accepted for delivery"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> Any:  # noqa: N802
        if self.fault == "421-on-quit":
            return "421 4.3.2 Service shutting down"
        return "221 Bye"


class _FaultySMTP(SMTP):
    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802 - aiosmtpd's command method
        handler = self.event_handler
        if isinstance(handler, FaultyMailbox) and handler.fault == "drop-during-data":
            assert self.transport is not None
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            # Hang up in the same step, so the client sees the end of the connection right behind
            # the 354, whatever the machine's load.
            self.transport.get_extra_info("socket").shutdown(socket.SHUT_RDWR)
            self.transport.abort()
            return
        await super().smtp_DATA(arg)


class _FaultyController(Controller):
    def factory(self) -> SMTP:
        return _FaultySMTP(self.handler, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def faulty_mailbox(fault: str | None = None) -> Iterator[tuple[FaultyMailbox, int]]:
    """A real SMTP server on 127.0.0.1 failing as ``fault`` says; yields it and its port."""
    handler = FaultyMailbox(fault)
    port = free_port()
    controller = _FaultyController(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts and refuses the addresses in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(content, policy=default_policy))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextmanager
def mailbox_on_loopback(handler: Mailbox) -> Iterator[int]:
    """A real SMTP server on 127.0.0.1 answering through ``handler``; yields its port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
