"""A small stateful GitHub REST API on 127.0.0.1 for issue-sync tests: real HTTP, real PyGithub.

It keeps issues, comments, milestones and the repository's labels (matched without case, as GitHub
does), checks the token, paginates with ``Link`` headers, answers 422 for unassignable users and for
GitHub's limits (body 65,536 characters, title 256, label name 50, each with its ``errors[].message``),
and injects faults on request: a 5xx before or after doing the work, a dropped connection before or
after, a 2xx with truncated JSON before or after doing the work, secondary and primary rate limits, and a request
held open until the test lets it through (to kill a client mid-request). ``loop_pages`` makes every
listing page link to itself. Every request is logged for counting.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

FAULT_KINDS = ("500", "502", "502-after", "drop", "drop-after", "truncated", "truncated-after", "403-secondary", "429",
               "403-primary", "hold")
BODY_LIMIT, TITLE_LIMIT, LABEL_LIMIT = 65_536, 256, 50


@dataclass
class Fault:
    method: str
    route: str  # list, create, update, comment, milestones, get
    kind: str
    after: int = 0  # let this many matching requests through first
    times: int = 1
    seconds: int = 1  # for rate limits: Retry-After or reset delay
    seen: int = 0
    fired: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


@dataclass
class Logged:
    method: str
    route: str
    path: str
    status: int | str
    at: float


class FakeGitHub:
    """The state and behaviour of one fake repository; ``url`` is the API base URL."""

    def __init__(self, token: str = "test-token-0123456789", repo: str = "acme/ops",
                 page_cap: int = 100) -> None:
        self.token = token
        self.repo = repo
        self.page_cap = page_cap
        self.issues: list[dict[str, Any]] = []
        self.comments: dict[int, list[str]] = {}
        self.milestones = [{"number": 1, "title": "2024-Q3", "state": "open"}]
        self.assignable = {"alice", "bob", "carol"}
        self.read_only = False
        self.drop_labels = False
        self.loop_pages = False
        self.labels: dict[str, str] = {}  # lower-case name -> the name as the repository has it
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.app = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        for fault in self.faults:
            fault.release.set()
        self._server.shutdown()
        self._server.server_close()

    # --- test helpers -------------------------------------------------------------------------------
    def fault(self, method: str, route: str, kind: str, **options: Any) -> Fault:
        assert kind in FAULT_KINDS, kind
        injected = Fault(method, route, kind, **options)
        self.faults.append(injected)
        return injected

    def add_issue(self, title: str, body: str = "", labels: tuple[str, ...] = (), state: str = "open",
                  pull_request: bool = False) -> dict[str, Any]:
        """An issue made by hand (no limits checked)."""
        with self.lock:
            return self._create({"title": title, "body": body, "labels": list(labels)}, state, pull_request)

    def requests(self, method: str | None = None, route: str | None = None) -> list[Logged]:
        return [x for x in self.log
                if (method is None or x.method == method) and (route is None or x.route == route)]

    def writes(self) -> list[Logged]:
        return [x for x in self.log if x.method != "GET"]

    def real_issues(self) -> list[dict[str, Any]]:
        return [issue for issue in self.issues if "pull_request" not in issue]

    # --- behaviour ----------------------------------------------------------------------------------
    def _create(self, data: dict[str, Any], state: str = "open",
                pull_request: bool = False) -> dict[str, Any]:
        number = len(self.issues) + 1
        milestone = next((m for m in self.milestones if m["number"] == data.get("milestone")), None)
        issue: dict[str, Any] = {
            "url": f"{self.url}/repos/{self.repo}/issues/{number}",
            "html_url": f"https://github.example/{self.repo}/issues/{number}",
            "number": number,
            "title": data.get("title"),
            "body": data.get("body"),
            "state": state,
            "state_reason": None,
            "labels": [] if self.drop_labels else self._label_objects(data.get("labels") or []),
            "assignees": [{"login": login} for login in data.get("assignees") or []],
            "milestone": milestone,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if pull_request:
            issue["pull_request"] = {"url": f"{self.url}/repos/{self.repo}/pulls/{number}"}
        self.issues.append(issue)
        return issue

    def _label_objects(self, names: list[str]) -> list[dict[str, str]]:
        """Labels by name: an existing label whatever the case of the name asked for, else a new one."""
        found: dict[str, dict[str, str]] = {}
        for name in names:
            found.setdefault(name.lower(), {"name": self.labels.setdefault(name.lower(), name)})
        return list(found.values())

    def _limits(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """GitHub's 422 errors for a body, title or label name over its limits."""
        errors: list[dict[str, Any]] = []
        if len(str(body.get("body") or "")) > BODY_LIMIT:
            errors.append({"resource": "Issue", "code": "custom", "field": "body",
                           "message": f"body is too long (maximum is {BODY_LIMIT} characters)"})
        if len(str(body.get("title") or "")) > TITLE_LIMIT:
            errors.append({"resource": "Issue", "code": "custom", "field": "title",
                           "message": f"title is too long (maximum is {TITLE_LIMIT} characters)"})
        for name in body.get("labels") or []:
            if len(name) > LABEL_LIMIT:
                errors.append({"resource": "Label", "code": "custom", "field": "name", "value": name,
                               "message": f"name is too long (maximum is {LABEL_LIMIT} characters)"})
        return errors

    def handle(self, handler: _Handler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else {}
        segments = [s for s in parts.path.split("/") if s]
        route = _route(method, segments)

        def done(status: int | str) -> None:
            with self.lock:
                self.log.append(Logged(method, route, handler.path, status, time.monotonic()))

        presented = handler.headers.get("Authorization", "")
        if presented not in (f"token {self.token}", f"Bearer {self.token}"):
            shown = presented.split(" ", 1)[-1]
            done(401)  # the message echoes the token, so tests can prove the tool never prints it
            return handler.reply(401, {"message": f"Bad credentials for {shown}",
                                       "documentation_url": "https://docs.github.com/rest"})
        if len(segments) < 3 or "/".join(segments[1:3]) != self.repo or route == "unknown":
            done(404)
            return handler.reply(404, {"message": "Not Found"})

        fault = self._fault_for(method, route)
        if fault is not None:
            if fault.kind in ("500", "502"):
                done(int(fault.kind))
                return handler.reply(int(fault.kind), {"message": "Server Error"})
            if fault.kind == "drop":
                done("dropped")
                return handler.drop()
            if fault.kind == "truncated":  # a 2xx cut short, with nothing done
                done("200-truncated")
                return handler.reply(201 if method == "POST" else 200, {"message": "x" * 40}, truncate=True)
            if fault.kind == "403-secondary":
                done(403)
                return handler.reply(403, {"message": "You have exceeded a secondary rate limit. Please wait "
                                                      "a few minutes before you try again."},
                                     {"Retry-After": str(fault.seconds)})
            if fault.kind == "429":
                done(429)
                return handler.reply(429, {"message": "Too Many Requests"},
                                     {"Retry-After": str(fault.seconds)})
            if fault.kind == "403-primary":
                done(403)
                reset = str(int(time.time()) + fault.seconds)
                return handler.reply(403, {"message": "API rate limit exceeded for installation."},
                                     {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset})
            if fault.kind == "hold":
                fault.arrived.set()
                fault.release.wait(60)

        status, answer, headers = self._perform(method, route, segments, query, body)
        if fault is not None and fault.kind == "502-after" and status < 300:
            done(502)
            return handler.reply(502, {"message": "Server Error"})
        if fault is not None and fault.kind == "drop-after":
            done("dropped")
            return handler.drop()
        if fault is not None and fault.kind == "truncated-after" and status < 300:
            done(f"{status}-truncated")
            return handler.reply(status, answer, headers, truncate=True)
        done(status)
        try:
            handler.reply(status, answer, headers)
        except OSError:
            pass  # the client is gone (a killed run)
        finally:
            if fault is not None:
                fault.finished.set()

    def _fault_for(self, method: str, route: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and fault.route == route and fault.fired < fault.times:
                    fault.seen += 1
                    if fault.seen > fault.after:
                        fault.fired += 1
                        return fault
        return None

    def _perform(self, method: str, route: str, segments: list[str], query: dict[str, str],
                 body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            if method != "GET" and self.read_only:
                return 403, {"message": "Resource not accessible by integration"}, {}
            if route == "list":
                return self._list(query, segments)
            if route == "milestones":
                return 200, self.milestones, {}
            if route == "create":
                if not body.get("title"):
                    return 422, _invalid([{"field": "title", "code": "missing"}]), {}
                if self._limits(body):
                    return 422, _invalid(self._limits(body)), {}
                refused = [x for x in body.get("assignees") or [] if x.lower() not in self.assignable]
                if refused:
                    return 422, _invalid([{"value": x, "resource": "Issue", "field": "assignees",
                                           "code": "invalid"} for x in refused]), {}
                if body.get("milestone") is not None and not any(
                        m["number"] == body["milestone"] for m in self.milestones):
                    return 422, _invalid([{"value": body["milestone"], "resource": "Issue",
                                           "field": "milestone", "code": "invalid"}]), {}
                return 201, self._create(body), {}
            number = int(segments[4])
            issue = next((i for i in self.issues if i["number"] == number), None)
            if issue is None:
                return 404, {"message": "Not Found"}, {}
            if route == "get":
                return 200, issue, {}
            if route == "update":
                if self._limits(body):
                    return 422, _invalid(self._limits(body)), {}
                for key in ("title", "body", "state", "state_reason"):
                    if key in body:
                        issue[key] = body[key]
                if "labels" in body:
                    issue["labels"] = self._label_objects(body["labels"])
                return 200, issue, {}
            if route == "comment":
                self.comments.setdefault(number, []).append(body.get("body", ""))
                return 201, {"id": len(self.comments[number]), "body": body.get("body")}, {}
        return 404, {"message": "Not Found"}, {}

    def _list(self, query: dict[str, str], segments: list[str]) -> tuple[int, Any, dict[str, str]]:
        state = query.get("state", "open")
        wanted = [label.lower() for label in query.get("labels", "").split(",") if label]
        chosen = [i for i in self.issues if (state == "all" or i["state"] == state)
                  and all(any(label["name"].lower() == name for label in i["labels"]) for name in wanted)]
        if query.get("direction", "desc") == "desc":
            chosen.reverse()
        per_page = min(int(query.get("per_page", 30)), self.page_cap)
        page = int(query.get("page", 1))
        shown = chosen[(page - 1) * per_page: page * per_page]
        headers = {}
        last = max(1, -(-len(chosen) // per_page))
        if self.loop_pages:
            path = "/" + "/".join(segments)
            headers["Link"] = f'<{self.url}{path}?{urlencode({**query, "page": page})}>; rel="next"'
        elif page < last:
            path = "/" + "/".join(segments)
            links = [f'<{self.url}{path}?{urlencode({**query, "page": page + 1})}>; rel="next"',
                     f'<{self.url}{path}?{urlencode({**query, "page": last})}>; rel="last"']
            headers["Link"] = ", ".join(links)
        return 200, shown, headers


def _invalid(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"message": "Validation Failed", "errors": errors}


def _route(method: str, segments: list[str]) -> str:
    if len(segments) == 4 and segments[0] == "repos" and segments[3] == "issues":
        return {"GET": "list", "POST": "create"}.get(method, "unknown")
    if len(segments) == 4 and segments[0] == "repos" and segments[3] == "milestones" and method == "GET":
        return "milestones"
    if len(segments) == 5 and segments[3] == "issues" and segments[4].isdigit():
        return {"GET": "get", "PATCH": "update"}.get(method, "unknown")
    if len(segments) == 6 and segments[3] == "issues" and segments[5] == "comments" and method == "POST":
        return "comment"
    return "unknown"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def reply(self, status: int, data: Any, headers: dict[str, str] | None = None,
              truncate: bool = False) -> None:
        payload = json.dumps(data).encode()
        if truncate:
            payload = payload[: max(1, len(payload) // 2)]
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def drop(self) -> None:
        self.close_connection = True
        self.connection.close()

    def do_GET(self) -> None:
        self.server.app.handle(self, "GET")  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.server.app.handle(self, "POST")  # type: ignore[attr-defined]

    def do_PATCH(self) -> None:
        self.server.app.handle(self, "PATCH")  # type: ignore[attr-defined]
