"""A fake arXiv API on 127.0.0.1 for tests and benchmarks.

It answers ``/api/query`` the way export.arxiv.org does: Atom 1.0 with the ``arxiv:`` and
``opensearch:`` namespaces, ``totalResults``/``startIndex``/``itemsPerPage``, paging by
``start``/``max_results``, HTTP 400 with an error entry for a malformed id, an empty feed
for unknown ids, ``id_list`` entries in no fixed order. ``search_query`` supports the
subset of arXiv's syntax the pipeline uses: ``ti:``/``au:``/``abs:``/``all:`` terms and
phrases, ``AND``/``OR``/``ANDNOT``, parentheses; results are ranked by matched terms.
It mimics two pitfalls of the real service: a hyphen in a bare term is a NOT, and a
phrase containing a hyphen or a colon matches nothing.

Every request is recorded (arrival time, arguments, headers, status); faults can be queued
(:meth:`FakeArxiv.inject`): 503, 429 with Retry-After, a hang, malformed XML, an empty
page, a 400, a short answer (half the entries, the full totalResults), a gzip bomb, a body
trickled a few bytes at a time. ``refused_ids`` are ids it answers with a 400 for the whole
batch that holds them, as arXiv does; a search with non-ASCII text gets a 500, as arXiv's
API does for some.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import random
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from pipeline.core.settings import Settings

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
_ID_FORMAT = re.compile(
    r"^(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?$"
)


# ---------------------------------------------------------------------- corpus


@dataclass
class FakePaper:
    """One arXiv paper of the fake's corpus (``version`` is the latest)."""

    arxiv_id: str
    title: str
    authors: list[str]
    version: int = 1
    abstract: str = "An abstract that spans\n  two lines, as arXiv's do."
    published: datetime = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    updated: datetime | None = None
    categories: list[str] = field(default_factory=lambda: ["cs.LG", "stat.ML"])
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None

    def entry(self, version: int | None = None) -> str:
        vid = f"{self.arxiv_id}v{version or self.version}"
        updated = self.updated or self.published + timedelta(days=30 * (self.version - 1))
        parts = [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{vid}</id>",
            f"    <updated>{_stamp(updated)}</updated>",
            f"    <published>{_stamp(self.published)}</published>",
            # arXiv wraps long titles over lines with runs of spaces.
            f"    <title>{escape(self.title)}</title>",
            f"    <summary>{escape(self.abstract)}</summary>",
            *(f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in self.authors),
        ]
        if self.doi:
            parts.append(f"    <arxiv:doi>{escape(self.doi)}</arxiv:doi>")
            parts.append(
                f'    <link title="doi" href="http://dx.doi.org/{escape(self.doi)}" rel="related"/>'
            )
        if self.comment:
            parts.append(f"    <arxiv:comment>{escape(self.comment)}</arxiv:comment>")
        if self.journal_ref:
            parts.append(f"    <arxiv:journal_ref>{escape(self.journal_ref)}</arxiv:journal_ref>")
        parts += [
            f'    <link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
            f'    <link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related" '
            'type="application/pdf"/>',
            f'    <arxiv:primary_category term="{self.categories[0]}" '
            f'scheme="http://arxiv.org/schemas/atom"/>',
            *(
                f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>'
                for c in self.categories
            ),
            "  </entry>",
        ]
        return "\n".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


WORDS = [
    "deep",
    "linear",
    "neural",
    "network",
    "generalization",
    "gradient",
    "descent",
    "implicit",
    "bias",
    "double",
    "descent",
    "lottery",
    "ticket",
    "kernel",
    "tangent",
    "scaling",
    "law",
    "collapse",
    "grokking",
    "representation",
    "sharpness",
    "flatness",
    "minima",
    "overparameterized",
    "interpolation",
    "feature",
    "learning",
    "dynamics",
    "stochastic",
    "noise",
    "edge",
    "stability",
    "transformer",
    "attention",
    "memorization",
    "spectral",
]
_FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Kurt",
    "Emmy",
    "Sofia",
    "Yann",
    "Mei",
    "Ravi",
    "Lena",
    "Omar",
    "Ines",
    "Tariq",
    "Wen",
]
_LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Godel",
    "Noether",
    "Kovalevskaya",
    "Zhang",
    "Chen",
    "Patel",
    "Novak",
    "Haddad",
]


def synthetic_papers(count: int, *, seed: int = 7, start_year: int = 18) -> list[FakePaper]:
    """``count`` papers with distinct valid new-style ids, versions, titles and authors."""
    rng = random.Random(seed)
    papers = []
    for n in range(count):
        year, month = start_year + n // 9000, 1 + (n // 750) % 12
        arxiv_id = f"{year:02d}{month:02d}.{10000 + n % 750 * 13:05d}"
        words = rng.sample(WORDS, 6)
        title = f"{' '.join(words).capitalize()} {n}"
        authors = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randint(1, 4))]
        papers.append(
            FakePaper(arxiv_id=arxiv_id, title=title, authors=authors, version=rng.randint(1, 4))
        )
    return papers


# ---------------------------------------------------------------------- search


@functools.lru_cache(maxsize=65536)  # the corpus is re-scanned for every search
def _tokens(text: str) -> tuple[str, ...]:
    """Like a Lucene standard analyser: case-folded words, split at hyphens and marks."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    stripped = "".join(c for c in folded if not unicodedata.combining(c))
    return tuple(re.findall(r"[^\W_]+", stripped))


class QuerySyntaxError(ValueError):
    pass


@dataclass
class _Term:
    field: str
    text: str
    phrase: bool


@dataclass
class _Op:
    op: str  # AND, OR, ANDNOT
    left: Any
    right: Any


_TOKEN = re.compile(r'\s*(?:(\()|(\))|(\w+):"([^"]*)"|([^\s()]+))')
_FIELDS = {"ti", "au", "abs", "all"}


def parse_query(query: str) -> Any:
    """arXiv query syntax -> a tree of _Op/_Term (the subset described above)."""
    tokens: list[tuple[str, str, str]] = []  # (kind, field, text)
    pos = 0
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if match is None or match.end() == pos:
            if query[pos:].strip():
                raise QuerySyntaxError(f"cannot read {query[pos:]!r}")
            break
        pos = match.end()
        if match.group(1):
            tokens.append(("(", "", ""))
        elif match.group(2):
            tokens.append((")", "", ""))
        elif match.group(3):
            tokens.append(("phrase", match.group(3), match.group(4)))
        else:
            word = match.group(5)
            if word in {"AND", "OR", "ANDNOT"}:
                tokens.append(("op", "", word))
            else:
                fld, colon, text = word.partition(":")
                tokens.append(("word", fld, text) if colon else ("word", "all", word))
    tree, rest = _parse_or(tokens)
    if rest:
        raise QuerySyntaxError(f"unexpected {rest[0]}")
    return tree


def _parse_or(tokens: list[tuple[str, str, str]]) -> tuple[Any, list[tuple[str, str, str]]]:
    left, tokens = _parse_and(tokens)
    # Adjacent terms without an operator are OR'ed, as Lucene does.
    while tokens and (tokens[0] == ("op", "", "OR") or tokens[0][0] in {"(", "phrase", "word"}):
        if tokens[0][0] == "op":
            tokens = tokens[1:]
        right, tokens = _parse_and(tokens)
        left = _Op("OR", left, right)
    return left, tokens


def _parse_and(tokens: list[tuple[str, str, str]]) -> tuple[Any, list[tuple[str, str, str]]]:
    left, tokens = _parse_unary(tokens)
    while tokens and tokens[0][0] == "op" and tokens[0][2] in {"AND", "ANDNOT"}:
        op = tokens[0][2]
        right, tokens = _parse_unary(tokens[1:])
        left = _Op(op, left, right)
    return left, tokens


def _parse_unary(tokens: list[tuple[str, str, str]]) -> tuple[Any, list[tuple[str, str, str]]]:
    if not tokens:
        raise QuerySyntaxError("query ends early")
    kind, fld, text = tokens[0]
    if kind == "(":
        inner, rest = _parse_or(tokens[1:])
        if not rest or rest[0][0] != ")":
            raise QuerySyntaxError("unbalanced parenthesis")
        return inner, rest[1:]
    if kind not in {"phrase", "word"} or fld not in _FIELDS:
        raise QuerySyntaxError(f"unexpected {tokens[0]}")
    if kind == "word" and "-" in text.strip("-"):
        # arXiv reads 'two-layer' as 'two ANDNOT layer'.
        first, *negated = text.split("-")
        node: Any = _Term(fld, first, phrase=False)
        for word in negated:
            node = _Op("ANDNOT", node, _Term(fld, word, phrase=False))
        return node, tokens[1:]
    return _Term(fld, text, phrase=kind == "phrase"), tokens[1:]


def _field_tokens(paper: FakePaper, fld: str) -> tuple[str, ...]:
    if fld == "ti":
        return _tokens(paper.title)
    if fld == "au":
        return _tokens(" ".join(paper.authors))
    if fld == "abs":
        return _tokens(paper.abstract)
    return _tokens(" ".join([paper.title, *paper.authors, paper.abstract]))


def evaluate(node: Any, paper: FakePaper) -> float:
    """The relevance of ``paper`` for the query tree; 0 when it does not match."""
    if isinstance(node, _Op):
        left, right = evaluate(node.left, paper), evaluate(node.right, paper)
        if node.op == "OR":
            return left + right
        if node.op == "AND":
            return left + right if left and right else 0.0
        return left if left and not right else 0.0  # ANDNOT
    haystack = _field_tokens(paper, node.field)
    if node.phrase:
        if "-" in node.text or ":" in node.text:
            return 0.0  # arXiv's phrase search breaks on these
        needle = _tokens(node.text)
        width = len(needle)
        hits = any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))
        return 2.0 * width if needle and hits else 0.0
    words = _tokens(node.text)
    return 1.0 if words and all(w in haystack for w in words) else 0.0


# ---------------------------------------------------------------------- faults and records


class Fault(Enum):
    unavailable = "503"
    too_many_requests = "429"
    hang = "hang"
    malformed_xml = "malformed"
    empty_page = "empty"
    bad_request = "400"
    short_answer = "short"
    gzip_bomb = "gzip-bomb"
    trickle = "trickle"


# 64 MiB of zeros gzip to ~64 KiB: a small download that would fill memory if inflated whole.
BOMB_BYTES = 64 * 1024 * 1024


@functools.cache
def gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9, mtime=0)


@dataclass
class _Injected:
    fault: Fault
    remaining: int | None  # None: every request from now on
    retry_after: str | None = None
    hang_seconds: float = 5.0


@dataclass
class RecordedRequest:
    at: float  # time.time() at arrival
    path: str
    args: dict[str, str]
    headers: dict[str, str]
    status: int = 0
    fault: Fault | None = None

    @property
    def id_list(self) -> list[str]:
        raw = self.args.get("id_list", "")
        return [i for i in raw.split(",") if i]

    @property
    def search_query(self) -> str:
        return self.args.get("search_query", "")


# ---------------------------------------------------------------------- server


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: tests record requests themselves."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class FakeArxiv:
    """The fake service. Use as a context manager; ``url`` is the API endpoint."""

    def __init__(self, papers: Iterable[FakePaper] = (), *, seed: int = 1) -> None:
        self.papers: dict[str, FakePaper] = {}
        self.add(papers)
        self.requests: list[RecordedRequest] = []
        self._faults: list[_Injected] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._rng = random.Random(seed)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.refused_ids: set[str] = set()
        self.trickle_seconds = 0.5  # between the pieces of a trickled body

    # -- control

    def add(self, papers: Iterable[FakePaper]) -> None:
        for paper in papers:
            self.papers[paper.arxiv_id] = paper

    def inject(
        self,
        fault: Fault,
        *,
        times: int | None = 1,
        retry_after: str | None = None,
        hang_seconds: float = 5.0,
    ) -> None:
        """Answer the next ``times`` requests (None: all) with ``fault``."""
        with self._lock:
            self._faults.append(_Injected(fault, times, retry_after, hang_seconds))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.port}/api/query"

    def settings(self, state_dir: Path, **overrides: Any) -> Settings:
        """Settings pointing at this fake: no delay, short timeout, unless overridden."""
        values: dict[str, Any] = {
            "state_dir": state_dir,
            "arxiv_api_url": self.url,
            "arxiv_delay_seconds": 0.0,
            "arxiv_timeout_seconds": 5.0,
            "offline": False,
        }
        values.update(overrides)
        return Settings(**values)

    def folder_settings(self, folder: Path, **overrides: Any) -> Settings:
        """:meth:`settings` for a whole pipeline in one folder: its sources.toml, raw/,
        processed/ and state/."""
        return self.settings(
            folder / "state",
            **{
                "sources_file": folder / "sources.toml",
                "raw_dir": folder / "raw",
                "processed_dir": folder / "processed",
                **overrides,
            },
        )

    def start(self) -> FakeArxiv:
        self._server = make_server(
            "127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler
        )
        server = self._server
        # A short poll keeps shutdown (each test's teardown) fast.
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.02), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let hanging handlers finish
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeArxiv:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- queries about what happened

    def api_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == "/api/query"]

    def ids_requested(self) -> list[str]:
        return [i for r in self.api_requests() for i in r.id_list]

    # -- the application

    def _next_fault(self) -> _Injected | None:
        with self._lock:
            while self._faults:
                current = self._faults[0]
                if current.remaining is None:
                    return current
                if current.remaining > 0:
                    current.remaining -= 1
                    if current.remaining == 0:
                        self._faults.pop(0)
                    return current
                self._faults.pop(0)
            return None

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        record = RecordedRequest(
            at=time.time(),
            path=request.path,
            args=dict(request.args.items()),
            headers=dict(request.headers.items()),
        )
        with self._lock:
            self.requests.append(record)
        response = self._respond(request, record)
        record.status = response.status_code
        result: Iterable[bytes] = response(environ, start_response)
        return result

    def _respond(self, request: Request, record: RecordedRequest) -> Response:
        if request.path != "/api/query":
            return Response("not found", status=404)
        injected = self._next_fault()
        record.fault = injected.fault if injected else None
        if injected is not None:
            if injected.fault is Fault.unavailable:
                return Response("Service Unavailable", status=503)
            if injected.fault is Fault.too_many_requests:
                headers = {"Retry-After": injected.retry_after} if injected.retry_after else {}
                return Response("Too Many Requests", status=429, headers=headers)
            if injected.fault is Fault.bad_request:
                entry = _error_entry("incorrect id format for injected")
                return self._feed_response(request, 400, 1, [entry])
            if injected.fault is Fault.hang:
                self._release.wait(injected.hang_seconds)
            if injected.fault is Fault.gzip_bomb:
                headers = {"Content-Encoding": "gzip"}
                return Response(gzip_bomb(), status=200, headers=headers, mimetype="text/xml")
        refused = [i for i in self._id_list(request) if i.split("v")[0] in self.refused_ids]
        if refused:
            return self._feed_response(
                request, 400, 1, [_error_entry(f"incorrect id format for {refused[0]}")]
            )
        if not request.args.get("search_query", "").isascii():
            return Response("Internal Server Error", status=500)
        try:
            status, total, entries = self._answer(request)
        except QuerySyntaxError as err:
            return self._feed_response(request, 400, 1, [_error_entry(str(err))])
        if injected is not None and injected.fault is Fault.short_answer:
            return self._feed_response(request, status, total, entries[: len(entries) // 2])
        if injected is not None and injected.fault is Fault.trickle:
            body = self._feed(request, total, entries).encode("utf-8")
            return Response(self._trickled(body), status=200, mimetype="application/atom+xml")
        if injected is not None and injected.fault is Fault.malformed_xml:
            body = self._feed(request, total, entries)
            return Response(body[: len(body) // 2], status=200, mimetype="application/atom+xml")
        if injected is not None and injected.fault is Fault.empty_page:
            return self._feed_response(request, 200, max(total, 1), [])
        return self._feed_response(request, status, total, entries)

    def _trickled(self, body: bytes) -> Iterator[bytes]:
        for start in range(0, len(body), 64):
            if self._release.wait(self.trickle_seconds):
                return
            yield body[start : start + 64]

    @staticmethod
    def _id_list(request: Request) -> list[str]:
        return [i.strip() for i in request.args.get("id_list", "").split(",") if i.strip()]

    def _answer(self, request: Request) -> tuple[int, int, list[str]]:
        """(HTTP status, totalResults, entries of the requested page)."""
        id_list = [i.strip() for i in request.args.get("id_list", "").split(",") if i.strip()]
        query = request.args.get("search_query", "").strip()
        start = int(request.args.get("start", "0"))
        max_results = int(request.args.get("max_results", "10"))
        for arxiv_id in id_list:
            if not _ID_FORMAT.match(arxiv_id):
                return 400, 1, [_error_entry(f"incorrect id format for {arxiv_id}")]
        hits: list[tuple[FakePaper, int | None]] = []
        if id_list:
            for arxiv_id in id_list:
                match = _ID_FORMAT.match(arxiv_id)
                assert match is not None
                version = int(match.group("version")) if match.group("version") else None
                base = arxiv_id[: match.start("version") - 1] if version else arxiv_id
                paper = self.papers.get(_canonical(base))
                if paper is not None and (version is None or version <= paper.version):
                    hits.append((paper, version))
            self._rng.shuffle(hits)  # arXiv answers id lists in no fixed order
        if query:
            tree = parse_query(query)
            pool = hits or ([] if id_list else [(p, None) for p in self.papers.values()])
            scored = [(evaluate(tree, p), n, p, v) for n, (p, v) in enumerate(pool)]
            hits = [(p, v) for s, n, p, v in sorted(scored, key=lambda x: (-x[0], x[1])) if s]
        page = hits[start : start + max_results]
        return 200, len(hits), [paper.entry(version) for paper, version in page]

    def _feed(self, request: Request, total: int, entries: Sequence[str]) -> str:
        start = request.args.get("start", "0")
        per_page = request.args.get("max_results", "10")
        title = escape(f"arXiv Query: {request.query_string.decode('latin-1')}")
        return "\n".join(
            [
                '<?xml version="1.0" encoding="UTF-8"?>',
                f'<feed xmlns="{ATOM_NS}" xmlns:opensearch="{OPENSEARCH_NS}" '
                f'xmlns:arxiv="{ARXIV_NS}">',
                f"  <id>{escape(request.url)}</id>",
                f"  <title>{title}</title>",
                f"  <updated>{_stamp(datetime.now(UTC))}</updated>",
                f'  <link href={quoteattr(request.url)} type="application/atom+xml"/>',
                f"  <opensearch:itemsPerPage>{escape(per_page)}</opensearch:itemsPerPage>",
                f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
                f"  <opensearch:startIndex>{escape(start)}</opensearch:startIndex>",
                *entries,
                "</feed>",
                "",
            ]
        )

    def _feed_response(
        self, request: Request, status: int, total: int, entries: Sequence[str]
    ) -> Response:
        return Response(
            self._feed(request, total, entries),
            status=status,
            mimetype="application/atom+xml",
        )


def _canonical(base: str) -> str:
    """arXiv files 'math.GT/0309136' under 'math/0309136'."""
    archive, slash, number = base.partition("/")
    return f"{archive.split('.')[0]}/{number}" if slash else base


def _error_entry(message: str) -> str:
    anchor = "http://arxiv.org/api/errors#" + re.sub(r"\W+", "_", message)
    return "\n".join(
        [
            "  <entry>",
            f"    <id>{escape(anchor)}</id>",
            "    <title>Error</title>",
            f"    <summary>{escape(message)}</summary>",
            f"    <updated>{_stamp(datetime.now(UTC))}</updated>",
            f'    <link href="{escape(anchor)}" rel="alternate" type="text/html"/>',
            "    <author>\n      <name>arXiv api core</name>\n    </author>",
            "  </entry>",
        ]
    )


def request_gaps(requests: Sequence[RecordedRequest]) -> Iterator[float]:
    """Seconds between consecutive arrivals."""
    times = sorted(r.at for r in requests)
    return (b - a for a, b in itertools.pairwise(times))
