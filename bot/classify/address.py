"""Who a sentence speaks to, and whether its word order asks, in the languages the community writes in.

A question to the community is often carried by address rather than by form: "Come gestite voi…",
"Hoe pakken jullie…", "Sut ydych chi'n…". These are closed classes of words (pronouns, possessives,
verb endings, inverted word order), so they are listed per language here rather than learnt from
examples. Words that mean "you" in one language and something else in another (Dutch "je" is French
"I", Welsh "chi" is Italian "who", French "du" is German "you") are read only in their own language;
a post without a language is read with the words every language agrees on.

Every function takes the sentence ``folded`` (see :func:`bot.classify.prose.fold`) and the post's
language code ("en", "pt", or "" when unknown).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.classify.alternation import by_first_character


def _words(*phrases: str) -> str:
    return "(?:" + "|".join(phrases) + ")"


# Second person (and "anyone"/"others") that means nothing else in any of the languages.
_READER_ANYWHERE = _words(
    r"you|your|yours|yourselves|y'?all|you guys|any ?one|any ?body|any of you|who else|who here",
    r"vous|votre|vos|quelqu'?un|ustedes|vosotr[oa]s|vuestr[oa]s?|alguien|euch|eure[rnms]?|euer|jemand",
    r"jullie|jouw|jij|iemand|voi|vostr[oaie]|qualcuno|voces|voce|vcs|alguem|unrhyw un|rhywun",
    # "anyone"/"someone" in languages without their own lists: pl, sv, da, nb, ca, ro, cs, sk, hu, fi, tr
    r"ktos|ktokolwiek|nagon|nogen|noen|nokon|algu|cineva|nekdo|niekto|valaki|joku|kukaan|birisi|kimse",
)
_READER_BY_LANGUAGE = {
    "en": r"u|ya|folks|colleagues",
    "fr": r"tu|toi|ton|ta|tes|t'|faites|dites|[a-z]{3,}(?<!chez)(?<!assez)ez",
    "es": r"tu|tus|te|ti|os|usted|[a-z]{2,}(?:ais|eis)",
    "de": r"du|dich|dir|dein[e]?[rnms]?|ihr|habt|seid|wisst|kennt",
    "nl": r"je|jou|u|uw|heb je|ken je|weet je",
    "it": r"tu|ti|te|tuo|tua|tuoi|tue|vi|avete|siete|sapete|[a-z]{3,}(?<!estate)(?<!parete)(?<!rete)ate"
    r"|[a-z]{3,}(?<!elite)ite|[a-z]{3,}(?<!sete)(?<!prete)ete",
    "pt": r"tu|te|teu|tua|o senhor|a senhora|os senhores",
    "cy": r"chi|ti|eich|dy|ydych|wyt|oes gan",
}
# Word orders that ask even without a question mark: "Hebben jullie…", "Habt ihr…", "Avez-vous…",
# "Oes gan unrhyw un…", "Does Nearpod still…" (the capitalised-name case is read on the raw text).
_ASKING_ORDER_ANYWHERE = _words(
    r"(?:do|does|did|is|are|can|could|should|would|will|has|have)(?!')"
    r" (?:you|anyone|anybody|someone|somebody|there|your|any of you|other|others)",
    r"which (?:is|are|one|do|does|would|should|works?|tool|app|platform|option|of)",
    r"how (?:do|does|can|should|would|are|is) (?:you|i|we|others|other|people|your|schools)",
    r"what (?:do|does|would|are) (?:you|your|others|other|people)|what'?s (?:the best|a good|your)",
    r"where (?:do|can|should) (?:you|i|we)|est-ce qu|(?:do|should|shall) (?:we|i) ",
)
_ASKING_ORDER_BY_LANGUAGE = {
    "fr": r"(?!rendez)[a-z]+-(?:vous|tu|on)\b|comment (?:vous|tu|faites|fait-on)|qui (?:a|utilise|connait)"
    r"|quel(?:le)?s? [a-z]+ (?:utilisez|avez|faites|conseillez|recommandez|preferez)",
    "es": r"(?:como|que|cual|cuales|donde|cuando) [a-z]+(?:ais|eis|an|en)\b"
    r"|alguien (?:ha|sabe|usa|conoce|tiene)",
    "de": r"[a-z]+(?:t|st|en) (?:ihr|du|jemand)\b|(?:wie|was|welche[nmrs]?|wo) [a-z]+(?:t|st) (?:ihr|du)\b",
    # Not "Dank je wel", "Bedankt jullie": thanks put the verb first too.
    "nl": r"(?!dank|bedank)[a-z]+ (?:jullie|je|jij|u|iemand)\b"
    r"|(?:hoe|wat|welke|waar|wie) [a-z]+ (?:jullie|je|jij|u|er)\b",
    # Second person plural verbs end in -ate/-ete/-ite, but so do plural nouns ("giornate"): a verb
    # counts after a question word, or when it is one of the verbs people ask with.
    "it": r"(?:come|cosa|che|quale|quali|dove|quando|perche) (?:voi )?[a-z]{3,}(?:ate|ete|ite)\b"
    r"|(?:voi )?(?:avete|siete|sapete|conoscete|usate|utilizzate|fate|potete|consigliate)\b"
    r"|qualcuno (?:ha|sa|usa|conosce|utilizza)|chi (?:ha|usa|conosce|utilizza)",
    "pt": r"(?:como|o que|qual|quais|onde|quando)? ?voces|alguem (?:tem|ja|sabe|usa|conhece|pode)",
    "cy": r"(?:oes|ydych|wyt|sut|beth|pa|ble|pam) [a-z' ]{0,20}(?:chi|ti|unrhyw un|rhywun|gan)\b",
}
_CAPITALISED_SUBJECT = re.compile(
    r"^[¿¡\"'(]*(?:Do|Does|Did|Is|Are|Can|Could|Should|Would|Will|Has|Have)\s+"
    r"(?:the\s+|a\s+|an\s+|our\s+|my\s+|your\s+)?[A-Z][\w.!-]*(?:'s)?\s+\w"
)
# "Calling all deputy heads: how are you…": a clause after a colon or dash can open a question too.
# (One character class first, so that the engine skips ahead to the marks and spaces.)
_CLAUSE_BREAK = re.compile(r"[:;,—–\s](?:(?<=[:;,—–])\s*|(?<=\s)-\s)")


def _has_clause_mark(folded: str) -> bool:
    """Whether the sentence has a mark :data:`_CLAUSE_BREAK` splits at (spelt out: it runs for most)."""
    return (
        ":" in folded or ";" in folded or "," in folded or "—" in folded or "–" in folded or " - " in folded
    )


# "Quels outils utilisez-vous…": a verb and its subject joined by a hyphen ask, wherever they stand.
_FRENCH_INVERSION = re.compile(r"\b(?!rendez)[a-z]{3,}-(?:vous|tu)\b")
_SIE = re.compile(r"\w[ ,]+Sie\b")


# The languages the word lists here and in the question and request rules are written for.
RULE_LANGUAGES = frozenset({"en", "fr", "es", "de", "nl", "it", "pt", "cy"})
# Codes X and others give for "no language": the script decides instead.
_NO_LANGUAGE = frozenset({"und", "zxx", "mul", "qam", "qct", "qht", "qme", "qst", "art"})
_LATIN_END = "\u024f"


def rules_read(language: str, folded: str) -> bool:
    """Whether the word lists can judge this sentence: its language is one of :data:`RULE_LANGUAGES`,
    or, with no language given ("" or a code such as "und"), it is written mostly in Latin letters."""
    if language and language not in _NO_LANGUAGE:
        return language in RULE_LANGUAGES
    letters = [char for char in folded if char.isalpha()]
    return sum(char > _LATIN_END for char in letters) * 2 <= len(letters)


def language_of(code: str | None) -> str:
    """ "pt" for "pt-BR", "" when unknown."""
    return (code or "").split("-", 1)[0].split("_", 1)[0].lower()


@lru_cache(maxsize=32)
def _reader_pattern(language: str) -> re.Pattern[str]:
    extra = _READER_BY_LANGUAGE.get(language, "")
    return re.compile(r"\b" + by_first_character(_READER_ANYWHERE, *([extra] if extra else [])) + r"\b")


@lru_cache(maxsize=32)
def _asking_order_pattern(language: str) -> re.Pattern[str]:
    extra = _ASKING_ORDER_BY_LANGUAGE.get(language, "")
    return re.compile(
        r"(?:¿\s*)?(?:and |so |but |also |ok )?"
        + by_first_character(_ASKING_ORDER_ANYWHERE, *([extra] if extra else []))
        + r"\b"
    )


def addresses_reader(folded: str, text: str, language: str) -> bool:
    """Whether the sentence speaks to the reader or the community (you, vous, jullie, chi, anyone…)."""
    # A language without words of its own reads the common ones: one pattern for all such languages.
    if _reader_pattern(language if language in _READER_BY_LANGUAGE else "").search(folded):
        return True
    return language == "de" and bool(_SIE.search(text))


def asks_by_word_order(folded: str, text: str, language: str) -> bool:
    """Whether a clause opens the way a question does in this language, question mark or not."""
    pattern = _asking_order_pattern(language if language in _ASKING_ORDER_BY_LANGUAGE else "")
    if pattern.match(folded):
        return True
    if language in ("fr", "") and "-" in folded and _FRENCH_INVERSION.search(folded):
        return True
    if _has_clause_mark(folded) and any(pattern.match(clause) for clause in _CLAUSE_BREAK.split(folded)[1:]):
        return True
    return language in ("en", "") and bool(_CAPITALISED_SUBJECT.match(text))
