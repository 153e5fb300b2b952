"""A git-hosting stand-in on 127.0.0.1: GitHub's commits API and its raw files, for tests.

It is a handler for pytest-httpserver (the local server the fetch tests already use), so
a test points ``PIPELINE_GITHUB_API_URL`` at ``<server>/api`` and ``PIPELINE_GITHUB_RAW_URL``
at ``<server>/raw`` (:meth:`GitHost.settings_for`) and keeps the GitHub URLs of its
sources.toml as a user writes them (``https://github.com/<owner>/<repo>``).

- ``/api/repos/<owner>/<repo>``: the repository, with its ``default_branch``;
- ``/api/repos/<owner>/<repo>/commits/<ref>``: the commit ``ref`` names (``HEAD``, a
  branch, a sha or its prefix), as the bare sha when asked with
  ``Accept: application/vnd.github.sha`` (else the commit's JSON), with an ETag, and a 304
  to a matching ``If-None-Match``; 422 for a ref it does not know;
- ``/raw/<owner>/<repo>/<ref>/<path>``: the file at that commit as ``text/plain``, with an
  ETag made from its content (as raw.githubusercontent.com's), a 304 to a matching
  ``If-None-Match``; 404 for a file the commit does not have.

:meth:`GitHost.push` adds a commit to a branch; every request is logged (``requests``), and
the API can be made to refuse (:attr:`GitHost.api_fault`: a status and its headers).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

SHA_MEDIA_TYPE = "application/vnd.github.sha"


@dataclass(frozen=True)
class Seen:
    """One request the stand-in answered."""

    path: str
    status: int
    if_none_match: str | None = None
    authorization: str | None = None

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def raw(self) -> bool:
        return self.path.startswith("/raw/")


@dataclass
class GitHost:
    """One repository (``owner/repo``): its branches, as lists of commits, each commit a
    sha and the files it holds."""

    owner: str = "ada"
    repo: str = "awesome-tracked"
    default_branch: str = "main"
    branches: dict[str, list[str]] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)  # sha -> path -> text
    requests: list[Seen] = field(default_factory=list)
    api_fault: tuple[int, dict[str, str]] | None = None

    # ------------------------------------------------------------------ the repository

    @property
    def url(self) -> str:
        """The repository as a user names it in sources.toml."""
        return f"https://github.com/{self.owner}/{self.repo}"

    def push(self, files: dict[str, str], branch: str | None = None) -> str:
        """A new commit on ``branch`` (default: the default branch) holding ``files``
        (the earlier commit's, updated by these); returns its sha."""
        branch = branch or self.default_branch
        history = self.branches.setdefault(branch, [])
        tree = dict(self.trees[history[-1]]) if history else {}
        tree.update(files)
        seed = f"{branch}:{len(self.trees)}:{json.dumps(tree, sort_keys=True)}"
        sha = hashlib.sha1(seed.encode()).hexdigest()
        self.trees[sha] = tree
        history.append(sha)
        return sha

    def head(self, branch: str | None = None) -> str:
        return self.branches[branch or self.default_branch][-1]

    # ------------------------------------------------------------------ serving

    def install(self, server: HTTPServer) -> None:
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self.handle)

    def settings_for(self, server: HTTPServer) -> dict[str, Any]:
        """The settings that send GitHub requests here."""
        return {
            "github_api_url": server.url_for("/api"),
            "github_raw_url": server.url_for("/raw"),
        }

    def api_requests(self) -> list[Seen]:
        return [seen for seen in self.requests if seen.api]

    def raw_requests(self) -> list[Seen]:
        return [seen for seen in self.requests if seen.raw]

    def handle(self, request: Request) -> Response:
        if request.path == "/robots.txt":
            return Response("User-agent: *\nAllow: /\n", content_type="text/plain")
        if request.path.startswith("/api/"):
            response = self._api(request)
        elif request.path.startswith("/raw/"):
            response = self._raw(request)
        else:
            response = Response("not found", status=404)
        self.requests.append(
            Seen(
                request.path,
                response.status_code,
                request.headers.get("If-None-Match"),
                request.headers.get("Authorization"),
            )
        )
        return response

    def _commit(self, ref: str) -> str | None:
        if ref == "HEAD":
            ref = self.default_branch
        if ref in self.branches:
            return self.branches[ref][-1]
        found = [sha for sha in self.trees if len(ref) >= 7 and sha.startswith(ref.lower())]
        return found[0] if len(found) == 1 else None

    def _api(self, request: Request) -> Response:
        if self.api_fault is not None:
            status, headers = self.api_fault
            body = json.dumps({"message": "API rate limit exceeded"})
            return Response(body, status=status, headers=headers, content_type="application/json")
        parts = request.path.split("/")[2:]  # repos, owner, repo, ...
        if parts[:3] != ["repos", self.owner, self.repo]:
            return Response(json.dumps({"message": "Not Found"}), status=404)
        if len(parts) == 3:
            about = {
                "full_name": f"{self.owner}/{self.repo}",
                "default_branch": self.default_branch,
            }
            return Response(json.dumps(about), content_type="application/json")
        if len(parts) != 5 or parts[3] != "commits":
            return Response(json.dumps({"message": "Not Found"}), status=404)
        sha = self._commit(parts[4])
        if sha is None:
            message = {"message": f"No commit found for SHA: {parts[4]}"}
            return Response(json.dumps(message), status=422, content_type="application/json")
        etag = f'"{sha}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        if request.headers.get("Accept") == SHA_MEDIA_TYPE:
            return Response(sha, headers={"ETag": etag}, content_type=SHA_MEDIA_TYPE)
        body = json.dumps({"sha": sha, "commit": {"message": "update"}})
        return Response(body, headers={"ETag": etag}, content_type="application/json")

    def _raw(self, request: Request) -> Response:
        parts = request.path.split("/")[2:]  # owner, repo, ref, path...
        if len(parts) < 4 or parts[:2] != [self.owner, self.repo]:
            return Response("404: Not Found", status=404)
        sha = self._commit(parts[2])
        text = self.trees.get(sha or "", {}).get("/".join(parts[3:]))
        if text is None:
            return Response("404: Not Found", status=404)
        etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:20] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(text, headers={"ETag": etag}, content_type="text/plain; charset=utf-8")
