"""Whether ``exemplar serve`` can listen where it was asked to, checked before any worker starts."""

from __future__ import annotations

import errno
import socket

from bot.errors import ExemplarError


class CannotListenError(ExemplarError):
    """The address and port to serve on cannot be bound (in use, not ours, or not permitted)."""


def check_can_listen(host: str, port: int) -> None:
    """Bind ``host:port`` once and let it go; raise :class:`CannotListenError` with the fix if it fails.

    Uvicorn binds with ``SO_REUSEADDR`` too, so a port in TIME_WAIT passes here as it would there.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise CannotListenError(
            f"cannot listen on {host}:{port}: {host!r} is not an address of this machine ({error.strerror}); "
            "pass --host 127.0.0.1 or an address this machine has"
        ) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise CannotListenError(f"cannot listen on {host}:{port}: {_why(error, port)}") from None


def _why(error: OSError, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return "the port is already in use (is another `exemplar serve` running?); stop it or pass --port"
    if error.errno == errno.EACCES:
        return (
            f"permission denied (ports below 1024 need privileges); use a port such as 8000 behind a "
            f"reverse proxy, not {port}"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return "that address is not on this machine; pass --host 127.0.0.1 or one of its addresses"
    return f"{error.strerror or error}"
