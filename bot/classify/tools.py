"""The ``tool`` label: the post names or links an app or service used to make or share the work.

Names come from the catalogue. A name that is also an ordinary word ("loom large", "remind staff",
"flip the meeting", "teams of teachers") counts only with context:

* the post also links the tool (``loom.com/share/…``) or its card comes from it;
* it is written like a name: a capital letter mid-sentence outside a Title Case Phrase (not in German,
  where every noun has one), a capitalised second word ("Explain Everything"), or a vendor before it
  ("Google Meet", "MS Teams");
* a verb of use before it ("recorded it in", "using", "switched to") or a product noun after it
  ("Loom video", "Teams channel", "Canvas course");
* it stands in a list beside a tool that needs no context ("Canva, Loom and Padlet").

A near miss of a long catalogue name ("Padlett", "Screencastifiy": :mod:`bot.classify.spelling`)
needs the same context, and names the tool with how it was written. Tools the catalogue lacks are
recognised by how the sentence uses a capitalised name (:mod:`bot.classify.products`: "made the deck
with Gamma", "switched to Schoolcomms", "Guidde is a tool for…"), and named as outside the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.classify.catalogue import NameMatch, Tool, ToolCatalogue
from bot.classify.labels import Label, LinkInfo
from bot.classify.products import unlisted_tools
from bot.classify.prose import Prose, hashtags_as_words
from bot.posts import Post

_VENDORS = frozenset({"google", "microsoft", "ms", "apple", "adobe", "cisco", "instructure", "techsmith"})
_USE_BEFORE = re.compile(
    r"(?:\b(?:using|use|uses|used|love|via|through|tried|trying|tested|testing|switched to|moved to|moving to"
    r"|signed up for|uploaded to"
    r"|(?:recorded|made|created|built|shared|posted|filmed|edited|hosted|set up|put|uploaded|published|sent"
    r"|designed|done|did|added|embedded|shot|narrated|captioned|running|run|ran)"
    # Not "to": "sent a note to remind staff" is the verb remind.
    r"(?: [\w'-]+){0,4} (?:in|on|with|using|via|through)"
    r"|usando|utilizando|grabad[oa]s? (?:en|con)|hech[oa]s? (?:en|con)"
    r"|con|avec|sur|mit|auf|com|pelo|pela)\s+)$",
)
_PRODUCT_AFTER = re.compile(
    r"^\s*(?:app|apps|video|videos|vid|recording|recordings|link|links|board|boards|wall|walls|page|pages"
    r"|course|courses|channel|channels|call|calls|chat|chats|account|message|messages|notification"
    r"|notifications|meeting|group|groups|grid|topic|topics|studio|site|quiz|quizzes|survey|deck|template"
    r"|templates|workspace|extension|premium|pro|screen recorder|recorder"
    r"|for (?:education|edu|schools|teachers))\b"
)
# "Loom is my go-to", "Remind has been great": a capitalised name as the subject of a verb is a product
# (the verbs "remind" and "flip" never take one).
_SUBJECT_OF = re.compile(
    r"^\s*(?:is|was|has|makes|lets|works|worked|keeps|saves|saved|allows|gives|gave|'s)\b"
)
# "Teams of three", "loom large", "zoom speaker": the ordinary word.
_NOT_PRODUCT_AFTER = re.compile(r"^\s*(?:speaker|speakers|speech|address|large|larges|loomed|of)\b")
_LIST_GAP = re.compile(r"^[\s,/&+]*(?:(?:and|or|y|o|et|ou|und|oder|e|plus|then|&)\s+)?$")
# "Meet the Teacher", "Flip for Learning": a small word inside a Title Case Phrase.
_FUNCTION_WORDS = frozenset({"the", "a", "an", "of", "and", "for", "your", "our", "to"})
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'-]*)[ \t]*$")
_WORDS_AFTER = re.compile(r"^[ \t]+([^\W\d_][\w'-]*)(?:[ \t]+([^\W\d_][\w'-]*))?")
_MID_SENTENCE_CHARS = frozenset(",;:&+/()'\"“”‘’«»-–")
_CONTEXT_WINDOW = 60


@dataclass(slots=True)
class _Evidence:
    """What the post shows for one tool: whether it is named (and how) and which domain it links."""

    named: str | None = None
    linked: str | None = None
    confidence: float = 0.0
    how: list[str] = field(default_factory=list)
    # How the name was written when it was not the catalogue's spelling ("Padlett"), or why a name the
    # catalogue lacks was taken for a tool.
    note: str | None = None


def detect_tool(
    post: Post,
    prose: Prose,
    urls: tuple[str, ...],
    catalogue: ToolCatalogue,
    links: Mapping[str, LinkInfo],
) -> Label | None:
    """A ``tool`` label naming the tools the post uses, or ``None``.

    ``urls`` are the links the post shares; ``links`` what resolution learned about some of them.
    """
    evidence: dict[str, _Evidence] = {}
    linked = _linked_tools(post, urls, catalogue, links, evidence)
    text = hashtags_as_words(prose.text)
    german = (post.language or "").lower().startswith("de")
    matches = catalogue.names_in(text)
    certain = [m for m in matches if not m.needs_context]
    for match in matches:
        strength = _name_strength(text, match, certain, linked, german)
        if strength:
            _note_name(evidence, match.tool, strength)
    known = [(match.start, match.end) for match in matches]
    for miss in catalogue.near_misses(text, known):
        guess = NameMatch(miss.tool, miss.start, miss.end, miss.written, needs_context=True)
        strength = _name_strength(text, guess, certain, linked, german, guessed=True)
        if strength:
            _note_name(evidence, miss.tool, min(strength, 0.8), note=f"written '{miss.written}'")
            known.append((miss.start, miss.end))
    for extra_text in _extra_texts(post):
        for match in catalogue.names_in(extra_text):
            strength = _name_strength(extra_text, match, [], linked, german)
            if strength:
                _note_name(evidence, match.tool, min(strength, 0.75))
    _note_unlisted(text, known, evidence, german)
    if not evidence:
        return None
    ranked = sorted(evidence.items(), key=lambda item: item[1].confidence, reverse=True)
    return Label("tool", round(ranked[0][1].confidence, 2), _reason(ranked))


def guessed_tool_names(text: str, catalogue: ToolCatalogue, *, german: bool = False) -> list[tuple[int, str]]:
    """Tools ``text`` names without the catalogue's spelling: misspelt names and unlisted tools.

    Each is ``(position, name)``: the catalogue's name for a misspelling ("Padlett" → Padlet), the
    name as written for a tool the catalogue lacks.
    """
    text = hashtags_as_words(text)
    matches = catalogue.names_in(text)
    certain = [m for m in matches if not m.needs_context]
    known = [(match.start, match.end) for match in matches]
    found: list[tuple[int, str]] = []
    for miss in catalogue.near_misses(text, known):
        guess = NameMatch(miss.tool, miss.start, miss.end, miss.written, needs_context=True)
        if _name_strength(text, guess, certain, set(), german, guessed=True):
            found.append((miss.start, miss.tool.name))
            known.append((miss.start, miss.end))
    found += [(tool.start, tool.name) for tool in unlisted_tools(text, german=german, known=known)]
    return sorted(found)


def _note_unlisted(
    text: str, known: list[tuple[int, int]], evidence: dict[str, _Evidence], german: bool
) -> None:
    """Names the catalogue lacks that the post uses as tools ("made the deck with Gamma")."""
    taken = {name.casefold() for name in evidence}
    for found in unlisted_tools(text, german=german, known=known):
        name = found.name.casefold()
        if name in taken:
            continue
        entry = evidence.setdefault(found.name, _Evidence())
        entry.named = found.name
        entry.note = f"not in the catalogue; {found.how}"
        entry.confidence = max(entry.confidence, found.confidence)
        taken.add(name)


def _linked_tools(
    post: Post,
    urls: tuple[str, ...],
    catalogue: ToolCatalogue,
    links: Mapping[str, LinkInfo],
    evidence: dict[str, _Evidence],
) -> set[str]:
    """Tools whose domains the post links (before or after resolution), whose card or account it shows."""
    for url in urls:
        info = links.get(url)
        for candidate in (url, info.final_url if info else None):
            tool = catalogue.tool_for_url(candidate) if candidate else None
            if tool is not None and candidate:
                found = evidence.setdefault(tool.name, _Evidence())
                found.linked = found.linked or catalogue.domain_of(tool, candidate)
                found.confidence = max(found.confidence, 0.95)
        site = _linkable_tool(catalogue, info.site_name if info else None)
        if site is not None:
            found = evidence.setdefault(site.name, _Evidence())
            found.linked = found.linked or (info.site_name if info and info.site_name else site.name)
            found.confidence = max(found.confidence, 0.85)
    card_tool = _linkable_tool(catalogue, post.card.provider_name if post.card else None)
    if card_tool is not None:
        found = evidence.setdefault(card_tool.name, _Evidence())
        found.how.append(f"shares a {card_tool.name} card")
        found.confidence = max(found.confidence, 0.85)
    for acct in post.mentions:
        tool = catalogue.tool_named(acct.split("@", 1)[0])
        if tool is not None:
            found = evidence.setdefault(tool.name, _Evidence())
            found.how.append(f"mentions @{acct.split('@', 1)[0]}")
            found.confidence = max(found.confidence, 0.85)
    return set(evidence)


def _linkable_tool(catalogue: ToolCatalogue, name: str | None) -> Tool | None:
    """The tool a card provider or site name stands for, if it is one people link to.

    Tools without domains in the catalogue (Google Drive, OneDrive) are storage: a card from them says
    where a file lives, not what made it.
    """
    tool = catalogue.tool_named(name) if name else None
    return tool if tool is not None and tool.domains else None


def _name_strength(
    text: str,
    match: NameMatch,
    certain: list[NameMatch],
    linked: set[str],
    german: bool,
    *,
    guessed: bool = False,
) -> float:
    """How surely this mention of a name means the tool (0 when it is the ordinary word).

    ``guessed`` marks a near miss of a name ("Padlett"): it never counts as a sentence's subject,
    since a capital at the start of a sentence says nothing about a word.
    """
    if not match.needs_context:
        return 0.9
    if match.tool.name in linked:
        return 0.95
    after = text[match.end : match.end + _CONTEXT_WINDOW]
    if _NOT_PRODUCT_AFTER.match(after) and not guessed:
        return 0.0
    words = match.written.split()
    if len(words) > 1 and (words[0].lower() in _VENDORS or any(w[:1].isupper() for w in words[1:])):
        return 0.85
    before = text[max(0, match.start - _CONTEXT_WINDOW) : match.start]
    if _USE_BEFORE.search(before.lower()) or _PRODUCT_AFTER.match(after.lower()):
        return 0.8
    if any(_listed_together(text, match, other) for other in certain):
        return 0.8
    if not german and match.written[:1].isupper():
        if _mid_sentence(before) and not _in_title(before, after, guessed=guessed):
            return 0.7
        if _SUBJECT_OF.match(after) and not guessed:
            return 0.7
    return 0.0


def _mid_sentence(before: str) -> bool:
    stripped = before.rstrip(" \t")
    return bool(stripped) and (stripped[-1].isalnum() or stripped[-1] in _MID_SENTENCE_CHARS)


def _in_title(before: str, after: str, *, guessed: bool = False) -> bool:
    """Whether the name sits inside a Title Case Phrase ("Meet the Teacher", "Senior Leadership Teams").

    For a near miss of a name ("Our Nearpood lesson") a capitalised first word of the sentence does
    not make a title: a misspelling is no ordinary word that a title could hold.
    """
    stripped = before.rstrip(" \t")
    previous = _WORD_BEFORE.search(stripped)
    if previous and previous.group(1)[:1].isupper() and previous.group(1) != "I":
        opens_sentence = not stripped[: previous.start()].strip() or stripped[: previous.start()].rstrip()[
            -1:
        ] in (".", "!", "?", "\n", ":")
        if not (guessed and opens_sentence):
            return True
    following = _WORDS_AFTER.match(after)
    if not following:
        return False
    first, second = following.group(1), following.group(2)
    if first[:1].isupper() and first != "I":
        return True
    return bool(first.lower() in _FUNCTION_WORDS and second and second[:1].isupper())


def _listed_together(text: str, match: NameMatch, other: NameMatch) -> bool:
    gap = text[other.end : match.start] if other.end <= match.start else text[match.end : other.start]
    return len(gap) <= 12 and bool(_LIST_GAP.match(gap))


def _extra_texts(post: Post) -> list[str]:
    """Words the author wrote outside the body: image descriptions and poll options."""
    texts = [media.description for media in post.media if media.description]
    if post.poll_options:
        texts.append("\n".join(post.poll_options))
    return texts


def _note_name(
    evidence: dict[str, _Evidence], tool: Tool, strength: float, *, note: str | None = None
) -> None:
    found = evidence.setdefault(tool.name, _Evidence())
    if found.named is None or note is None:
        found.note = note if found.named is None else found.note if note else None
    found.named = tool.name
    found.confidence = max(found.confidence, strength, 0.97 if found.linked else 0.0)


def _reason(ranked: list[tuple[str, _Evidence]]) -> str:
    """Why, for a curator: 'names Canva and Loom; names Padlet and links padlet.com; links forms.gle (…)'."""
    both = [
        f"names {name} and links {found.linked}" for name, found in ranked if found.named and found.linked
    ]
    named = [
        f"{name} ({found.note})" if found.note else name
        for name, found in ranked
        if found.named and not found.linked
    ]
    linked = [f"links {found.linked} ({name})" for name, found in ranked if found.linked and not found.named]
    other = [found.how[0] for _, found in ranked if not found.named and not found.linked and found.how]
    parts = [*both, *([f"names {_and_list(named)}"] if named else []), *linked, *other]
    return "; ".join(parts)


def _and_list(names: list[str], limit: int = 4) -> str:
    shown = names[:limit]
    if len(names) > limit:
        return f"{', '.join(shown)} and {len(names) - limit} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
