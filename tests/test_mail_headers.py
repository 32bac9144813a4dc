"""Digest emails as a real mail parser reads them (``email.parser`` under ``policy.default``, from
the bytes an aiosmtpd server received), DKIM signatures checked with dkimpy's own verifier."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import replace
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mastodon_mock.testing import MockServer
from sqlalchemy import Engine

from bot.config import settings_from_mapping
from bot.errors import ConfigError
from bot.jobs.collect import Collector
from bot.secrets import Secret
from digests.mail import DkimSigner, OutboxTransport, SmtpTransport, wire_bytes
from digests.render.email import render_email
from storage import subscriptions as subs
from storage.db import session_scope
from tests.conftest import FakeClock
from tests.digest_samples import SAMPLE
from tests.smtp_servers import faulty_mailbox
from tests.test_mail_phases import LEADER, build
from tests.test_publish import approved_digest

parse = BytesParser(policy=default_policy).parsebytes
LONG_PUBLIC_URL = (
    "https://exemplar.oakfield-and-riverside-teaching-school-alliance.example/communities/fliplead"
)


def rsa_key() -> tuple[str, str]:
    """A fresh 2048-bit key: (PEM private key, the base64 public key a DKIM DNS record carries)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public).decode()


def dns_with(records: dict[str, str]) -> Callable[..., bytes | None]:
    """A DNS TXT lookup that knows only ``records`` (dkimpy's ``dnsfunc``)."""

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        found = records.get(name.decode().rstrip("."))
        return found.encode() if found else None

    return lookup


def header_lines(raw: bytes, name: str) -> list[bytes]:
    """The raw lines (first and continuations) of one header."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    found: list[bytes] = []
    for line in head:
        if found and line[:1] in (b" ", b"\t"):
            found.append(line)
        elif found:
            break
        elif line.lower().startswith(name.lower().encode() + b":"):
            found.append(line)
    return found


def test_a_published_email_has_headers_a_mail_parser_reads_right(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
) -> None:
    with faulty_mailbox() as (mailbox, port):
        publisher = build(sqlite_engine, network, clock, port, public_url=LONG_PUBLIC_URL)
        digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
        publisher.publish(digest_id)
    raw = mailbox.received[0]
    message = parse(raw)
    with session_scope(sqlite_engine) as session:
        row = subs.find(session, LEADER)
        assert row is not None
        token = row.unsubscribe_token

    unsubscribe = f"{LONG_PUBLIC_URL}/u/{token}"
    assert b"=?" not in b"".join(header_lines(raw, "List-Unsubscribe"))  # never RFC 2047-encoded
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"#fliplead digest <fliplead\.digest\.school\.example>", str(message["List-Id"]))
    assert re.fullmatch(rf"<digest-{digest_id}\.[0-9a-f]+@school\.example>", str(message["Message-ID"]))
    assert parsedate_to_datetime(str(message["Date"])) == clock.now.replace(microsecond=0)
    assert message["List-Archive"] == f"<{LONG_PUBLIC_URL}/digests/{digest_id}>"
    assert not message.defects
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))

    text_part = message.get_body(preferencelist=("plain",))
    assert text_part is not None
    text = str(text_part.get_content())
    assert text.startswith("#fliplead exemplars")
    assert f"Read it on the web: {LONG_PUBLIC_URL}/digests/{digest_id}" in text
    assert f"Follow the digests in a feed reader: {LONG_PUBLIC_URL}/feed.atom" in text
    assert f"Unsubscribe: {unsubscribe}" in text
    assert "<" not in text
    assert "&amp;" not in text
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    html = str(html_part.get_content())
    assert f'href="{unsubscribe}"' in html
    assert f'href="{LONG_PUBLIC_URL}/digests/{digest_id}"' in html
    assert "127.0.0.1" not in html
    assert "127.0.0.1" not in text


def test_a_long_list_header_folds_between_uris_and_is_never_encoded() -> None:
    long_url = "https://exemplar.example.org/" + "a" * 120 + "/unsubscribe?token=" + "b" * 40
    message = render_email(
        SAMPLE,
        sender="Exemplar <digest@school.example>",
        recipient="head@oakfield.example",
        unsubscribe_url=long_url,
        unsubscribe_mailto="mailto:digest@school.example?subject=unsubscribe",
    )
    raw = wire_bytes(message)
    lines = header_lines(raw, "List-Unsubscribe")
    assert len(lines) == 2  # folded at the comma
    assert b"=?" not in b"".join(lines)
    assert parse(raw)["List-Unsubscribe"] == (
        f"<{long_url}>, <mailto:digest@school.example?subject=unsubscribe>"
    )
    # The same message as the email package writes it by default is what mail providers ignored.
    assert b"=?utf-8?q?" in message.as_bytes()


def test_a_dkim_signature_verifies_covers_the_list_headers_and_breaks_when_they_change(
    tmp_path: Path,
) -> None:
    private, public = rsa_key()
    signer = DkimSigner("exemplar2026", "school.example", Secret(private))
    message = render_email(
        SAMPLE,
        sender="Exemplar <digest@school.example>",
        recipient="head@oakfield.example",
        unsubscribe_url="https://exemplar.example.org/u/abc",
    )
    raw = wire_bytes(message, signer)
    dns = dns_with({"exemplar2026._domainkey.school.example": f"v=DKIM1; k=rsa; p={public}"})

    assert dkim.verify(raw, dnsfunc=dns)
    signature = parse(raw)["DKIM-Signature"]
    signed = {name.strip().lower() for name in re.search(r"h=([^;]+)", str(signature)).group(1).split(":")}  # type: ignore[union-attr]
    assert {"from", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post"} <= signed
    forged = raw.replace(b"https://exemplar.example.org/u/abc", b"https://evil.example/u/abc")
    assert not dkim.verify(forged, dnsfunc=dns)
    other_key = dns_with({"exemplar2026._domainkey.school.example": f"v=DKIM1; k=rsa; p={rsa_key()[1]}"})
    assert not dkim.verify(raw, dnsfunc=other_key)


def test_a_configured_key_signs_every_email_sent_by_smtp_and_to_the_outbox(
    network: MockServer,
    sqlite_engine: Engine,
    clock: FakeClock,
    make_collector: Callable[..., Collector],
    tmp_path: Path,
) -> None:
    private, public = rsa_key()
    key_file = tmp_path / "dkim.pem"
    key_file.write_text(private, encoding="ascii")
    dns = dns_with({"sel1._domainkey.school.example": f"v=DKIM1; k=rsa; p={public}"})
    dkim_keys = {"dkim_selector": "sel1", "dkim_domain": "school.example", "dkim_key_file": str(key_file)}
    with faulty_mailbox() as (mailbox, port):
        publisher = build(sqlite_engine, network, clock, port, **dkim_keys)
        assert isinstance(publisher.transport, SmtpTransport)
        digest_id, _ = approved_digest(network, sqlite_engine, clock, make_collector, publisher)
        publisher.publish(digest_id)
    assert len(mailbox.received) == 1
    assert dkim.verify(mailbox.received[0], dnsfunc=dns)

    outbox = OutboxTransport(tmp_path / "outbox", signer=publisher.transport.signer)
    message = render_email(
        SAMPLE, sender="digest@school.example", recipient=LEADER, unsubscribe_url="https://x/u/1"
    )
    outbox.send(message)
    assert outbox.last_path is not None
    assert dkim.verify(outbox.last_path.read_bytes(), dnsfunc=dns)


def email_settings(tmp_path: Path, **email: object) -> None:
    settings_from_mapping(
        {"hashtags": ["fliplead"], "email": {"from": "digest@school.example", **email}},
        path=tmp_path / "exemplar.toml",
        environ={},
    )


def test_smtp_without_public_url_is_a_one_line_error_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        email_settings(tmp_path, smtp_host="smtp.school.example")
    message = str(error.value)
    assert "\n" not in message
    assert "[email] public_url" in message
    assert 'public_url = "https://' in message  # the fix
    email_settings(tmp_path, smtp_host="smtp.school.example", public_url="https://exemplar.school.example")
    email_settings(tmp_path)  # the outbox needs no public address


@pytest.mark.parametrize(
    ("email", "says"),
    [
        ({"public_url": "exemplar.school.example"}, "email.public_url"),
        ({"public_url": "https://exemplar.school.example/?x=1"}, "email.public_url"),
        ({"dkim_selector": "s1", "dkim_domain": "school.example"}, "dkim_key_file together"),
        (
            {"dkim_selector": "s1", "dkim_domain": "school.example", "dkim_key_file": "missing.pem"},
            "[email] dkim_key_file: cannot read",
        ),
        (
            {"dkim_selector": "s1", "dkim_domain": "school.example", "dkim_key_file": "bad.pem"},
            "not a PEM RSA private key",
        ),
        ({"suspend_after_soft_failures": 0}, "email.suspend_after_soft_failures"),
    ],
)
def test_bad_email_settings_name_the_key(tmp_path: Path, email: dict[str, object], says: str) -> None:
    (tmp_path / "bad.pem").write_text(
        "-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n"
    )
    with pytest.raises(ConfigError, match=re.escape(says)) as error:
        email_settings(tmp_path, **email)
    assert "\n" not in str(error.value)


def test_a_hashtag_in_any_script_gives_a_list_id_a_parser_reads() -> None:
    digest = replace(SAMPLE, hashtag="éducation")
    message = render_email(
        digest,
        sender="digest@school.example",
        recipient="head@oakfield.example",
        unsubscribe_url="https://exemplar.example.org/u/abc",
        feed_url="https://exemplar.example.org/feed.atom",
    )
    parsed = parse(wire_bytes(message))
    list_id = str(parsed["List-Id"])
    label = re.search(r"<([^>]+)>", list_id)
    assert label is not None
    assert label.group(1).isascii()
    assert label.group(1).endswith(".digest.school.example")
    assert list_id.startswith("#éducation digest")
    html_part = parsed.get_body(preferencelist=("html",))
    assert html_part is not None
    assert 'href="https://exemplar.example.org/feed.atom"' in str(html_part.get_content())
