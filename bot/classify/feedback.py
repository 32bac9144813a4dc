"""What curators' corrections teach the classifier: the pattern behind each, and catalogue proposals.

A correction is a curator's word on a label that the rules got wrong: a label they added that the
rules missed, or one they removed that the rules gave. For each, :func:`analyse` names the pattern
behind it (what fired, or what the rules could not see), counts the patterns, and proposes
catalogue changes a curator can apply with ``exemplar classify --apply KEY``:

* ``alias:Padlet=Padlett``: a misspelling, one typing slip from a known tool, that posts use;
* ``tool:Gamma``: a name the catalogue lacks that several posts use as a tool (with its domain when
  the posts link one);
* ``ambiguous:Microsoft Teams=Teams``: a catalogue spelling curators keep removing, which should then
  need context.

Pure: posts and corrections in, a report out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.classify.additions import CatalogueAddition
from bot.classify.catalogue import ToolCatalogue
from bot.classify.classifier import classify
from bot.classify.products import is_never_a_product, unlisted_tools
from bot.classify.prose import hashtags_as_words, prose_of, word_set
from bot.classify.urls import links_of, split_url
from bot.posts import Post

DEFAULT_MIN_POSTS = 2
_UNLISTED_REASON = re.compile(r"(?:names |, |and )([^,;()]+?) \(not in the catalogue")
_WRITTEN_REASON = re.compile(r"names ([^,;()]+?) \(written '([^']+)'\)")
_CANDIDATE = re.compile(r"(?<=[a-z,;:] )[A-Z][\w]*[a-z][\w]*(?:\.(?:ai|io|app|com|co|so))?")
_ENDS_ASKING = re.compile(r"[?？][^\w]*$")
_OPENING_NAME = re.compile(r"(?:^|[.!?]\s+|\n)([A-Z][\w]*[a-z][\w]*(?:\.(?:ai|io|app|com|co|so))?)(?= [a-z])")
_OPENERS = word_set(
    """
    a an the this that these those our my your their his her its we i you they he she it there here
    so and but or if when what how why who just today yesterday tonight tomorrow last next new great
    lovely loved love thanks thank made making finally first quick big huge another one two three
    after before still really very please hello hi happy good well ok yes no not all every some any
    more most many also even only again now then back half end start week day morning afternoon
    evening spent had have has was were is are did do does got went came tried used using started
    working looking watch see
    """
)


@dataclass(frozen=True, slots=True)
class Correction:
    """A curator's correction of one label on one stored post.

    ``added`` says the curator added the label (the rules missed it) rather than removed it;
    ``rule_reason`` is what the rules said when they gave the label, if they did.
    """

    post_id: int
    post: Post
    label: str
    added: bool
    rule_reason: str | None
    by: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ToolMention:
    """A stored post the rules labelled as a tool, with the reason they gave (no curator objected)."""

    post_id: int
    post: Post
    reason: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One correction, the pattern behind it, and whether today's rules (and catalogue) now agree."""

    correction: Correction
    pattern: str
    detail: str
    rules_now_agree: bool


@dataclass(frozen=True, slots=True)
class Proposal:
    """A catalogue change the corrections support, and the posts that support it."""

    addition: CatalogueAddition
    post_ids: tuple[int, ...]
    why: str

    @property
    def key(self) -> str:
        return self.addition.key


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    """Every correction with its pattern, how often each pattern occurs, and the proposals."""

    findings: tuple[Finding, ...]
    patterns: tuple[tuple[str, int], ...]
    proposals: tuple[Proposal, ...]
    applied: tuple[CatalogueAddition, ...] = ()
    agreeing: int = 0


@dataclass(slots=True)
class _Support:
    posts: set[int] = field(default_factory=set)
    corrected: set[int] = field(default_factory=set)
    domains: Counter[str] = field(default_factory=Counter)


def analyse(
    corrections: Sequence[Correction],
    catalogue: ToolCatalogue,
    *,
    tool_mentions: Sequence[ToolMention] = (),
    applied: Sequence[CatalogueAddition] = (),
    min_posts: int = DEFAULT_MIN_POSTS,
    agreeing: int = 0,
) -> FeedbackReport:
    """The report on ``corrections`` against ``catalogue`` (already including ``applied`` additions).

    ``tool_mentions`` are other stored posts the rules labelled as tools, read for names outside the
    catalogue and misspellings several posts share. A proposal needs ``min_posts`` posts, or one post
    a curator corrected for a misspelling. ``agreeing`` counts curator labels the stored rule labels
    agree with, for the report's last line.
    """
    findings = tuple(_finding(correction, catalogue) for correction in corrections)
    patterns = Counter(finding.pattern for finding in findings)
    done = {addition.key for addition in applied}
    proposals = [
        proposal
        for proposal in (
            *_alias_proposals(corrections, tool_mentions, catalogue, min_posts),
            *_tool_proposals(corrections, tool_mentions, catalogue, min_posts),
            *_ambiguous_proposals(corrections, catalogue, min_posts),
        )
        if proposal.key not in done
    ]
    return FeedbackReport(
        findings,
        tuple(sorted(patterns.items(), key=lambda item: (-item[1], item[0]))),
        tuple(proposals),
        tuple(applied),
        agreeing,
    )


def _finding(correction: Correction, catalogue: ToolCatalogue) -> Finding:
    now = {label.name for label in classify(correction.post, catalogue)}
    agree = (correction.label in now) == correction.added
    if correction.added:
        pattern, detail = _why_missed(correction, catalogue)
    else:
        pattern, detail = _why_given(correction)
    return Finding(correction, pattern, detail, agree)


def _why_given(correction: Correction) -> tuple[str, str]:
    """The pattern behind a label the rules gave and a curator removed, read from the rules' reason."""
    reason = correction.rule_reason or ""
    said = f"the rules said: {reason}" if reason else "the rules gave it"
    label = correction.label
    if label == "tool":
        if "not in the catalogue" in reason:
            return "tool: a name outside the catalogue taken for a tool", said
        if "(written '" in reason:
            return "tool: a near miss of a catalogue name", said
        if reason.startswith(("links", "shares", "mentions")) or " and links " in reason:
            return "tool: a link, card or account of a tool", said
        return "tool: a catalogue name used as an ordinary word", said
    if label == "question":
        if reason.startswith("runs a poll"):
            return "question: a poll", said
        if "without a question mark" in reason:
            return "question: a question's word order without a question mark", said
        if reason.startswith("asks the community") and reason.rstrip("'…").endswith("?"):
            return "question: a sentence ending in a question mark", said
        if reason.startswith("asks for feedback on what it shares"):
            return "question: a short question closing a share", said
        return "question: a request without a question mark", said
    if "silent" in reason:
        return "video: a silent clip taken for a screencast", said
    if reason.startswith("links"):
        return "video: a link taken for a video", said
    if "card" in reason:
        return "video: a video preview card", said
    return "video: an attached video", said


def _why_missed(correction: Correction, catalogue: ToolCatalogue) -> tuple[str, str]:
    """The pattern behind a label the rules missed: what the post has that they could not read."""
    post = correction.post
    prose = prose_of(post)
    if correction.label == "tool":
        text = hashtags_as_words(prose.text)
        misses = catalogue.near_misses(text, [(m.start, m.end) for m in catalogue.names_in(text)])
        if misses:
            shown = ", ".join(f"'{m.written}' (one slip from {m.tool.name})" for m in misses)
            return "tool: a misspelt catalogue name", f"the post writes {shown}"
        names = _candidate_names(text, catalogue)
        if names:
            return "tool: a name outside the catalogue", f"the post names {', '.join(repr(n) for n in names)}"
        hosts = [host for host in (_host(url) for url in links_of(post.links, post.text)) if host]
        if hosts:
            return "tool: a link to a site the catalogue lacks", f"the post links {', '.join(hosts)}"
        return "tool: no tool name the rules can see", "no capitalised name or link to a tool"
    if correction.label == "question":
        asked = [s.text for s in prose.sentences if _ENDS_ASKING.search(s.text)]
        if asked:
            return "question: a question read as rhetorical or answered", f"it asks '{_short(asked[0])}'"
        first = next((s.text for s in prose.sentences if not s.text.startswith("#")), "")
        return "question: a request the rules do not know", f"it says '{_short(first)}'"
    gifs = [media for media in post.media if media.kind == "gifv"]
    if gifs:
        seconds = gifs[0].duration
        length = f"{seconds:.0f} s" if seconds is not None else "of unknown length"
        return "video: a silent clip read as a reaction GIF", f"it attaches a silent clip {length}"
    hosts = [host for host in (_host(url) for url in links_of(post.links, post.text)) if host]
    if hosts:
        return "video: a link to a host not known for video", f"the post links {', '.join(hosts)}"
    return "video: no video the rules can see", "no attachment, card or link to a video"


def _alias_proposals(
    corrections: Sequence[Correction],
    mentions: Sequence[ToolMention],
    catalogue: ToolCatalogue,
    min_posts: int,
) -> list[Proposal]:
    support: dict[tuple[str, str], _Support] = defaultdict(_Support)
    for correction in corrections:
        if correction.label != "tool" or not correction.added:
            continue
        text = hashtags_as_words(prose_of(correction.post).text)
        for miss in catalogue.near_misses(text, [(m.start, m.end) for m in catalogue.names_in(text)]):
            found = support[(miss.tool.name, miss.written)]
            found.posts.add(correction.post_id)
            found.corrected.add(correction.post_id)
    for mention in mentions:
        for tool, written in _WRITTEN_REASON.findall(mention.reason):
            support[(tool, written)].posts.add(mention.post_id)
    proposals = []
    for (tool, written), found in sorted(support.items()):
        if catalogue.tool_named(written) is not None:
            continue
        if len(found.posts) >= min_posts or found.corrected:
            writes = f"{_posts(found.posts)} {_verb(found.posts, 'write')} it"
            why = f"'{written}' is one typing slip from {tool}; {writes}"
            proposals.append(
                Proposal(CatalogueAddition("alias", tool, written), tuple(sorted(found.posts)), why)
            )
    return proposals


def _tool_proposals(
    corrections: Sequence[Correction],
    mentions: Sequence[ToolMention],
    catalogue: ToolCatalogue,
    min_posts: int,
) -> list[Proposal]:
    support: dict[str, _Support] = defaultdict(_Support)
    spelt: dict[str, Counter[str]] = defaultdict(Counter)

    def note(name: str, post_id: int, post: Post, corrected: bool) -> None:
        key = name.casefold()
        spelt[key][name] += 1
        found = support[key]
        found.posts.add(post_id)
        if corrected:
            found.corrected.add(post_id)
        squashed = re.sub(r"[^a-z0-9]", "", key)
        for url in links_of(post.links, post.text):
            host = _host(url)
            if host and squashed and squashed in host.replace("-", "").replace(".", ""):
                found.domains[host] += 1

    for correction in corrections:
        if correction.label == "tool" and correction.added:
            text = hashtags_as_words(prose_of(correction.post).text)
            for name in _candidate_names(text, catalogue):
                note(name, correction.post_id, correction.post, True)
    removed = {c.post_id for c in corrections if c.label == "tool" and not c.added}
    for mention in mentions:
        if mention.post_id in removed:
            continue
        for name in _UNLISTED_REASON.findall(mention.reason):
            note(name.strip(), mention.post_id, mention.post, False)
    proposals = []
    for key, found in sorted(support.items()):
        if len(found.posts) < min_posts or catalogue.tool_named(key) is not None:
            continue
        name = spelt[key].most_common(1)[0][0]
        domains = tuple(host for host, _ in found.domains.most_common(2))
        why = f"{_posts(found.posts)} {_verb(found.posts, 'use')} {name} as a tool"
        if found.corrected:
            why += f" ({len(found.corrected)} corrected by curators)"
        if domains:
            why += f" and link {', '.join(domains)}"
        proposals.append(
            Proposal(CatalogueAddition("tool", name, "", domains), tuple(sorted(found.posts)), why)
        )
    return proposals


def _ambiguous_proposals(
    corrections: Sequence[Correction], catalogue: ToolCatalogue, min_posts: int
) -> list[Proposal]:
    support: dict[tuple[str, str], set[int]] = defaultdict(set)
    for correction in corrections:
        if correction.label != "tool" or correction.added:
            continue
        text = hashtags_as_words(prose_of(correction.post).text)
        for match in catalogue.names_in(text):
            if not match.needs_context:
                support[(match.tool.name, " ".join(match.written.split()))].add(correction.post_id)
    proposals = []
    for (tool, written), posts in sorted(support.items()):
        if len(posts) >= min_posts:
            why = f"curators removed the tool label from {_posts(posts)} that write '{written}'"
            addition = CatalogueAddition("ambiguous", tool, written.casefold())
            proposals.append(Proposal(addition, tuple(sorted(posts)), why))
    return proposals


def _candidate_names(text: str, catalogue: ToolCatalogue) -> list[str]:
    """Capitalised names mid-sentence that the catalogue lacks: what a curator may have meant."""
    used = [found.name for found in unlisted_tools(text)]
    if used:
        return list(dict.fromkeys(used))
    names = [match.group() for match in _CANDIDATE.finditer(text)]
    # A curator said the post names a tool, so a name opening a sentence ("Gamma turned my notes
    # into slides") counts too, unless it is a word sentences often open with.
    names += [
        match.group(1) for match in _OPENING_NAME.finditer(text) if match.group(1).casefold() not in _OPENERS
    ]
    return list(
        dict.fromkeys(
            name for name in names if catalogue.tool_named(name) is None and not is_never_a_product(name)
        )
    )


def _host(url: str) -> str | None:
    parts = split_url(url)
    return parts.host.removeprefix("www.") if parts is not None else None


def _posts(post_ids: Iterable[int]) -> str:
    count = len(set(post_ids))
    return f"{count} post{'s' if count != 1 else ''}"


def _verb(post_ids: Iterable[int], verb: str) -> str:
    return verb + ("s" if len(set(post_ids)) == 1 else "")


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_report(report: FeedbackReport, post_urls: Mapping[int, str] | None = None) -> str:
    """The report as text for a terminal: corrections and their patterns, then the proposals."""
    urls = post_urls or {}
    lines: list[str] = []
    if not report.findings:
        lines.append("No curator corrections yet: correct labels with `exemplar label` or the desk.")
    else:
        lines.append(f"{len(report.findings)} curator correction{'s' if len(report.findings) != 1 else ''}")
        for finding in report.findings:
            c = finding.correction
            verb = "added" if c.added else "removed"
            status = (
                "the rules now agree; `exemplar classify --all` re-labels"
                if finding.rules_now_agree
                else "the rules still disagree"
            )
            where = f" {urls[c.post_id]}" if c.post_id in urls else ""
            lines.append(f"- post {c.post_id}{where}: {c.label} {verb} by {c.by or 'a curator'} ({status})")
            lines.append(f"    pattern: {finding.pattern}")
            lines.append(f"    {finding.detail}")
        lines.append("")
        lines.append("Patterns")
        lines.extend(f"  {count:>3}  {pattern}" for pattern, count in report.patterns)
    lines.append("")
    if report.proposals:
        lines.append("Proposed catalogue changes (apply with `exemplar classify --apply KEY`, then `--all`)")
        for proposal in report.proposals:
            lines.append(f"- {proposal.key}")
            lines.append(f"    {proposal.why}: posts {', '.join(str(i) for i in proposal.post_ids)}")
    else:
        lines.append("No catalogue changes to propose.")
    if report.applied:
        lines.append("")
        lines.append("Applied: " + ", ".join(addition.key for addition in report.applied))
    if report.agreeing:
        lines.append("")
        lines.append(
            f"{report.agreeing} more curator {'label agrees' if report.agreeing == 1 else 'labels agree'}"
            " with the rules"
            " (confirmations, or corrections the rules have learned)"
        )
    return "\n".join(lines)
