"""The GitHub side of issue sync: a thin layer over PyGithub's requester that never repeats a create.

PyGithub is imported here and nowhere else, so ``postmortem-check lint`` never pays for it. Requests go
through ``Github.requester`` and the raw JSON of each answer is used as is: an ``Issue`` object would
fetch an issue again when touched for a field the list answer lacks (one extra GET per issue).
PyGithub's own retries are off (``retry=None``); this module decides what may be sent twice:
reads and edits are repeated after a 5xx or a dropped connection, a create or a comment never is.
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests
from github import Auth, Github, GithubException

from .errors import GitHubError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_TIMEOUT = 30
PAGE_SIZE = 100
MAX_PAGES = 200  # 20,000 issues: beyond that the listing is taken for a server that never ends it
READ_ATTEMPTS = 3
_NEXT_LINK = re.compile(r'<([^<>]{1,2000})>[ \t]{0,10};[ \t]{0,10}rel="?next"?')


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header."""
    if not header:
        return None
    for part in header.split(","):
        found = _NEXT_LINK.search(part)
        if found:
            return found.group(1)
    return None


def _page_key(url: str) -> str:
    """A page's URL with its query parameters in order, so the same page always has the same key."""
    parts = urlsplit(url)
    return f"{parts.path}?{urlencode(sorted(parse_qsl(parts.query)))}"


def rate_limit_wait(status: int, headers: dict[str, Any], message: str, earlier_waits: int,
                    now: float | None = None) -> float | None:
    """Seconds to wait before repeating a request GitHub refused for rate limiting; None if it did not.

    ``Retry-After`` first, then ``x-ratelimit-reset`` when no requests remain, else a minute doubled
    for each earlier wait (GitHub's guidance for secondary limits).
    """
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after")
    remaining = headers.get("x-ratelimit-remaining")
    reset = headers.get("x-ratelimit-reset")
    if not (status == 429 or retry_after is not None or remaining == "0" or "rate limit" in message.lower()):
        return None
    now = time.time() if now is None else now
    if retry_after is not None:
        try:
            seconds = float(str(retry_after))
            return max(0.0, seconds)
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(retry_after).timestamp() - now)
            except (TypeError, ValueError):
                pass
    if remaining == "0" and reset:
        try:
            return max(1.0, float(reset) - now + 1)
        except ValueError:
            pass
    return 60.0 * float(2 ** min(earlier_waits, 4))


def _message(data: Any) -> str:
    if isinstance(data, dict):
        message = data.get("message")
        if isinstance(message, str) and message:
            return " ".join(message.split())[:200]
    return "no message"


def _error_messages(data: Any) -> str:
    """The ``errors[].message`` texts of a 422 answer (what GitHub says is wrong), on one line."""
    errors = data.get("errors") if isinstance(data, dict) else None
    said = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            text = error.get("message")
            if not isinstance(text, str) or not text.strip():
                parts = [str(error.get(key)) for key in ("field", "code") if isinstance(error.get(key), str)]
                text = " ".join(parts)
            if text.strip():
                said.append(" ".join(text.split())[:200])
    return "; ".join(dict.fromkeys(said))[:600]


def _invalid_fields(data: Any) -> dict[str, list[str]]:
    invalid: dict[str, list[str]] = {}
    errors = data.get("errors") if isinstance(data, dict) else None
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict) and isinstance(error.get("field"), str):
            value = error.get("value")
            values = value if isinstance(value, list) else [value] if value is not None else []
            invalid.setdefault(error["field"], []).extend(str(v) for v in values)
    return invalid


class GitHubClient:
    """One repository's issues through PyGithub, with rate-limit waits and a cap on total waiting."""

    def __init__(self, api_url: str, repo: str, token: str | None, *, write_spacing: float = 1.0,
                 max_wait: float = 300.0, timeout: int = DEFAULT_TIMEOUT, backoff: float = 1.0,
                 notify: Callable[[str], None] | None = None) -> None:
        library_log = logging.getLogger("github")  # keep PyGithub's logging off the terminal
        library_log.addHandler(logging.NullHandler())
        library_log.propagate = False
        self._github = Github(
            auth=Auth.Token(token) if token else None, base_url=api_url.rstrip("/"), timeout=timeout,
            per_page=PAGE_SIZE, retry=None, seconds_between_requests=None,
            seconds_between_writes=write_spacing or None, user_agent="postmortem-check",
        )
        self._requester = self._github.requester
        self.api_url = api_url
        self.repo = repo
        owner, name = repo.split("/", 1)
        self._path = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
        self.max_wait = max_wait
        self.backoff = backoff
        self.waited = 0.0
        self.requests: Counter[str] = Counter()
        self._rate_waits = 0
        self._notify = notify or (lambda message: None)

    def close(self) -> None:
        self._github.close()

    def _wait(self, seconds: float, why: str) -> None:
        if self.waited + seconds > self.max_wait:
            raise GitHubError(
                f"{why}: GitHub asks to wait {seconds:.0f} s, which would pass the cap of "
                f"{self.max_wait:g} s of waiting per run (issues.max_wait); run again later",
                kind="rate_limit", fatal=True)
        self._notify(f"{why}: waiting {seconds:.0f} s")
        time.sleep(seconds)
        self.waited += seconds

    def _call(self, verb: str, url: str, *, what: str, repeatable: bool, params: dict[str, Any] | None = None,
              body: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
        """Send one request. Rate limits are waited out and repeated (GitHub did nothing); a 5xx or a
        dropped connection is repeated only when ``repeatable``, else raised as ambiguous."""
        attempts = 0
        while True:
            self.requests[verb] += 1
            try:
                headers, data = self._requester.requestJsonAndCheck(verb, url, parameters=params, input=body)
                self._rate_waits = 0
                return headers, data
            except GithubException as error:
                status = error.status
                data = error.data
                message = _message(data)
                wait = rate_limit_wait(status, dict(error.headers or {}), message, self._rate_waits)
                if wait is not None:
                    self._rate_waits += 1
                    self._wait(wait, f"rate limited while trying to {what} ({status} {message})")
                    continue
                if status < 500:
                    raise self._client_error(status, message, data, what) from None
                failure = GitHubError(f"could not {what}: GitHub answered {status} {message}", kind="server",
                                      status=status, ambiguous=not repeatable)
            except (requests.RequestException, http.client.HTTPException, OSError) as error:
                failure = GitHubError(f"could not {what}: the connection failed ({type(error).__name__})",
                                      kind="network", ambiguous=not repeatable)
            except ValueError:  # a 2xx whose JSON is cut short or damaged: it may have been carried out
                failure = GitHubError(f"could not {what}: GitHub's answer could not be read (malformed JSON)",
                                      kind="malformed", ambiguous=not repeatable)
            except AssertionError:  # PyGithub refuses a URL outside the API (a stray pagination link)
                raise GitHubError(f"could not {what}: GitHub sent a link outside {self.api_url}",
                                  kind="other", fatal=True) from None
            attempts += 1
            if not repeatable or attempts >= READ_ATTEMPTS:
                raise failure
            self._wait(self.backoff * 2 ** (attempts - 1), failure.message)

    def _client_error(self, status: int, message: str, data: Any, what: str) -> GitHubError:
        if status == 401:
            return GitHubError(f"GitHub rejected the token (401 {message}): set GITHUB_TOKEN or GH_TOKEN "
                               f"to a valid token", kind="auth", status=status, fatal=True)
        if status == 403:
            return GitHubError(f"the token may not {what} in {self.repo} (403 {message}): the workflow "
                               f"needs `permissions: issues: write`", kind="permission", status=status,
                               fatal=True)
        if status == 404:
            return GitHubError(f"could not {what}: not found (404); check the repository name {self.repo} "
                               f"(--repo or GITHUB_REPOSITORY) and that the token can see it",
                               kind="not_found", status=status)
        if status == 410:
            return GitHubError(f"issues are disabled in {self.repo} (410 {message})", kind="gone",
                               status=status, fatal=True)
        if status == 422:
            details = _error_messages(data)
            message = f"{message}: {details}" if details else message
            return GitHubError(f"could not {what}: GitHub refused it (422 {message})", kind="validation",
                               status=status, invalid=_invalid_fields(data))
        return GitHubError(f"could not {what}: GitHub answered {status} {message}", kind="other",
                           status=status)

    def _paginate(self, path: str, params: dict[str, Any], what: str) -> list[dict[str, Any]]:
        """Every entry of a listing, following ``Link: rel="next"``; a link to a page already read, or
        more than MAX_PAGES pages, stops the run (an incomplete listing could open duplicates)."""
        found: list[dict[str, Any]] = []
        url: str | None = path
        query: dict[str, Any] | None = {**params, "per_page": PAGE_SIZE}
        seen: set[str] = set()
        while url:
            key = _page_key(url)
            if key in seen or len(seen) >= MAX_PAGES:
                why = "links back to a page already read" if key in seen else f"has more than {MAX_PAGES} pages"
                raise GitHubError(f"could not {what}: GitHub's listing {why}; nothing is written from an "
                                  f"incomplete listing", kind="other", fatal=True)
            seen.add(key)
            data = self._page(url, query, what)
            found.extend(entry for entry in data[1] if isinstance(entry, dict))
            url, query = next_link(data[0].get("link")), None
        return found

    def _page(self, url: str, query: dict[str, Any] | None, what: str) -> tuple[dict[str, Any], list[Any]]:
        """One page of a listing; an answer that is not a list is read again (up to READ_ATTEMPTS)."""
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                headers, data = self._call("GET", url, what=what, repeatable=True, params=query)
            except GitHubError as error:
                if error.kind in ("not_found", "malformed"):
                    error.fatal = True
                raise
            if isinstance(data, list):
                return headers, data
            if attempt < READ_ATTEMPTS:
                self._wait(self.backoff * 2 ** (attempt - 1), f"could not {what}: GitHub did not answer "
                                                               f"with a list; reading it again")
        raise GitHubError(f"could not {what}: GitHub did not answer with a list", kind="malformed", fatal=True)

    def list_issues(self, label: str) -> list[dict[str, Any]]:
        """Every issue (open or closed, oldest first) carrying ``label``, pull requests left out."""
        params = {"state": "all", "labels": label, "sort": "created", "direction": "asc"}
        issues = self._paginate(f"{self._path}/issues", params, "list the issues")
        return [issue for issue in issues if "pull_request" not in issue]

    def milestones(self) -> dict[str, int]:
        """Milestone numbers by title (open and closed)."""
        found = self._paginate(f"{self._path}/milestones", {"state": "all"}, "list the milestones")
        return {str(m.get("title")): int(m["number"]) for m in found if isinstance(m.get("number"), int)}

    def create_issue(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST a new issue, once: a 5xx or a dropped connection raises an ambiguous GitHubError."""
        _, data = self._call("POST", f"{self._path}/issues", what="create issues", repeatable=False,
                             body=payload)
        if not isinstance(data, dict) or not isinstance(data.get("number"), int):
            raise GitHubError("could not create issues: GitHub's answer names no issue (malformed JSON)",
                              kind="malformed", ambiguous=True)
        return data

    def update_issue(self, number: int, payload: dict[str, Any]) -> dict[str, Any]:
        """PATCH an issue (setting fields is safe to repeat)."""
        _, data = self._call("PATCH", f"{self._path}/issues/{number}", what="edit issues", repeatable=True,
                             body=payload)
        return data if isinstance(data, dict) else {}

    def add_comment(self, number: int, body: str) -> None:
        """POST a comment, once."""
        self._call("POST", f"{self._path}/issues/{number}/comments", what="comment on issues",
                   repeatable=False, body={"body": body})
