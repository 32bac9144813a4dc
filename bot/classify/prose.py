"""The words of a post, ready to read: links and mentions removed, hashtags as words, cut into sentences."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.classify.urls import links_of, remove_urls, without_urls
from bot.posts import Post

# The look-behinds follow the "@" and "#" they guard, so that the engine skips ahead to those
# characters instead of trying the look-behind at every position of the text.
_MENTION = re.compile(r"@(?<![\w@]@)[\w.]+(?:@[\w-]+(?:\.[\w-]+)+)?")
_HASHTAG = re.compile(r"#(?<![\w&]#)(\w+)")
# The "#" of a hashtag, and a hashtag with a camel hump: without one, a hashtag becomes its words by
# replacing its "#" with a space.
_HASHTAG_SIGN = re.compile(r"#(?<![\w&]#)(?=\w)")
_HUMPED_HASHTAG = re.compile(r"#(?<![\w&]#)\w*[a-z][A-Z]")
_CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Runs of spaces become one space; a lone space is left as it is (replacing it would change nothing).
# (Written to start with the space, so that the engine skips ahead to spaces.)
_SPACES = re.compile(r"[ \t\u00a0\u202f](?:[ \t\u00a0\u202f]+|(?<=[\t\u00a0\u202f]))")
# A sentence ends after . ! ? … (and any run of them) followed by a space; a closing quote in between
# keeps a quoted question ("…look like?" she asked) inside the sentence that reports it.
# Chinese and Japanese end a sentence with full-width marks and no space after them.
_SENTENCE_END = re.compile(r"(?<=[.!?…؟\u037e])\s+|(?<=[。！？])\s*")
# The same split for a line without full-width marks, looking behind only from a space.
_SENTENCE_END_SPACED = re.compile(r"\s(?<=[.!?…؟\u037e]\s)\s*")
# Greek asks with ";" (typed for the Greek question mark, U+037E): one after a Greek letter asks.
_GREEK_QUESTION = re.compile(r";(?<=[\u0370-\u03ff\u1f00-\u1fff];)(?=\s|$)")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
# Any character that can end a sentence: a line without one is not split at all.
_SENTENCE_MARK = re.compile(r"[.!?…؟\u037e。！？]")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence as written, and ``folded``: lower-case, plain apostrophes, accents removed."""

    text: str
    folded: str


@dataclass(frozen=True, slots=True)
class Prose:
    """What a post says in words: content warning and body, without URLs or mentions."""

    text: str
    sentences: tuple[Sentence, ...]


def prose_of(post: Post) -> Prose:
    """The words of ``post`` (content warning first), cut into sentences.

    >>> [s.text for s in prose_of_text("Ideas? See https://x.org/a?b=1 #fliplead").sentences]
    ['Ideas?', 'See #fliplead']
    """
    body = f"{post.spoiler_text}\n{post.text}" if post.spoiler_text else post.text
    return prose_of_text(body)


def prose_and_links(post: Post) -> tuple[Prose, tuple[str, ...]]:
    """``prose_of(post)`` and ``links_of(post.links, post.text)``, reading the post's URLs once."""
    if post.spoiler_text:
        return prose_of(post), links_of(post.links, post.text)
    words, links = without_urls(post.links, post.text)
    return _prose_of_words(words), links


def prose_of_text(text: str) -> Prose:
    """:func:`prose_of` for plain text."""
    return _prose_of_words(remove_urls(text) if ("/" in text or "www." in text) else text)


def _prose_of_words(words: str) -> Prose:
    """:func:`prose_of_text` once the URLs are gone."""
    if "@" in words:
        words = _MENTION.sub(" ", words)
    if "  " in words or "\t" in words or "\u00a0" in words or "\u202f" in words:
        words = _SPACES.sub(" ", words)
    if ";" in words:
        words = _GREEK_QUESTION.sub("\u037e", words)
    sentences: list[Sentence] = []
    for line in words.split("\n"):
        for piece in _sentences_of_line(line):
            piece = piece.strip()
            if piece:
                sentences.append(Sentence(piece, fold(piece)))
    return Prose(words, tuple(sentences))


def _sentences_of_line(line: str) -> list[str] | tuple[str]:
    """``_SENTENCE_END.split(line)``, the line itself when it has no mark that ends a sentence."""
    if not _SENTENCE_MARK.search(line):
        return (line,)
    if "。" in line or "！" in line or "？" in line:
        return _SENTENCE_END.split(line)
    return _SENTENCE_END_SPACED.split(line)


def hashtags_as_words(text: str) -> str:
    """``#Canva`` → `` Canva``, ``#GoogleClassroom`` → `` Google Classroom``: hashtags can name tools."""
    if "#" not in text:
        return text
    if _HUMPED_HASHTAG.search(text) is None:
        return _HASHTAG_SIGN.sub(" ", text)
    return _HASHTAG.sub(lambda found: " " + _CAMEL_HUMP.sub(" ", found.group(1)), text)


def fold(text: str) -> str:
    """Lower-case, plain apostrophes, no accents: ``¿Alguien usó Loom?`` → ``¿alguien uso loom?``."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered.replace("`", "'") if "`" in lowered else lowered
    # One replace per distinct character to fold: str.translate looks up every character of the text.
    # (No folded form contains a character that folds, so the order of the replaces does not matter.)
    for char in set(_FOLDABLE.findall(lowered)):
        lowered = lowered.replace(char, _FOLD_OF[char])
    return lowered


def _accent_table() -> dict[int, str]:
    """Latin letters with accents → without (é → e, ß stays), for the languages the community writes in."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        decomposed = unicodedata.normalize("NFKD", chr(code))
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        if stripped != chr(code) and stripped.isascii():
            table[code] = stripped
    return table


_ACCENTS = _accent_table()
# Apostrophes and accents in one pass: no accent folds to an apostrophe, and no apostrophe has an accent.
_FOLDS = {**_ACCENTS, **_APOSTROPHES}
_FOLD_OF = {chr(code): folded for code, folded in _FOLDS.items()}
_FOLDABLE = re.compile("[" + "".join(re.escape(char) for char in sorted(_FOLD_OF)) + "]")


def word_set(words: str) -> frozenset[str]:
    """The words of a whitespace-separated list, as a set: how the rules keep their closed word classes."""
    return frozenset(words.split())
