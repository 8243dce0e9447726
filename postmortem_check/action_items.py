"""Action items: what the corrective actions sections ask people to do, one record per item.

Every pattern here runs in linear time on any text: no two adjacent quantifiers share characters, link
parts exclude the bracket that starts the next one, and trailing metadata is trimmed from the end one
token at a time instead of by a pattern anchored at ``$`` (which Python would try at every position).
"""

from __future__ import annotations

import bisect
import itertools
import re

from .digests import sha1
from .lazy_re import LazyPattern
from .parse import Block
from .results import ActionItem as ActionItem  # re-exported: the type lives with FileResult

_PREFIX = LazyPattern(r"^\s*(?:[•·▪◦‣∙o*+\-–—](?=\s)|\d{1,3}\s*(?:[.)]\s*)?[*•\-]|\d{1,3}[.)]|\(\d{1,3}\))\s*")
_TASK_BOX = LazyPattern(r"^\s*\[(?P<mark>[ xX]?)\]\s*")
# A status word that opens an item: "DONE", "**TODO**:", "Done:" (any case only with a colon).
_LEAD_STATUS = LazyPattern(
    r"^(?:\*\*|__)?(?:(?P<upper>DONE|FIXED|COMPLETED?|RESOLVED|TODO|DOING|OPEN|IN PROGRESS|WIP|PENDING)\b"
    r"|(?P<word>(?i:done|fixed|completed|todo|doing|in progress|pending))(?=\s*(?:(?:\*\*|__)\s*)?:))"
    r"(?:\*\*|__)?[ \t]*(?:[:–—-][ \t]*)?")
_DONE_STATUS_WORDS = {"done", "fixed", "complete", "completed", "resolved"}
_LEAD_MARK = LazyPattern(r"^(?P<mark>✅|✔️?|☑️?|✓|❌|⬜|🔲|☐|⏳|🚧)\ufe0f?\s*")
_TRAILING_DONE = LazyPattern(r"(?:\b(?:DONE|FIXED|COMPLETED?)|[(\[](?i:done|fixed|completed?)[)\]])[.!]?$")
_DONE_NOTE = LazyPattern(r"\b(?:done|fixed|completed|implemented|merged|deployed|released|in place)\b", re.I)
_NOT_YET = LazyPattern(r"\b(?:not|pending|progress|todo|to be|once|when|until|partial|partially|partly|wip|"
                       r"planned|if|after|before)\b", re.I)
# A nested bullet that only reports the state of its parent ("This has been done: …", "Fixed in 1.2").
_STATUS_NOTE = LazyPattern(
    r"^(?:(?:this|it|that)\s+)?(?:(?:has|have)\s+(?:now\s+|already\s+)?been\s+|(?:is|was)\s+(?:now\s+|already\s+)?)?"
    r"(?P<state>done|fixed|completed?|implemented|merged|deployed|resolved|in progress|pending|not done)\b", re.I)
# Reports of work already done: "We tweaked …", "We've advised …", "… has been documented".
_WE_DID = LazyPattern(r"^(?:we|i)(?:'ve|’ve|\s+have)?\s+(?:already\s+|also\s+|now\s+|[a-z]{2,20}ly\s+)?"
                      r"(?:[a-z]{2,}[^e\W]ed|sent|made|built|wrote|ran|set up|put|moved|added|fixed|"
                      r"rolled|shipped|released)\b", re.I)
# A short opening clause before who did it: "On the 2023-08-10 I removed …", "While at it, I also cleaned …".
_LEAD_CLAUSE = LazyPattern(r"^(?:[^,.;:]{1,40},\s*|(?:on|at|then|later|finally)\s[^,.;:]{0,40}?\s(?=(?:we|i)\s))", re.I)
_HAS_BEEN = LazyPattern(r"\b(?:has|have)\s+(?:now\s+|already\s+)?been\s+(?:[a-z]{2,}ed|done|set up|put in place|"
                        r"built|made|written|sent)\b", re.I)
# A later sentence that finds the work already done: "Note: on investigation, we already do this".
_ALREADY = LazyPattern(r"\b(?:we|it|this|that)\s+(?:already\s+(?:do|does|did|have|has)\s+(?:this|that|it)\b|"
                       r"(?:is|was)\s+already\s+(?:done|in place|implemented|fixed)\b)", re.I)
_FILED = LazyPattern(r"\b(?:backlog|ticket|jira|task|story|epic|opened|filed|scheduled|planned|requested|proposed|"
                     r"discussed|suggested|considered|prioriti[sz]ed|assigned)\b", re.I)
_PAST_VERBS = frozenset(
    [
        "added", "adjusted", "advised", "banned", "blocked", "built", "changed", "cleaned", "communicated", "completed",
        "configured", "contacted", "created", "decreased", "deleted", "deployed", "disabled", "documented", "enabled",
        "enforced", "fixed", "increased", "installed", "introduced", "issued", "lowered", "made", "merged", "migrated",
        "moved", "notified", "patched", "paused", "published", "raised", "ran", "rebuilt", "reduced", "released",
        "removed", "replaced", "restarted", "restored", "resumed", "revoked", "reverted", "rewrote", "rolled",
        "rotated", "scaled", "sent", "shipped", "switched", "tightened", "tweaked", "upgraded", "wrote"
    ])
_MENTION = LazyPattern(r"(?<![\w@/])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(?![\w/-])")  # not @org/team
_DUE = LazyPattern(r"\b(?:due|by|deadline|until)\s*(?::\s*)?(\d{4}-\d{2}-\d{2})\b", re.I)
_ISO_DATE = LazyPattern(r"\b(\d{4}-\d{2}-\d{2})\b")
_PRIORITY = LazyPattern(r"\b(P[0-4])\b")
_URL = LazyPattern(r"https?://[^\s<>()\[\]\"'`]+")
_ISSUE_PATH = LazyPattern(r"/(?:issues|pull)/\d+")
_OTHER_REPO_ISSUE = LazyPattern(
    r"(?<![\w./-])(?P<repo>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100})#(?P<number>\d{1,7})\b")
_ISSUE_NUMBER = LazyPattern(r"(?<![\w&/#])#(\d{1,7})\b")
# An item's own labels: only a trailing "labels: a, b" list of names (at most 50 characters, three words each).
_LABEL_NAME = r"[\w./-]{1,50}(?: [\w./-]{1,50}){0,2}"
_LABEL_LIST = rf"labels?\s*:\s*(?P<names>{_LABEL_NAME}(?:\s*,\s*{_LABEL_NAME})*)\s*"
_LABELS_TAIL = LazyPattern(_LABEL_LIST, re.I)
_LABELS = LazyPattern(rf"\(?\b{_LABEL_LIST}\)?\s*\.?\s*$", re.I)
# A line that states something ("The ideal pattern would be …") rather than asking for work: it goes on
# explaining the item above it.
_STATEMENT = LazyPattern(r"^(?:[\w’'-]+ ){1,5}(?:is|are|was|were|would)\b", re.I)
# An observation that hedges ("It seems …", "The disk usage might also explain …"): context, not work to do.
_HEDGE = LazyPattern(r"^(?:[\w’'%-]+ ){1,5}(?:seems?|looks?|might|may)\s(?!(?:want|need|wish|consider|be worth)\b)",
                    re.I)
# A line that tells what the writer did or saw ("Then I removed the index.", "I can see …"). Several of them
# in a row are an account of the response, step by step, not work to track; "I will …" still asks for work,
# and a step done for the future ("… so that next time it is configured") is kept.
_NARRATION = LazyPattern(r"^(?:[\w’',-]+ ){0,8}I (?!(?:will|shall|should|need|must|want|plan|would|have to)\b)[a-z]")
_FOR_THE_FUTURE = LazyPattern(r"\b(?:next time|in the future|tomorrow|going forward|from now on|to prevent|"
                              r"to avoid|so that)\b", re.I)
_STORY_STEPS = 3
_CLOSING = LazyPattern(
    r"^\s*(?:in conclusion|in summary|to conclude|to sum up|overall|in the end|and remember|remember,|note:|"
    r"this (?:postmortem|incident|outage)|we are confident|by (?:identifying|implementing))",
    re.I,
)
_PLACEHOLDER_ONLY = LazyPattern(r"^\s*\[[^\]]+\][\s.]*$")
# Template text inside an item: "{{ summary }}", "[link to github issue]", "[owner name]".
_PLACEHOLDER_PART = LazyPattern(r"\{\{[^{}]{0,80}\}\}|\[(?:link|insert|add|describe|owner|name|date|ticket|url|"
                                r"your|enter|fill|tbd|todo)\b[^\[\]]{0,80}\](?![(\[])", re.I)
_ESCAPE = LazyPattern(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
_MARKUP = LazyPattern(r"\*\*|__|~~|`|(?<![\w*\\])\*(?=\S)|(?<=[^\s\\])\*(?![\w*])|(?<![\w_\\])_(?=\S)"
                      r"|(?<=[^\s\\])_(?![\w_])")
_IMAGE = LazyPattern(r"!\[[^\[\]]*\](?:\([^()\s]*(?:\s+\"[^\"]*\")?\)|\[[^\[\]]*\])?")
_LINK = LazyPattern(r"\[(?P<text>[^\[\]]*)\](?:\((?P<url><?[^()\s<>]*>?)(?:\s+\"[^\"]*\")?\)|\[(?P<ref>[^\[\]]*)\])?")
_AUTOLINK = LazyPattern(r"<(?P<url>https?://[^\s<>]+)>")
_CONTROL = LazyPattern(r"[\x00-\x08\x0b-\x1f\x7f]")
# Link text that only points somewhere ("[issue](…)", "[PR](…)", "see [here](…)"): a reference, not words.
_GENERIC_LINK = LazyPattern(
    r"(?:see\s+(?:the\s+)?)?(?:(?:github|jira|tracking)\s+)?(?:issue|issues|pr|prs|pull request|pull-request|merge "
    r"request|mr|ticket|bug|jira|link|here|this|commit|fix|fixed|discussion|details|more|comment|docs?|"
    r"[\w./-]*#\d+)(?:\s+(?:link|here))?[.:]?", re.I)
_REF_OPEN, _REF_CLOSE = "\x01", "\x02"
_DANGLING = frozenset(["see", "see:", "ref", "ref:", "refs", "refs:", "cf.", "-", "—"])
_META_KEY = LazyPattern(r"(?:owners?|assignees?|who|due|eta|priority|prio|labels?)\s*:?", re.I)
_TIME_TAIL = LazyPattern(
    r"(?:due|by|before|until|till|deadline|eta|target|for)\s*(?::\s*)?(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|today|tomorrow|tonight|eo[dwmqy]|"
    r"(?:next|this)\s+(?:week|month|quarter|sprint|year)|(?:the\s+)?end\s+of\s+(?:the\s+)?"
    r"(?:day|week|month|quarter|sprint|year|q[1-4])|q[1-4](?:\s+\d{4})?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+\d{4})?)"
    r"[.!]?", re.I)
# Where a _TIME_TAIL can start: a word (at the start or after a space) that begins with one of its keywords,
# its first letter in either case (no other character matches these letters under IGNORECASE).
_TIME_TAIL_START = LazyPattern(r"(?<![^ ])(?=[dbutefDBUTEF])(?i:due|by|before|until|till|deadline|eta|target|for)")
_META_TOKEN = LazyPattern(r"[(\[]?(?:@[A-Za-z0-9][\w-]{0,38}(?:/[\w-]+)?|P[0-4]|#\d{1,7}|[\w.-]+/[\w.-]+#\d{1,7}|"
                          r"<?https?://\S+?>?)[)\],.;:]?")
_ACTION_HEADER = LazyPattern(r"action|item|task|what|description|measure|todo|to do", re.I)
_OWNER_HEADER = LazyPattern(r"owner|assignee|who|responsible", re.I)
_STATUS_HEADER = LazyPattern(r"status|state|done", re.I)
_ISSUE_HEADER = LazyPattern(r"bug|issue|ticket|link|tracking", re.I)
_DUE_HEADER = LazyPattern(r"due|deadline|date|when", re.I)
_PRIORITY_HEADER = LazyPattern(r"priority|prio|severity", re.I)
_TYPE_HEADER = LazyPattern(r"^\W*(?:type|category|kind)\W*$", re.I)
_DONE_STATUS = LazyPattern(r"^\s*(?:\[x\]|done|fixed|closed|complete[d]?|resolved|finished|merged|✅|✔)", re.I)
_NON_WORD = LazyPattern(r"[^\w]+")
_KEY_VALUE = LazyPattern(r"^\W*(?:\*\*|__)?(?P<key>\w[\w ()/-]{0,29}?)(?:\*\*|__)?\s*:(?P<value>.*)$")
_FIELD_KEY = LazyPattern(r"(?:owners?|assignees?|who|responsible|status|state|due|deadline|eta|date|priority|prio|"
                         r"severity|ticket|issue|link|jira|tracking|pr|type|labels?|team)\s*", re.I)
_OWNER_SPLIT = LazyPattern(r"[,;&/+]|\band\b")
_LOGIN_LIKE = LazyPattern(r"@?[A-Za-z0-9][A-Za-z0-9_.-]{0,38}")
_LABEL_LIKE = LazyPattern(r"[\w][\w .:/-]{0,48}")
# Sub-headings that name a group of items ("Short-term improvements"), never an item themselves.
_GROUP_WORDS = frozenset(
    [
        "action", "actions", "item", "items", "improvement", "improvements", "follow-up", "follow-ups", "followup",
        "followups", "task", "tasks", "todo", "todos", "change", "changes", "measure", "measures", "step", "steps",
        "fix", "fixes", "work", "term", "immediate", "planned", "next", "future", "process", "processes", "technical",
        "documentation", "short", "long", "medium", "preventive", "preventative", "corrective", "completed", "done",
        "open", "pending", "progress", "remediation", "remediations", "prevention", "mitigation", "mitigations"
    ])
_HEADING_DONE = LazyPattern(r"\b(?:completed|done|finished|resolved|implemented)\b", re.I)
_HEADING_OPEN = LazyPattern(r"\b(?:planned|in[- ]progress|ongoing|next|future|todo|to do|open|pending|proposed|"
                            r"upcoming|remaining|not done|to be)\b", re.I)
# A paragraph that states one item among lists: "**Action item:** …", "**TODO**: …".
_ITEM_LABEL = LazyPattern(r"^(?:\*\*|__)?(?:action items?|follow[- ]?ups?|next steps?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s*",
                         re.I)
_STATUS_LINE = LazyPattern(r"^(?:\*\*|__)(?:TODO|DOING|DONE|IN PROGRESS|WIP)(?:\*\*|__)")


# A sentence that announces work still to come: "Chia plans to …", "… are being rotated", "we'll add …".
_INTENT = LazyPattern(r"\b(?:plans to|we plan to|planning to|(?:is|are) (?:\w+ly |also |now |currently )?working on|"
                      r"(?<!that )(?<!which )(?:is|are) (?:\w+ly |also |now |currently )?being [a-z]{2,20}(?:ed|t|n)\b|"
                      r"will be (?:conducted|done|added|implemented|created|introduced|rolled out|migrated|moved|"
                      r"rebuilt|rotated|replaced|removed|reviewed|investigated|improved|changed|fixed|made)\b|"
                      r"\b(?:we|team)(?: will|'ll|’ll) (?!not\b|be \d)[a-z]{2,20}|under ?way|"
                      r"will (?:add|move|stop|start|introduce|implement|improve|change|migrate|review|rotate|replace|"
                      r"rebuild|investigate|create|build|switch|upgrade|document|monitor|alert)\b|"
                      r"changes coming|scheduled for|to prevent (?:this|such|similar|a recurrence)\b|"
                      r"\b(?:first|second|third|next|another|other|last) (?:action|step) (?:is|was|will be) to [a-z])",
                     re.I)
# A line that introduces a list of work to come: "Some possible actions in the future:", "We are now focused on:".
_LIST_INTRO = LazyPattern(r"\b(?:(?:possible|future|next|further|remaining) (?:actions?|steps?|work|improvements?)|"
                          r"actions? (?:for|in) the future|(?:we are|we're|we’re) (?:now )?(?:focused|working) on|"
                          r"(?:going|moving) forward)\b[^:]{0,60}:$", re.I)
_SENTENCE_END = LazyPattern(r"[.!?](?=\s+[A-Z])")
# A lead-in to a proposed change written on the lines after it: "a proposed fix is", "Possible workaround:".
# What a _PROPOSAL needs, in the case-folded text: the start of its first word without the "i" that a dotless
# "ı" matches under IGNORECASE (case folding turns "ſ" into "s" as IGNORECASE does).
_PROPOSAL_HINT = LazyPattern("propos|poss|sugges|potent")
_PROPOSAL = LazyPattern(r"\b(?:proposed|possible|suggested|potential) (?:fix|fixes|solutions?|workarounds?)"
                        r"(?: (?:is|are|would be|could be))?[ \t]*:?$", re.I)
# A line that introduces a list of fixes someone proposes ("Suggested fixes:"); "Possible solutions:" may only
# weigh options.
_PROPOSED_LIST = LazyPattern(r"\b(?:proposed|suggested) (?:fix|fixes|solutions?|workarounds?)\b[^:]{0,60}:$", re.I)
# Verbs that open a task ("Document the owners", "Decide how …"): a list made mostly of them is a to-do list.
_TASK_VERBS = frozenset(
    [
        "add", "adopt", "alert", "align", "analyse", "analyze", "apply", "assess", "audit", "automate", "avoid",
        "build", "change", "check", "clarify", "clean", "configure", "consider", "create", "decide", "define",
        "deploy", "deprecate", "design", "disable", "discuss", "document", "enable", "enforce", "ensure",
        "establish", "evaluate", "explore", "file", "fix", "identify", "implement", "improve", "increase",
        "install", "introduce", "investigate", "limit", "make", "measure", "migrate", "monitor", "move", "plan",
        "prepare", "prevent", "provide", "publish", "reduce", "refactor", "remove", "replace", "require", "review",
        "rewrite", "rotate", "schedule", "separate", "set", "setup", "share", "simplify", "split", "standardise",
        "standardize", "switch", "test", "track", "train", "update", "upgrade", "use", "validate", "verify", "write"
    ])
_TASK_SHARE = (3, 4)  # at least three bullets in four open with a task verb
_TO_READER = LazyPattern(r"\byour?s?\b", re.I)  # "Check your logs": advice to the reader, not the team's work
# A sentence that states the work still to do: "… now we have to set up …" after a temporary fix, or a
# change proposed on its own ("Upgrading the driver to 4.5 would possibly help.").
_LEFT_TO_DO = LazyPattern(r"\b(?:(?P<must>(?:now|still) (?:we|i) (?:have|need) to|"
                          r"(?:we|i) (?:now|still) (?:have|need) to)|"
                          r"would (?:possibly |probably |likely |certainly |also )?help(?=\s*(?:[.!;]|$)))", re.I)
# What a _LEFT_TO_DO needs, in the case-folded text (none of these letters has another form under IGNORECASE
# that case folding leaves apart).
_LEFT_TO_DO_HINT = LazyPattern("have to|need to|help")
_TEMPORARY = LazyPattern(r"\b(?:temporary|temporarily|short[- ]term|stop-?gap|workaround|quick fix|for now)\b", re.I)
_CLAUSE_START = LazyPattern(r"(?:…|\.\.\.|;|:(?=\s))\s*")
# A closing "(and maybe take the memory down again ?)": one more piece of work, in the same sentence.
_AND_MORE = LazyPattern(r"\(\s*and (?:(?:maybe|perhaps|also|then) )?(?P<work>[^()]{3,200}?)[\s?.!]*\)$", re.I)
_PASSIVE_DONE = LazyPattern(r"\b(?:was|were|has been|have been) (?:\w+ly )?(?:created|introduced|implemented|added|"
                            r"released|deployed|built|rolled out|fixed|shipped)\b", re.I)
_ALREADY_OUT = LazyPattern(r"\b(?:is|are|was|were|has been|have been) already (?:\w+ly )?(?:released|deployed|"
                           r"shipped|done|in place|implemented|fixed|live)\b", re.I)


def plain(text: str) -> str:
    """Item text without Markdown markup, links reduced to their text, on one line."""
    return _plain(text, {}, [])[0].replace(_REF_OPEN, "").replace(_REF_CLOSE, "")


def _plain(text: str, refs: dict[str, str], urls: list[str]) -> tuple[str, list[str]]:
    """Plain text with links reduced to their text (generic reference links kept between marks) and their URLs."""
    if not text.isprintable():  # every control character is unprintable
        text = _CONTROL.sub(" ", text)

    def link(match: re.Match[str]) -> str:
        label = match.group("text")
        url = match.group("url")
        if url is None:
            key = " ".join((match.group("ref") or label).split()).lower()
            if key not in refs:
                return match.group(0) if match.group("ref") is None else label
            url = refs[key]
        url = url.strip("<>")
        if url:
            urls.append(url)
        if _GENERIC_LINK.fullmatch(label.strip()) or not label.strip():
            return f"{_REF_OPEN}{label}{_REF_CLOSE}"
        return label

    text = _IMAGE.sub("", text) if "![" in text else text
    if "<http" in text:
        text = _AUTOLINK.sub(lambda m: m.group("url"), text)
    if "[" in text:
        text = _LINK.sub(link, text)
    if "*" in text or "_" in text or "~" in text or "`" in text:  # every _MARKUP match holds one of these
        text = _MARKUP.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split()), urls


def item_id(text: str) -> str:
    """A stable id from the item's words, unchanged by markup, case, spacing or done markers."""
    key = _NON_WORD.sub(" ", plain(text).lower()).strip()
    return str(sha1(key.encode("utf-8")).hexdigest()[:12])


class _Draft:
    """An item as read so far: its text (a paragraph's next line may still continue it), and the cells of
    its table row. ``state`` is what the heading above says (True done, False open, None nothing);
    ``brackets`` is "[" minus "]" so far (a link wrapped over lines is still open)."""

    __slots__ = ("brackets", "done", "due", "kind", "line", "owner", "priority", "state", "status", "status_issue",
                 "text")

    def __init__(self, line: int, text: str, done: bool = False, state: bool | None = None, owner: str = "",
                 status: str = "", status_issue: str = "", due: str = "", priority: str = "", kind: str = "",
                 brackets: int = 0) -> None:
        self.line, self.text, self.done, self.state = line, text, done, state
        self.owner, self.status, self.status_issue = owner, status, status_issue
        self.due, self.priority, self.kind, self.brackets = due, priority, kind, brackets


class _Group:
    """The blocks under one sub-heading of the section (or before the first one)."""

    __slots__ = ("blocks", "heading", "state")

    def __init__(self, heading: Block | None, state: bool | None) -> None:
        self.heading, self.state = heading, state
        self.blocks: list[Block] = []


def extract(blocks: list[Block], heading: str = "", refs: dict[str, str] | None = None,
            introduces: bool = False, grouped: bool = False) -> list[ActionItem]:
    """Action items of a corrective-actions section, from lists, tables, headings or one-per-line text.

    ``heading`` is the section's own heading ("Actions taken (completed)"); ``refs`` maps reference-link
    labels (lower case) to their URLs; ``introduces``: sub-sections with the items follow, so text before
    the first sub-heading introduces them; ``grouped``: a bullet ending in ":" over nested bullets names
    a group of items (a list of work to come), not one item with its details.
    """
    refs = refs or {}
    drafts: list[_Draft] = []
    groups = _groups(blocks, _heading_state(heading))
    # Text before the first sub-heading of a section that has lists or tables introduces them.
    listed = introduces or any(b.kind == "list_item" or (b.kind == "table_row" and b.info != "head") for b in blocks)
    for group in groups:
        drafts.extend(_group_drafts(group, refs, listed and group.heading is None, grouped))
    items = [_finish(draft, refs) for draft in drafts]
    return [item._replace(position=position) for position, item in enumerate(i for i in items if i)]


def status_items(blocks: list[Block], refs: dict[str, str] | None = None) -> list[ActionItem]:
    """Items written anywhere as status lines (``**TODO**: …``, ``**DONE**: …``, ``**DOING** …``)."""
    drafts = [_Draft(b.line, " ".join(line.strip() for line in b.lines)) for b in blocks
              if b.kind in ("paragraph", "list_item") and b.lines and _STATUS_LINE.match(_PREFIX.sub("", b.lines[0]))]
    items = [_finish(draft, refs or {}) for draft in drafts]
    return [item for item in items if item]


def announced_lists(blocks: list[Block], refs: dict[str, str] | None = None) -> list[ActionItem]:
    """Items of a list that a line introduces as work to come ("Some possible actions in the future:"),
    and a change proposed on the lines after its lead-in ("a proposed fix is" / the change), outside the
    action-items sections. In such a list a bullet that ends in ":" over a nested list names a group: the
    nested bullets are the items."""
    found: list[ActionItem] = []
    listed: list[Block] | None = None
    for block in [*blocks, Block("heading", 0, [])]:
        if block.kind == "list_item" and listed is not None:
            listed.append(block)
            continue
        if listed:
            found.extend(extract(listed, "", refs, grouped=True))
        listed = None
        if block.kind == "paragraph" and block.lines:
            listed = [] if _announces(block) else None
            found.extend(_proposals(block, refs or {}))
    return found


def _announces(block: Block) -> bool:
    """A paragraph whose last line introduces a list of work to come or of proposed fixes."""
    last = block.lines[-1].strip() if block.kind == "paragraph" and block.lines else ""
    return last.endswith(":") and bool(_LIST_INTRO.search(last[-200:]) or _PROPOSED_LIST.search(last[-200:]))


def _proposals(block: Block, refs: dict[str, str]) -> list[ActionItem]:
    """The change a paragraph proposes after a lead-in line ("a proposed fix is" / "sysctl x=2")."""
    if not _PROPOSAL_HINT.search("\n".join(block.lines[:-1]).casefold()):
        return []
    for offset, raw in enumerate(block.lines[:-1]):
        line = raw.strip()
        if _PROPOSAL.search(line[-200:]) and any(rest.strip() for rest in block.lines[offset + 1:]):
            text = " ".join(part.strip() for part in block.lines[offset:] if part.strip())
            item = _finish(_Draft(block.line + offset, text), refs)
            return [item] if item else []
    return []


def task_lists(blocks: list[Block], refs: dict[str, str] | None = None, heading: str = "") -> list[ActionItem]:
    """Items of a list that reads as a to-do list, in a top-level section that names no known section
    ("Supporting information": "- Document the owners", "- Decide how …"); ``heading`` is the section's own
    ("Changes made (done)")."""
    refs = refs or {}
    found: list[ActionItem] = []
    run: list[Block] = []
    announced = False  # the list follows a lead-in: announced_lists takes it
    for block in [*blocks, Block("heading", 0, [])]:
        if block.kind == "list_item" or (run and block.kind == "paragraph" and block.depth > 0):
            run.append(block)
            continue
        if run and not announced and _is_task_list(run):
            found.extend(extract(run, heading, refs))
        run = []
        announced = _announces(block)
    return found


def _is_task_list(run: list[Block]) -> bool:
    """Most top-level bullets open with a task verb ("Document …", "Decide …") and none speaks to the reader."""
    items = [b for b in run if b.kind == "list_item" and b.lines]
    top = min((b.depth for b in items), default=0)
    tasks = 0
    tops = [b for b in items if b.depth == top]
    for block in tops:
        text = _PREFIX.sub("", " ".join(line.strip() for line in block.lines))
        box = _TASK_BOX.match(text)
        shown = plain(_lead_status(text[box.end():] if box else text)[0])
        if _TO_READER.search(shown):
            return False
        first = shown.split(None, 1)[0].lower().strip(".,:;") if shown.split() else ""
        tasks += first in _TASK_VERBS
    share, of = _TASK_SHARE
    return len(tops) >= 2 and tasks * of >= len(tops) * share


def work_left(blocks: list[Block], refs: dict[str, str] | None = None) -> list[ActionItem]:
    """Sentences that state work still to do ("It is a temporary fix… now we have to set up a better policy",
    "Upgrading the driver would possibly help."), from the clause that says it; done when the next paragraph
    only says so ("This was done in #12")."""
    drafts: list[_Draft] = []
    for index, block in enumerate(blocks):
        if block.kind != "paragraph" or block.depth != 0 or not block.lines:
            continue
        text = " ".join(line.strip() for line in block.lines)
        if len(text) > 5000 or not _LEFT_TO_DO_HINT.search(text.casefold()) or not _LEFT_TO_DO.search(text):
            continue
        starts = list(itertools.accumulate((len(line.strip()) + 1 for line in block.lines[:-1]), initial=0))
        after = blocks[index + 1] if index + 1 < len(blocks) and blocks[index + 1].kind == "paragraph" else None
        note = _STATUS_NOTE.match(" ".join(after.lines).strip()) if after is not None else None
        done = note is not None and note.group("state").lower() not in ("in progress", "pending", "not done")
        begin = 0
        for end in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
            sentence, begin = text[begin:end].strip(), end
            match = _LEFT_TO_DO.search(sentence)
            if not match or sentence.endswith("?") or \
                    (match.group("must") and not _TEMPORARY.search(text, 0, end)):  # a step of the story
                continue
            line = block.line + bisect.bisect_right(starts, end - 1) - 1
            clauses = [m.end() for m in _CLAUSE_START.finditer(sentence, 0, match.start())]
            sentence = sentence[clauses[-1]:] if clauses else sentence
            more = _AND_MORE.search(sentence, max(0, sentence.rfind("(")))
            if more:
                sentence = sentence[:more.start()].rstrip()
            drafts.append(_Draft(line, sentence, done=done, state=done))
            if more:
                drafts.append(_Draft(line, more.group("work").strip(), state=False))
    items = [_finish(draft, refs or {}) for draft in drafts]
    return [item for item in items if item]


def prose_items(blocks: list[Block], refs: dict[str, str] | None = None) -> list[ActionItem]:
    """Work announced in prose ("Chia plans to have …", "we'll add a manual override …"), one item a sentence,
    done when it reports the work done ("… was created", "This is already released")."""
    drafts: list[_Draft] = []
    for block in blocks:
        if block.kind != "paragraph" or block.depth != 0 or not block.lines:
            continue
        starts: list[int] = []
        offset = 0
        for raw in block.lines:
            starts.append(offset)
            offset += len(raw.strip()) + 1
        text = " ".join(line.strip() for line in block.lines)
        begin = 0
        ends = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
        for end in ends:
            chunk = text[begin:end]
            sentence = chunk.strip()
            line = block.line + bisect.bisect_right(starts, begin + len(chunk) - len(chunk.lstrip())) - 1
            rest = text[end:end + 400]
            begin = end
            if not sentence or sentence.endswith("?") or len(sentence) > 600 or not _INTENT.search(sentence):
                continue
            done = bool(_PASSIVE_DONE.search(sentence)) or bool(_ALREADY_OUT.search(". ".join(rest.split(". ", 2)[:2])))
            drafts.append(_Draft(line, sentence, done=done, state=done))
    items = [_finish(draft, refs or {}) for draft in drafts]
    return [item for item in items if item]


def _heading_state(text: str) -> bool | None:
    if _HEADING_OPEN.search(text):
        return False
    if _HEADING_DONE.search(text) or text.lstrip().startswith(("✅", "✔")):
        return True
    return None


def _groups(blocks: list[Block], state: bool | None) -> list[_Group]:
    groups = [_Group(None, state)]
    stack: list[tuple[int, bool | None]] = []  # (level, state) of the sub-headings above
    for block in blocks:
        if block.kind != "heading":
            groups[-1].blocks.append(block)
            continue
        while stack and stack[-1][0] >= block.level:
            stack.pop()
        inherited = stack[-1][1] if stack else state
        own = _heading_state(block.text)
        stack.append((block.level, own if own is not None else inherited))
        groups.append(_Group(block, stack[-1][1]))
    return [g for g in groups if g.blocks or g.heading is not None]


def _group_drafts(group: _Group, refs: dict[str, str], intro: bool, grouped: bool = False) -> list[_Draft]:
    """The items of one group: its list, table or lines, or its heading when its list only describes it."""
    blocks = group.blocks
    items = [b for b in blocks if b.kind == "list_item"]
    if group.heading is not None and items and _heading_is_item(group.heading, items):
        return [_heading_draft(group, items)]
    has_list = bool(items)
    has_table = any(b.kind == "table_row" and b.info != "head" for b in blocks)
    drafts: list[_Draft] = []
    columns: dict[str, int] = {}
    top_depth = min((b.depth for b in items), default=1)
    parent_is_detail = False  # nested items under "Label:" items or under details are details too
    after_numbered = False  # bullets after a numbered item, outside it, are its details
    story = _is_story(blocks)
    for index, block in enumerate(blocks):
        if block.kind == "list_item":
            text = " ".join(line.strip() for line in block.lines)
            shown, urls = _plain(text, refs, [])
            if block.depth == top_depth:
                after_numbered = after_numbered or block.ordered
                parent_is_detail = shown.endswith(":") or (after_numbered and not block.ordered)
                if after_numbered and not block.ordered:
                    continue
                if grouped and shown.endswith(":") and _has_nested(blocks, index):
                    parent_is_detail = False  # "We could use this more:" names a group: its bullets are items
                    continue
            elif parent_is_detail or (drafts and _is_detail(shown, urls, drafts[-1])):
                continue
            if _is_reference(shown, urls):
                continue
            drafts.append(_Draft(block.line, _title_lines(block.lines), state=group.state))
        elif block.kind == "table_row":
            if block.info == "head":
                columns = _table_columns(block.cells)
            elif "action" in columns:
                drafts.append(_row_draft(block, columns, group.state))
        elif block.kind == "paragraph":
            if block.depth == 0:
                after_numbered = False
            lines_only = not has_list and not has_table and not intro
            drafts.extend(_paragraph_items(block, group.state, refs, story, lines_only))
    return drafts


def _paragraph_items(block: Block, state: bool | None, refs: dict[str, str], story: bool,
                     lines_only: bool) -> list[_Draft]:
    """A paragraph's items: one per line when the group has only lines, else only a labelled item
    ("**Action item:** …", "**TODO**: …")."""
    if lines_only:
        return _paragraph_drafts(block, state, refs, story)
    if block.lines and (_ITEM_LABEL.match(block.lines[0]) or _STATUS_LINE.match(block.lines[0])):
        return [_Draft(block.line, _ITEM_LABEL.sub("", " ".join(line.strip() for line in block.lines)), state=state)]
    return []


def _is_story(blocks: list[Block]) -> bool:
    """Several paragraphs tell what the writer did, step by step: an account of the response."""
    return sum(1 for b in blocks if b.kind == "paragraph" and b.lines
               and _NARRATION.match(b.lines[0].strip()[:200])) >= _STORY_STEPS


def _has_nested(blocks: list[Block], index: int) -> bool:
    """The list item at ``index`` has nested list items under it."""
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return following is not None and following.kind == "list_item" and following.depth > blocks[index].depth


def _title_lines(lines: list[str]) -> str:
    """A list item's text; a first line that is only emphasis is its title, ended like a sentence."""
    first = lines[0].strip()
    rest = " ".join(line.strip() for line in lines[1:])
    if rest and len(first) > 4 and first.startswith(("**", "__")) and first.endswith(("**", "__")):
        title = plain(first)
        return f"{title}{'' if title.endswith(('.', ':', '!', '?')) else '.'} {rest}"
    return " ".join(filter(None, [first, rest]))


def _is_detail(shown: str, urls: list[str], parent: _Draft) -> bool:
    """A nested bullet that only reports its parent's state (which it then sets) or points at a reference."""
    note = _STATUS_NOTE.match(shown)
    if note:
        state = note.group("state").lower()
        if state not in ("in progress", "pending", "not done"):
            parent.done = True
        return True
    return _is_reference(shown, urls)


def _is_reference(shown: str, urls: list[str]) -> bool:
    """Text that only points somewhere (a URL, "[PR](…)", "See https://…"): a reference, not work to track."""
    words = shown.replace(_REF_OPEN, " ").replace(_REF_CLOSE, " ").split()
    if not words:
        return True
    linked = bool(urls) or ("http" in shown and any(_URL.match(w.lstrip("<([")) for w in words if len(w) < 2000))
    if words[0].lower().rstrip(":") in ("see", "cf.", "ref", "refs") and linked and len(words) <= 15:
        return True
    if words[0].lower() in ("pr:", "prs:", "issue:", "ticket:", "link:", "links:") and linked:
        return True
    marked = shown.replace(" ", "")
    if marked.startswith(_REF_OPEN) and marked.endswith(_REF_CLOSE) and marked.count(_REF_OPEN) == 1:
        return True
    return all(len(w) < 2000 and (_URL.fullmatch(w.strip("<>()[].,;")) or _GENERIC_LINK.fullmatch(w)) for w in words)


def _heading_is_item(heading: Block, items: list[Block]) -> bool:
    """True when the heading names one item and its bullets are that item's short ``key: value`` fields."""
    words = {w.lower() for w in _NON_WORD.sub(" ", heading.text).split()}
    if words & _GROUP_WORDS:
        return False
    fields = 0
    for block in items:
        match = _KEY_VALUE.match(block.lines[0]) if block.lines else None
        if match and (_FIELD_KEY.fullmatch(match.group("key")) or len(match.group("value").split()) <= 12):
            fields += 1
    return fields * 10 >= len(items) * 6


def _heading_draft(group: _Group, items: list[Block]) -> _Draft:
    assert group.heading is not None
    draft = _Draft(group.heading.line, group.heading.text, state=group.state)
    for block in items:
        match = _KEY_VALUE.match(block.lines[0]) if block.lines else None
        if not match:
            continue
        key, value = match.group("key").lower().strip(), match.group("value").strip()
        for name, pattern in (("owner", _OWNER_HEADER), ("status", _STATUS_HEADER), ("status_issue", _ISSUE_HEADER),
                              ("priority", _PRIORITY_HEADER), ("due", _DUE_HEADER)):
            if pattern.search(key):
                setattr(draft, name, value)
                break
    return draft


def _table_columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for name, pattern in (("owner", _OWNER_HEADER), ("status", _STATUS_HEADER), ("issue", _ISSUE_HEADER),
                              ("priority", _PRIORITY_HEADER), ("due", _DUE_HEADER), ("kind", _TYPE_HEADER),
                              ("action", _ACTION_HEADER)):
            if name not in columns and pattern.search(plain(cell)):
                columns[name] = index
                break
    return columns


def _row_draft(block: Block, columns: dict[str, int], state: bool | None) -> _Draft:
    cells = block.cells

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    status = cell("status")
    return _Draft(block.line, cell("action"), done=bool(_DONE_STATUS.match(plain(status))), state=state,
                  owner=cell("owner"), status=status, status_issue=cell("issue"), due=cell("due"),
                  priority=cell("priority"), kind=cell("kind"))


def _paragraph_drafts(block: Block, state: bool | None, refs: dict[str, str], story: bool = False) -> list[_Draft]:
    """Items written one per line; an unprefixed line that does not start a sentence continues the last one.
    In a step-by-step account (story), the writer's steps are not items."""
    drafts: list[_Draft] = []
    prefixed = any(_PREFIX.match(line) for line in block.lines)
    for offset, raw in enumerate(block.lines):
        line = raw.strip()
        if not line:
            continue
        has_prefix = bool(_PREFIX.match(line))
        text = _PREFIX.sub("", line) if has_prefix else line
        previous = drafts[-1] if drafts else None
        continues = previous is not None and not has_prefix and (
            previous.brackets > 0 or text[:1].islower() or _STATEMENT.match(text[:80]) is not None
            or (prefixed and not previous.text.rstrip().endswith((".", "!", "?", ":")))
        )
        if continues and previous is not None:
            previous.text += " " + text
            previous.brackets += text.count("[") - text.count("]")
            continue
        if text.endswith(":") or _CLOSING.match(text) or _HEDGE.match(text[:120]) \
                or (text.startswith("(") and text.endswith(")")) \
                or (story and _NARRATION.match(text[:200]) and not _FOR_THE_FUTURE.search(text)):
            continue
        drafts.append(_Draft(block.line + offset, text, state=state, brackets=text.count("[") - text.count("]")))
    return [d for d in drafts if not _is_reference(*_plain(d.text, refs, []))]


def _lead_status(text: str) -> tuple[str, bool | None]:
    """The text without the status marks it opens with, and what they say (None: nothing)."""
    done: bool | None = None
    for _ in range(3):  # "✅ **DONE**: …", "[x] DONE …"
        stripped = text.lstrip()
        mark = _LEAD_MARK.match(stripped)
        word = _LEAD_STATUS.match(stripped)
        if mark:
            done = mark.group("mark")[0] in "✅✔☑✓"
            text = stripped[mark.end():]
        elif word:
            said = (word.group("upper") or word.group("word")).lower()
            done = said in _DONE_STATUS_WORDS
            text = stripped[word.end():]
        else:
            break
    return text, done


def _reports_done(shown: str) -> bool:
    """Past tense that reports the work as done: "Reverted …", "We tweaked …", "… has been documented";
    not when what was done is filing the work ("We have added a backlog task …", "has been scheduled")."""
    head = shown[:200]
    if _FILED.search(head.split(". ", 1)[0]):
        return False
    first = head.split(None, 1)
    verb = first[0].lower() if len(first) == 2 else ""
    if verb and first[0][:1].isupper() and (verb in _PAST_VERBS or (verb.startswith("re-") and verb.endswith("ed"))):
        return True
    lead = _LEAD_CLAUSE.match(head)
    if _WE_DID.match(head) or (lead is not None and _WE_DID.match(head[lead.end():])):
        return True
    sentence, _, later = head.partition(". ")
    if _ALREADY.search(later) or _ALREADY.search(shown[200:400]):
        return True
    been = _HAS_BEEN.search(sentence)
    return been is not None and not _NOT_YET.search(sentence[:been.start()])


def _trailing_note_done(shown: str) -> bool:
    """A closing note that says the work is done: "(monitoring done in grafana)", "… metrics. Done in grafana.",
    not "(Linux done; Windows pending)"."""
    text = shown.rstrip(" .")
    window = max(0, len(text) - 300)
    if text.endswith(")"):
        start = text.rfind("(", window)
        inner = text[start + 1:-1] if start >= 0 else ""
    else:
        start = text.rfind(". ", window)
        inner = text[start + 2:] if start >= 0 else ""
        if len(inner.split()) > 6 or not _DONE_NOTE.match(inner):
            return False
    return bool(_DONE_NOTE.search(inner)) and not _NOT_YET.search(inner)


def _trim(text: str) -> str:
    """The text without trailing metadata: people, priority, due times, labels, issue links and references."""
    label_at = -1
    period = text.rstrip().endswith(".")
    while True:
        text = text.rstrip(" \t,;|([{–—-")
        if not text:
            return text
        cut = _trailing_cut(text)
        if period and not text.endswith((".", "!", "?", ":")) and cut is None and _labels_cut(text) is None:
            return text + "."
        if cut is None and label_at != len(text):
            label_at = len(text)
            cut = _labels_cut(text)
        if cut is None:
            return text
        text = text[:cut]


def _trailing_cut(text: str) -> int | None:
    """Where the last piece of metadata at the end of ``text`` starts, or None when it ends in words."""
    body = text.rstrip(".")
    if body.endswith(_REF_CLOSE):
        start = body.rfind(_REF_OPEN)
        return start if start >= 0 else None
    if body and body[-1] in ")]":
        opener = "(" if body[-1] == ")" else "["
        start = body.rfind(opener, max(0, len(body) - 300))
        if start >= 0 and _all_metadata(body[start + 1:-1]):
            return start
    end = len(text)
    space = max(text.rfind(" ", 0, end), text.rfind("\t", 0, end))
    token = text[space + 1:]
    if len(token) < 2000 and _META_TOKEN.fullmatch(token):
        return space + 1
    if token.lower() in _DANGLING or (len(token) < 40 and _META_KEY.fullmatch(token) and token.endswith(":")):
        return space + 1
    tail_start = max(0, len(text) - 80)
    tail = text[tail_start:]
    for word in _TIME_TAIL_START.finditer(tail):
        if _TIME_TAIL.fullmatch(tail, word.start()):
            return tail_start + word.start()
    return None


def _all_metadata(inner: str) -> bool:
    words = inner.replace(",", " ").replace(";", " ").split()
    if not words:
        return True
    if len(inner) > 2000:
        return False
    joined = " ".join(words)
    if _REF_OPEN in joined:
        return joined.lower().replace("see ", "").startswith(_REF_OPEN) and joined.endswith(_REF_CLOSE)
    return all(_META_TOKEN.fullmatch(w) or w.lower() in _DANGLING or _META_KEY.fullmatch(w) for w in words) or \
        bool(_TIME_TAIL.fullmatch(joined)) or bool(_LABELS_TAIL.fullmatch(joined))


def _labels_cut(text: str) -> int | None:
    window = max(0, len(text) - 300)
    start = text[window:].lower().rfind("label")
    start = start + window if start >= 0 else -1
    if start < 0 or (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")):
        return None
    return start if _LABELS_TAIL.fullmatch(text, start) else None


def _owners(cell: str) -> tuple[str, ...]:
    """People in an Owner cell: ``charles,olivier`` is two; a name with a space is no login."""
    names = [part.strip().strip("*_`").lstrip("@") for part in _OWNER_SPLIT.split(plain(cell))]
    return tuple(name for name in names if name and _LOGIN_LIKE.fullmatch(name))


def _issue(urls: list[str], text: str) -> str | None:
    """The issue the item already names: an issue or pull request URL, ``owner/repo#1`` or ``#1``."""
    for url in urls:
        ends = [match.end() for match in _ISSUE_PATH.finditer(url)]
        if ends:
            return url[:ends[-1]]
    other = _OTHER_REPO_ISSUE.search(text)
    if other:
        return f"https://github.com/{other.group('repo')}/issues/{other.group('number')}"
    number = _ISSUE_NUMBER.search(text)
    return number.group(0) if number else None


def _done_state(draft: _Draft, box: re.Match[str] | None, text: str, said: bool | None,
                shown: str) -> tuple[bool, str]:
    """Whether the item is done (its box, a status word before or after it, strike-through, a "(completed)"
    heading above, past tense that reports the work done), and its text without a trailing status note."""
    done = draft.done or (box is not None and box.group("mark").lower() == "x")
    stripped = text.strip()
    if len(stripped) > 4 and stripped.startswith("~~") and stripped.endswith("~~"):
        done = True
    if _TRAILING_DONE.search(shown):
        done = True
        shown = _TRAILING_DONE.sub("", shown).rstrip(" -–—:")
    if said is not None:
        return done or said, shown
    if box is None and not done:
        if draft.state is not None:
            done = draft.state
        if draft.state is not False and (_trailing_note_done(shown) or _reports_done(shown)):
            done = True
    return done, shown


def _labels(shown: str, draft: _Draft) -> list[str]:
    """The item's own trailing ``labels:`` list, and its Priority and Type columns."""
    labels_match = _LABELS.search(shown) if "label" in shown.lower() else None
    labels = [x.strip() for x in labels_match.group("names").split(",") if x.strip()] if labels_match else []
    for value in (draft.priority, draft.kind):
        value = plain(value).strip().lower()
        if value and _LABEL_LIKE.fullmatch(value):
            labels.append(value.upper() if _PRIORITY.fullmatch(value.upper()) else value)
    return labels


def _finish(draft: _Draft, refs: dict[str, str]) -> ActionItem | None:
    text = draft.text.strip()
    box = _TASK_BOX.match(text)
    if box:
        text = text[box.end():]
    text, said = _lead_status(text)
    urls: list[str] = []
    shown, urls = _plain(text, refs, urls)
    for extra in (draft.owner, draft.status, draft.status_issue, draft.due, draft.priority):
        if extra:
            _plain(extra, refs, urls)
    done, shown = _done_state(draft, box, text, said, shown)
    if not any(c.isalnum() for c in shown.replace(_REF_OPEN, "").replace(_REF_CLOSE, "")):
        return None
    whole = " ".join([shown, draft.owner, draft.status, draft.status_issue, draft.due, draft.priority])
    if "http" in whole:
        urls.extend(_URL.findall(whole))
    assignees = tuple(dict.fromkeys([*_MENTION.findall(whole), *_owners(draft.owner)]))
    due = _DUE.search(whole) or _ISO_DATE.search(draft.due)
    priority = _PRIORITY.search(whole)
    labels = _labels(shown, draft)
    title = _trim(shown)
    if not title.replace(_REF_OPEN, "").replace(_REF_CLOSE, "").strip():
        title = shown
    title = " ".join(title.replace(_REF_OPEN, "").replace(_REF_CLOSE, "").split())
    if _is_reference(shown, urls):
        return None
    return ActionItem(
        id=item_id(title),
        text=title,
        line=draft.line,
        done=done,
        assignees=assignees,
        labels=tuple(dict.fromkeys(labels)),
        due=due.group(1) if due else None,
        priority=priority.group(1) if priority else None,
        issue=_issue(urls, whole),
        placeholder=bool(_PLACEHOLDER_ONLY.match(text) or _PLACEHOLDER_PART.search(text)),
    )
