"""HTTP to Cognive over keep-alive connections (one per thread), JSON in and out, problem details to exceptions."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from decimal import Decimal
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

from ._errors import CogniveUnavailableError, error_for

USER_AGENT = "cognive-python"

# Errors after which a request on a reused keep-alive connection is sent once more on a fresh one: the server had
# closed the idle connection, so the request never reached it.
_STALE_CONNECTION = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest)


class Response:
    """A received answer: status, the Retry-After header, and the body parsed as JSON (``None`` when empty)."""

    __slots__ = ("status", "retry_after", "body")

    def __init__(self, status: int, retry_after: Optional[str], body: Any) -> None:
        self.status = status
        self.retry_after = retry_after
        self.body = body


class Transport:
    """Sends requests to one Cognive API with an API key; each thread keeps its own connection."""

    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("base_url must be an http(s) URL, got %r" % base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._headers = {
            "X-API-Key": api_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        self.timeout = timeout
        self._local = threading.local()

    def request(self, method: str, path: str, body: Optional[bytes] = None, timeout: Optional[float] = None) -> Response:
        """Sends one request; raises :class:`CogniveUnavailableError` when no answer arrives."""
        for attempt in range(2):
            connection, reused = self._connection(timeout)
            try:
                connection.request(method, self._prefix + path, body=body, headers=self._headers)
                answer = connection.getresponse()
                data = answer.read()
                if answer.getheader("Connection", "").lower() == "close":
                    self._drop()
                return Response(answer.status, answer.getheader("Retry-After"), _parse(data))
            except _STALE_CONNECTION as error:
                self._drop()
                if reused and attempt == 0:
                    continue
                raise CogniveUnavailableError("Cognive is unreachable: %s" % (error or type(error).__name__)) from error
            except (OSError, http.client.HTTPException) as error:
                self._drop()
                text = "timed out" if isinstance(error, socket.timeout) else str(error) or type(error).__name__
                raise CogniveUnavailableError("Cognive is unreachable: %s" % text) from error
        raise AssertionError("unreachable")

    def call(self, method: str, path: str, payload: Any, what: str, timeout: Optional[float] = None) -> Any:
        """Sends JSON and returns the JSON answer of a 2xx; raises the typed exception of any other answer."""
        body = None if payload is None else json.dumps(payload, separators=(",", ":")).encode("utf-8")
        response = self.request(method, path, body, timeout)
        if 200 <= response.status < 300:
            return response.body
        raise error_for(response.status, response.body if isinstance(response.body, dict) else {}, what)

    def close(self) -> None:
        """Closes the calling thread's connection."""
        self._drop()

    def _connection(self, timeout: Optional[float]) -> Tuple[http.client.HTTPConnection, bool]:
        wanted = self.timeout if timeout is None else timeout
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            if connection.timeout != wanted:
                connection.timeout = wanted
                if connection.sock is not None:
                    connection.sock.settimeout(wanted)
            return connection, True
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = kind(self._host, self._port, timeout=wanted)
        self._local.connection = connection
        return connection, False

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def _parse(data: bytes) -> Any:
    if not data:
        return None
    try:
        parsed: Any = json.loads(data, parse_float=Decimal)  # money is decimal USD
        return parsed
    except ValueError:
        return {"detail": data[:500].decode("utf-8", "replace")}
