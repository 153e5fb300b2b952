"""Time between requests to one host, for sources read from many documents of one site.

A conference's workshop pages and a feed's pages come from one host one after the other;
:class:`HostPacer` makes each wait until ``delay`` seconds have passed since the last
request to the same host. (Sources of sources.toml are read once each: they are not paced.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

__all__ = ["HostPacer"]


class HostPacer:
    def __init__(
        self,
        delay: float,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.delay = delay
        # Looked up when used, not when defined, so a test's patched time module is seen.
        self.clock = clock or (lambda: time.monotonic())
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self._last: dict[str, float] = {}

    @staticmethod
    def host(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def wait(self, url: str) -> None:
        """Wait for ``url``'s host to be due, then count this as its latest request."""
        host = self.host(url)
        last = self._last.get(host)
        if last is not None:
            remaining = last + self.delay - self.clock()
            if remaining > 0:
                self.sleep(min(remaining, self.delay))
        self._last[host] = self.clock()

    def mark(self, url: str) -> None:
        """Count a request made without waiting (the first of a run)."""
        self._last[self.host(url)] = self.clock()
