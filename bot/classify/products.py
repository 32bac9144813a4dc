"""Tools the catalogue does not list, recognised by how a sentence uses their name.

New tools appear faster than any catalogue grows. A capitalised name is taken for a tool when:

* it is described as one: "Guidde is a tool for…", "Quillbot, an AI writing assistant…",
  "an app called Studybugs";
* it is the object of a verb of software use: "tried Poll Everywhere", "switched our messages to
  Schoolcomms", "we've started using Scribe", "on utilise…", "usamos…";
* it is what something was made with, in or on, when that something is a made thing (a deck, a
  video, a survey) or the name is shaped like a product ("Beautiful.ai", "QuillBot", "VEED").

Names that are capitalised for other reasons never count: days, months, languages, school
subjects, festivals, titles and roles (a closed list, :data:`_NOT_PRODUCTS`), a name after a title
("Mrs Patel"), a word at the start of a sentence unless a description follows it, and in German,
where every noun has a capital, anything but a description or a product-shaped name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.classify.prose import word_set


@dataclass(frozen=True, slots=True)
class UnlistedTool:
    """A name the post uses as a tool: ``text[start:end]``, and how the sentence shows it."""

    name: str
    start: int
    end: int
    how: str
    confidence: float


_NAME = re.compile(
    r"(?<![\w@#/.'’-])"
    r"([A-Z]\w*[a-z0-9]\w*(?:\.(?:ai|io|app|com|co|ly|so|me|net|org|tv|fm))?"
    r"(?: (?:[A-Z][a-z]+[A-Za-z]*|AI)(?![\w'’]))?)"
    r"(?![\w@/'’-]|\.\w)"
)
_PRODUCT_SHAPED = re.compile(r"[a-z][A-Z]|\.(?:ai|io|app|com|co|ly|so|me|net|org|tv|fm)$|\d| AI$")
_USE_VERB_BEFORE = re.compile(
    r"(?:\b(?:using|use|uses|used|tried|trying|trialled|trialed|trialling|trialing|piloting|piloted|tested"
    r"|testing|adopted|installed|downloaded|subscribed to|signed up (?:for|to)|logged (?:in|into|onto)"
    # Not "moved … to": people and libraries move to places.
    r"|started using|switched(?: [\w'-]+){0,4} to|migrated(?: [\w'-]+){0,3} to"
    r"|swear by|swears by|sworn by|rely on|relies on|paying for|pay for"
    r"|utilise|utilisons|utilisez|utilisent|teste|testons|usamos|usando|utilizamos|utilizando|probamos|probado"
    r"|nutzen|nutze|verwenden|verwende|benutzen|gebruiken|gebruik|gebruikt|usiamo|utilizziamo|usato|usando"
    r"|usamos o|usamos a|usando o|usando a|testamos|defnyddio|rydyn ni'n defnyddio)\s+)$",
    re.IGNORECASE,
)
# Verbs of making whose tool follows a preposition: "made the deck with Gamma", "recorded it in Tango".
_MADE_WITH_BEFORE = re.compile(
    r"\b(?:made|make|making|built|build|created|create|designed|generated|generate|drafted|draft|recorded"
    r"|record|filmed|edited|produced|put together|mocked up|ran|run|running|hosted|collected|gathered"
    r"|surveyed|polled|quizzed|animated|narrated|captioned|transcribed|published|shared|sent|send"
    r"|fait|fait|cree|creee|realise|enregistre|hecho|creado|grabado|fatto|creato|registrato|feito|criado"
    r"|gravado|gemaakt|opgenomen|gemacht|erstellt|aufgenommen)"
    r"((?: [\w'’-]+){0,6}) (?:with|in|on|using|through|via|avec|sur|con|en|mit|met|com|no|na|su)\s+$",
    re.IGNORECASE,
)
_MADE_THINGS = re.compile(
    r"\b(?:deck|slides?|slideshow|presentation|video|videos|recording|screencast|guide|guides|survey|surveys"
    r"|poll|polls|quiz|quizzes|form|forms|newsletter|website|site|page|podcast|animation|infographic|poster"
    r"|flyer|timeline|worksheet|booklet|questionnaire|walkthrough|tutorial|transcript|captions|subtitles"
    r"|diaporama|sondage|questionnaire|encuesta|presentacion|diapositivas|umfrage|prasentation|folien"
    r"|enquete|presentatie|sondaggio|presentazione|pesquisa|apresentacao|cyflwyniad|arolwg)\b",
    re.IGNORECASE,
)
_DESCRIBED_AFTER = re.compile(
    r"(?:,| is| was| has been| -| –| —|:)? ?(?:an?|the|une?|un|una|ein|eine|een|um|uma) (?:[\w-]+ ){0,4}"
    r"(?:app|apps|tool|platform|assistant|extension|plugin|plug-in|add-on|website|web app|service|bot"
    r"|chatbot|software|programme|program|generator|recorder|outil|appli|application|logiciel|plateforme"
    r"|herramienta|aplicacion|plataforma|werkzeug|anwendung|plattform|programma|strumento|piattaforma"
    r"|ferramenta|aplicativo|offeryn|ap)\b",
    re.IGNORECASE,
)
_DESCRIBED_BEFORE = re.compile(
    r"\b(?:app|tool|platform|assistant|extension|plugin|website|service|software|program(?:me)?|bot)"
    r" (?:called|named)\s+$",
    re.IGNORECASE,
)
# (The look-behind follows the capital, so that the engine skips ahead to capitals.)
_CAPITAL_AFTER_SPACE = re.compile(r"[A-Z](?<= [A-Z])")
# Every verb _SOFTWARE_SUBJECT knows contains one of these: most posts skip it after a substring test.
_SOFTWARE_VERB_STEMS = (
    "generat",
    "transcrib",
    "summari",
    "auto",
    "convert",
    "turn",
    "lets you",
    "allows you",
)
_SOFTWARE_SUBJECT = re.compile(
    r"([A-Z](?<![\w@#/.'’-].)\w*[a-z0-9]\w*(?:\.(?:ai|io|app|com|co|so))?)"
    r" (?:generates|transcribes|summari[sz]es|auto-?(?:generates|captions|transcribes|grades|marks)"
    r"|converts (?:\w+ ){0,3}(?:into|to)"
    r"|turn(?:s|ed) (?:\w+ ){0,3}(?:notes|text|slides|pdfs?|documents?|videos?"
    r"|recordings?|prompts?|ideas|lesson plans?|screenshots?) into|lets you (?:create|make|build|record|embed"
    r"|export|generate|schedule|message)|allows you to (?:create|make|build|record|embed|export|generate))\b"
)
# A cheap first look for "Name, an …" / "Name is a …" (it starts with a capital, so it scans fast; the
# name never gives back letters, since what follows it starts with a comma, a space or a colon).
_DESCRIPTION_START = re.compile(
    r"[A-Z][\w.]*+(?:,| is| was| has been| -| –| —|:)? (?:an?|the|une?|una|ein|eine|een|um|uma) "
)
_LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_DESCRIPTION_NOUNS = word_set(
    """
    app apps tool platform assistant extension plugin plug-in add-on website service bot chatbot
    software programme program generator recorder outil appli application logiciel plateforme
    herramienta aplicacion plataforma werkzeug anwendung plattform programma strumento piattaforma
    ferramenta aplicativo offeryn ap
    """
)
# "Block B", "Week A", "Room 5": a capitalised word before a letter or number labels a place or time.
_LABEL_AFTER = re.compile(r"\s+(?:[A-Z]|\d+)\b")
# "made the slides with Sarah from the maths team": people come from somewhere and do things.
_PERSON_AFTER = re.compile(r"\s*(?:from|who|and (?:i|me|we)|at|of|'s|’s|,? (?:our|my|his|her|their))\b")
_NAMING_WORDS = frozenset({"called", "named"})
_PREPOSITIONS = word_set(
    """
    with in on using through via avec sur con en mit met com no na su
    """
)
# Read on lower-cased text, so without IGNORECASE (which is slower).
_DESCRIPTION_NOUN = re.compile(
    r"\b(?:app|apps|tool|platform|assistant|extension|plugin|plug-in|add-on|website|service|bot|chatbot"
    r"|software|programme|program|generator|recorder|outil|appli|application|logiciel|plateforme|herramienta"
    r"|aplicacion|plataforma|werkzeug|anwendung|plattform|programma|strumento|piattaforma|ferramenta"
    r"|aplicativo|offeryn|ap)\b",
    re.IGNORECASE,
)
_LAST_WORDS = word_set(
    """
    using use uses used tried trying trialled trialed trialling trialing piloting piloted tested
    testing adopted installed downloaded to for in into onto by on with through via avec sur con en
    mit met com no na su called named utilise utilisons utilisez utilisent teste testons usamos
    usando utilizamos utilizando probamos probado nutzen nutze verwenden verwende benutzen gebruiken
    gebruik gebruikt usiamo utilizziamo usato o a defnyddio
    """
)
# Capitalised words that are never products.
_NOT_PRODUCTS = word_set(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december spring summer autumn winter christmas easter
    halloween diwali eid ramadan hanukkah advent lent english french spanish german dutch italian
    portuguese welsh irish scottish british polish arabic urdu chinese mandarin japanese latin greek
    maths math mathematics science biology chemistry physics history geography art music drama dance
    computing religious religion sociology psychology economics business literacy numeracy phonics
    reading writing year years reception nursery sixth form key stage term half inset cpd slt smt
    sen send senco ofsted estyn governors governor parents parent staff students student pupils
    pupils' children teachers teacher head heads headteacher deputy principal trust school schools
    council department team teams i i'm i've i'd god mum mum's dad mr mrs ms miss dr sir ai it ict
    pe re pshe rse mfl dt ks1 ks2 ks3 ks4 gcse gcses a-level a-levels sats covid zoom friday's
    monday's the a an our my we you they this that these those it's there here what when where who
    why how and but or so if then also just
    """
)


def unlisted_tools(
    text: str, *, german: bool = False, known: Sequence[tuple[int, int]] = ()
) -> list[UnlistedTool]:
    """Capitalised names in ``text`` that the sentence around them uses as a tool.

    ``known`` are spans already taken by catalogue names, which are not looked at again.
    """
    found: list[UnlistedTool] = []
    if _DESCRIPTION_START.search(text) and not _DESCRIPTION_NOUNS.isdisjoint(_LETTERS.findall(text.lower())):
        for described in _NAME.finditer(text):
            start, end = described.span(1)
            overlaps = any(start < stop and begin < end for begin, stop in known)
            if not overlaps and _DESCRIBED_AFTER.match(text, end) and _may_be_product(described.group(1)):
                found.append(UnlistedTool(described.group(1), start, end, "described as a tool", 0.8))
    # "Otter transcribes…", "Gamma turns your notes into slides": what only software does.
    software_verbs = _has_software_verb(text)
    for subject in _SOFTWARE_SUBJECT.finditer(text) if software_verbs else ():
        start, end = subject.span(1)
        overlaps = any(
            start < stop and begin < end for begin, stop in [*known, *((t.start, t.end) for t in found)]
        )
        if not overlaps and _may_be_product(subject.group(1)):
            found.append(UnlistedTool(subject.group(1), start, end, "does what software does", 0.75))
    # The other shapes need a word before the name ("using", "with", "called"): look only there.
    for capital in _CAPITAL_AFTER_SPACE.finditer(text):
        position = capital.start()
        last = text[
            max(text.rfind(" ", 0, position - 1), text.rfind("\n", 0, position - 1)) + 1 : position - 1
        ]
        last = last.casefold()
        if last not in _LAST_WORDS:
            continue
        match = _NAME.match(text, position)
        if match is None:
            continue
        start, end = match.span(1)
        taken = [*known, *((other.start, other.end) for other in found)]
        if any(start < stop and begin < end for begin, stop in taken):
            continue
        judged = _judge(text, start, end, last, german)
        if judged is not None:
            found.append(judged)
    return found


def _has_software_verb(text: str) -> bool:
    """``any(stem in text for stem in _SOFTWARE_VERB_STEMS)``, spelt out (a generator costs more)."""
    return (
        "generat" in text
        or "transcrib" in text
        or "summari" in text
        or "auto" in text
        or "convert" in text
        or "turn" in text
        or "lets you" in text
        or "allows you" in text
    )


def is_never_a_product(name: str) -> bool:
    """Whether a capitalised name is one that is never a product: a day, a subject, a role, "Year"."""
    return name.split(" ", 1)[0].casefold() in _NOT_PRODUCTS


def _may_be_product(name: str) -> bool:
    return not is_never_a_product(name)


def _judge(text: str, start: int, end: int, last: str, german: bool) -> UnlistedTool | None:
    """Whether the name at ``text[start:end]``, after the word ``last``, is used as a tool."""
    name = text[start:end]
    if not _may_be_product(name):
        return None
    before = text[max(0, start - 60) : start]
    if last in _NAMING_WORDS:
        if _DESCRIBED_BEFORE.search(before):
            return UnlistedTool(name, start, end, "described as a tool", 0.8)
        return None
    after = text[end : end + 60]
    shaped = bool(_PRODUCT_SHAPED.search(name))
    if (german and not shaped) or after.startswith(("'s", "’s")) or _LABEL_AFTER.match(after):
        return None
    if _USE_VERB_BEFORE.search(before) and (shaped or " " not in name or _next_word_is_lower(after)):
        return UnlistedTool(name, start, end, "used as a tool", 0.75)
    if last not in _PREPOSITIONS:
        return None
    made = _MADE_WITH_BEFORE.search(before)
    if made and _PERSON_AFTER.match(after) and not shaped:
        return None
    if made and (shaped or (" " not in name and _MADE_THINGS.search(before))):
        return UnlistedTool(name, start, end, "what something was made with", 0.7)
    return None


def _next_word_is_lower(after: str) -> bool:
    stripped = after.lstrip(" ")
    return not stripped[:1].isupper()
