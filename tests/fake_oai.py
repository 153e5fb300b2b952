"""A fake arXiv OAI-PMH interface on 127.0.0.1: ListRecords in arXiv's metadata format.

Pages of ``page_size`` records chained by resumption tokens, ``from``/``set`` selection,
deleted records, ``noRecordsMatch``, and one queued 503 with Retry-After on request. Every
request's arguments are recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.fake_arxiv import FakePaper


@dataclass
class OaiRecord:
    paper: FakePaper
    datestamp: str  # YYYY-MM-DD
    set_spec: str = "cs"
    deleted: bool = False


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class FakeOai:
    records: list[OaiRecord] = field(default_factory=list)
    page_size: int = 3
    requests: list[dict[str, str]] = field(default_factory=list)
    busy_once: bool = False  # answer the next request 503 with Retry-After: 0
    _server: BaseWSGIServer | None = None

    def add(self, records: Iterable[OaiRecord]) -> None:
        self.records.extend(records)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}/oai"

    def __enter__(self) -> FakeOai:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        args = dict(request.args)
        self.requests.append(args)
        if self.busy_once:
            self.busy_once = False
            response = Response("busy", status=503, headers={"Retry-After": "0"})
        else:
            response = Response(self._answer(args), content_type="text/xml; charset=utf-8")
        return response(environ, start_response)

    def _answer(self, args: dict[str, str]) -> str:
        if "resumptionToken" in args:
            set_spec, since, offset = args["resumptionToken"].split("|")
        else:
            set_spec, since, offset = args.get("set", ""), args.get("from", ""), "0"
        chosen = [
            r
            for r in sorted(self.records, key=lambda r: (r.datestamp, r.paper.arxiv_id))
            if (not set_spec or r.set_spec == set_spec) and (not since or r.datestamp >= since)
        ]
        if not chosen:
            return _envelope('<error code="noRecordsMatch">nothing</error>')
        start = int(offset)
        page = chosen[start : start + self.page_size]
        body = "".join(_record(r) for r in page)
        if start + self.page_size < len(chosen):
            token = f"{set_spec}|{since}|{start + self.page_size}"
            body += (
                f'<resumptionToken cursor="{start}" completeListSize="{len(chosen)}">'
                f"{token}</resumptionToken>"
            )
        elif start:
            body += f'<resumptionToken cursor="{start}" completeListSize="{len(chosen)}"/>'
        return _envelope(f"<ListRecords>{body}</ListRecords>")


def _envelope(inner: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2026-12-01T00:00:00Z</responseDate>"
        f'<request verb="ListRecords">http://127.0.0.1/oai</request>{inner}</OAI-PMH>'
    )


def _record(record: OaiRecord) -> str:
    paper = record.paper
    status = ' status="deleted"' if record.deleted else ""
    header = (
        f"<header{status}><identifier>oai:arXiv.org:{paper.arxiv_id}</identifier>"
        f"<datestamp>{record.datestamp}</datestamp><setSpec>{record.set_spec}</setSpec></header>"
    )
    if record.deleted:
        return f"<record>{header}</record>"
    authors = "".join(
        "<author><keyname>{}</keyname><forenames>{}</forenames></author>".format(
            escape(name.split()[-1]), escape(" ".join(name.split()[:-1]))
        )
        for name in paper.authors
    )
    return (
        f"<record>{header}<metadata>"
        '<arXiv xmlns="http://arxiv.org/OAI/arXiv/">'
        f"<id>{paper.arxiv_id}</id><created>2020-01-02</created>"
        f"<authors>{authors}</authors><title>{escape(paper.title)}</title>"
        f"<categories>{' '.join(paper.categories)}</categories>"
        f"<abstract>{escape(paper.abstract)}</abstract>"
        "</arXiv></metadata></record>"
    )
