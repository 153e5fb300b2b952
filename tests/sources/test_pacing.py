"""Requests to one host wait for the delay since the last one; other hosts do not."""

from __future__ import annotations

from pipeline.sources.pacing import HostPacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_a_second_request_to_a_host_waits_the_rest_of_the_delay() -> None:
    clock = Clock()
    pacer = HostPacer(2.0, clock=clock.time, sleep=clock.sleep)
    pacer.wait("https://icml.cc/virtual/2023/workshop/1")
    clock.now += 0.5  # the request took half a second
    pacer.wait("https://icml.cc/virtual/2023/workshop/2")
    assert clock.waits == [1.5]


def test_other_hosts_and_late_requests_do_not_wait() -> None:
    clock = Clock()
    pacer = HostPacer(2.0, clock=clock.time, sleep=clock.sleep)
    pacer.mark("https://icml.cc/a")
    pacer.wait("https://neurips.cc/b")
    clock.now += 5
    pacer.wait("https://icml.cc/c")
    assert clock.waits == []
