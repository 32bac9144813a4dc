"""The classifier's shortcuts say exactly what the slower code they replace says.

Cheap substring tests guard some patterns (a pattern runs only when the test passes), and a few
passes over a post's text were merged. Strings generated from each guarded pattern must pass its
guard, and the merged passes must give what the separate ones give, on any text.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.classify import requests
from bot.classify.prose import prose_and_links, prose_of
from bot.classify.urls import links_of, remove_urls, without_urls
from bot.posts import Author, Post

# Text with the characters the rules look at: spaces, newlines, capitals, URL parts, marks.
_PIECES = st.sampled_from(
    [
        " ",
        "\n",
        "  ",
        "\t",
        "with",
        "in",
        "using",
        "Canva",
        "Pro",
        "A",
        "youtu.be/abc",
        "https://x.org/a?",
        "www.loom.com/share/1",
        "#Tag",
        "@someone",
        "?",
        ".",
        "é",
        "ſ",
        "K",
        "-",
        "/",
        "if ",
        "me",
        "to",
    ]
)
_TEXT = st.one_of(st.text(max_size=80), st.lists(_PIECES, max_size=30).map("".join))


def _post(text: str, spoiler: str = "") -> Post:
    author = Author("a@x.org", "A", "https://x.org/@a")
    post = Post(
        "mastodon", "u", "https://x.org/1", "1", author, datetime(2026, 1, 1, tzinfo=UTC), text, "", "public"
    )
    return replace(post, spoiler_text=spoiler, links=("https://x.org/linked",))


def _guarded(pattern: re.Pattern[str], guard: object) -> None:
    assert callable(guard)

    @settings(max_examples=300, deadline=None)
    @given(st.from_regex(pattern))
    def check(text: str) -> None:
        assert guard(text), text

    check()


def test_every_contact_request_passes_its_guard() -> None:
    _guarded(requests._CONTACT, requests.may_contact)


def test_every_offer_passes_its_guard() -> None:
    _guarded(requests._OFFER, requests.may_offer)


def test_every_input_wanted_passes_its_guard() -> None:
    _guarded(requests._INPUT_WANTED, requests.may_want_input)


def test_every_question_about_the_share_passes_its_guard() -> None:
    from bot.classify import questions

    _guarded(questions._ABOUT_THE_SHARE, questions.may_ask_about_the_share)


def test_if_clauses_contain_if() -> None:
    for pattern in (requests._IF_YOU_WANT, requests._IF_YOU_HAVE):
        _guarded(pattern, lambda text: "if " in text)


def test_guards_reject_what_cannot_match() -> None:
    assert not requests.may_contact("thanks for sharing")
    assert not requests.may_offer("slides attached")
    assert not requests.may_want_input("ideas for the new term")


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_one_pass_over_urls_gives_both_results(text: str) -> None:
    links = ("https://x.org/linked",)
    removed = remove_urls(text) if ("/" in text or "www." in text) else text
    assert without_urls(links, text) == (removed, links_of(links, text))


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.sampled_from(["", "CW: tools"]))
def test_prose_and_links_match_the_separate_functions(text: str, spoiler: str) -> None:
    post = _post(text, spoiler)
    assert prose_and_links(post) == (prose_of(post), links_of(post.links, post.text))


def test_grouped_alternations_find_what_the_plain_ones_find() -> None:
    from bot.classify.address import _READER_ANYWHERE, _READER_BY_LANGUAGE
    from bot.classify.alternation import by_first_character

    phrases = [_READER_ANYWHERE, *_READER_BY_LANGUAGE.values(), requests._WANT_TO_KNOW]
    plain = re.compile(r"\b(?:" + "|".join(phrases) + r")\b")
    grouped = re.compile(r"\b" + by_first_character(*phrases) + r"\b")
    assert grouped.pattern != plain.pattern

    @settings(max_examples=400, deadline=None)
    @given(st.one_of(st.from_regex(plain), _TEXT))
    def check(text: str) -> None:
        assert bool(grouped.search(text)) == bool(plain.search(text)), text

    check()


_UNICODE_TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.sampled_from(
            ["Padlet", "loom", "LOOM", "é", "ß", "Ǆ", "İ", "ﬁ", "_", " ", "-", "Ωmega", "kelvin", "K"]
        ),
        max_size=20,
    ).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(_UNICODE_TEXT)
def test_word_starts_found_in_the_folded_text_are_the_words_of_the_text(text: str) -> None:
    from bot.classify.catalogue import _WORD, _word_starts

    folded = text.casefold()
    if len(folded) != len(text):
        return
    words = set(_WORD.findall(folded))
    every = [(word.start(), word.group().casefold()) for word in _WORD.finditer(text)]
    assert _word_starts(text, folded, words) == [start for start in every if start[1] in words]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "  ", "\t", "\u00a0", "\u202f", "b"]), max_size=30).map("".join))
def test_runs_of_spaces_become_one_space_as_before(text: str) -> None:
    from bot.classify.prose import _SPACES

    assert _SPACES.sub(" ", text) == re.sub(r"[ \t\u00a0\u202f]+", " ", text)
    assert _SPACES.sub(" ", text) == re.sub(r"[ \t\u00a0\u202f]{2,}|[\t\u00a0\u202f]", " ", text)


def _opening_found(pattern: re.Pattern[str]) -> None:
    from bot.classify.questions import _MAY_OPEN_A_REQUEST

    @settings(max_examples=150, deadline=None)
    @given(st.one_of(st.from_regex(pattern), _TEXT))
    def check(text: str) -> None:
        if pattern.match(text):
            assert _MAY_OPEN_A_REQUEST.match(text), text

    check()


def test_one_look_at_the_start_of_a_sentence_finds_every_opening_pattern() -> None:
    from bot.classify.questions import _MAY_OPEN_A_REQUEST, _READ_AT_THE_START

    for pattern in _READ_AT_THE_START:
        _opening_found(pattern)
    assert _MAY_OPEN_A_REQUEST.match("our flipped meeting went well") is None


# Text with the characters the prose patterns look behind and ahead of: marks, hashtags, mentions.
_PROSE_TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.sampled_from(
            [
                *(" ", "  ", "\n", "\t", "\u00a0", "#", "&", "@", "_", ".", "?", "!", "…", "؟", "\u037e"),
                *("。", "！", "？", ";", "α", "ά", "x", "Tag", "fliplead", "GoogleClassroom"),
                *("é", "2", "A", "zZ"),
            ]
        ),
        max_size=30,
    ).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(_PROSE_TEXT)
def test_hashtags_become_words_as_with_the_general_pass(text: str) -> None:
    from bot.classify.prose import hashtags_as_words

    general = re.sub(
        r"(?<![\w&])#(\w+)", lambda found: " " + re.sub(r"(?<=[a-z])(?=[A-Z])", " ", found.group(1)), text
    )
    assert hashtags_as_words(text) == general


@settings(max_examples=500, deadline=None)
@given(_PROSE_TEXT)
def test_look_behinds_moved_after_their_character_find_the_same(text: str) -> None:
    from bot.classify.prose import _GREEK_QUESTION, _MENTION

    mention = r"(?<![\w@])@[\w.]+(?:@[\w-]+(?:\.[\w-]+)+)?"
    assert _MENTION.sub(" ", text) == re.sub(mention, " ", text)
    greek = r"(?<=[\u0370-\u03ff\u1f00-\u1fff]);(?=\s|$)"
    assert _GREEK_QUESTION.sub("\u037e", text) == re.sub(greek, "\u037e", text)


@settings(max_examples=500, deadline=None)
@given(_PROSE_TEXT)
def test_lines_split_into_sentences_as_with_the_general_pattern(text: str) -> None:
    from bot.classify.prose import _SENTENCE_END, _sentences_of_line

    for line in text.split("\n"):
        assert list(_sentences_of_line(line)) == _SENTENCE_END.split(line), line


_NAME_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                *(" ", ", ", ". ", "Padlett", "Padlet", "Screencastifiy", "Jamborad", "Edpuzle", "Nearpood"),
                *("Quizziz", "Mentimetre", "Teachers", "Classroom", "@Padlett", "Canva", "using", "é"),
            ]
        ),
        max_size=20,
    ).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NAME_TEXT, min_size=1, max_size=6))
def test_remembered_near_misses_are_the_ones_worked_out_afresh(texts: list[str]) -> None:
    from bot.classify.catalogue import read_shipped_tools
    from bot.classify.spelling import NearNames

    tools = read_shipped_tools()
    remembering = NearNames(tools)
    for text in texts:
        assert remembering.near_misses(text) == NearNames(tools).near_misses(text)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_labels_come_sorted_by_name_without_sorting(text: str) -> None:
    from bot.classify.classifier import classify

    labels = classify(_post(text + " with Canva youtu.be/abc123?"))
    assert list(labels) == sorted(labels, key=lambda label: label.name)


_ASCII_TEXT = st.one_of(
    st.text(st.characters(max_codepoint=127), max_size=80),
    st.lists(
        st.sampled_from(
            [
                *(" ", "-", "'", "_", "--", " '", "(", "#", "Google", "forms", "Loom", "canva", "x"),
                *("Padlet", "any", "tips", "welcome", "n'hesitez", "aidez-moi", "2", ".", "\n"),
            ]
        ),
        max_size=25,
    ).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_ASCII_TEXT, _TEXT))
def test_tokens_of_a_sentence_are_the_pattern_s(text: str) -> None:
    from bot.classify.questions import _TOKEN, _tokens

    assert _tokens(text) == _TOKEN.findall(text)


@settings(max_examples=500, deadline=None)
@given(_ASCII_TEXT)
def test_first_words_of_ascii_text_are_found_as_the_pattern_cuts_words(text: str) -> None:
    from bot.classify.catalogue import _WORD, load_catalogue

    catalogue = load_catalogue()
    every = [(word.start(), word.group().lower()) for word in _WORD.finditer(text)]
    expected = [start for start in every if start[1] in catalogue._first_words]
    assert catalogue._first_word_starts(text) == expected


_URL_TEXT = st.one_of(
    _TEXT,
    st.lists(
        st.sampled_from(
            [
                *(" ", "/", ".", "?", ")", "HTTPS://", "https://", "Www.", "www.", "YouTu.Be/", "x.ORG/"),
                *("a-b.", "Co.Uk/", "K", "ſ", "ı", "İ", "é", "abc", "Q9", "!", "'", "”", "\n", "de/"),
            ]
        ),
        max_size=25,
    ).map("".join),
)


@settings(max_examples=600, deadline=None)
@given(_URL_TEXT)
def test_urls_of_ascii_text_are_found_where_the_case_blind_pattern_finds_them(text: str) -> None:
    from bot.classify.urls import URL_IN_TEXT, _url_spans

    assert _url_spans(text) == [found.span() for found in URL_IN_TEXT.finditer(text)]
    assert _url_spans(text.encode("ascii", "replace").decode()) == [
        found.span() for found in URL_IN_TEXT.finditer(text.encode("ascii", "replace").decode())
    ]


_PHRASE_PIECES = st.sampled_from(
    ["a", "b", "ab", "a ", "(?:a|b)?", "(?:ab |b)?", "(?:a)", "b?", "[ab]", "\\b"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(_PHRASE_PIECES, min_size=1, max_size=4).map("".join), min_size=1, max_size=5),
    st.lists(st.text("ab ", max_size=12), min_size=1, max_size=8),
)
def test_grouping_spreads_optional_groups_without_changing_what_matches(
    phrases: list[str], texts: list[str]
) -> None:
    from bot.classify.alternation import by_first_character

    plain = re.compile("(?:" + "|".join(phrases) + ")")
    grouped = re.compile(by_first_character(*phrases))
    for text in texts:
        for start in range(len(text) + 1):
            assert bool(grouped.match(text, start)) == bool(plain.match(text, start)), (text, start)


_REQUEST_TEXT = st.one_of(
    _TEXT,
    st.lists(
        st.sampled_from(
            [
                *(" ", "so ", "your ", "thoughts", "would love to hear", "looking for", "tips ", "welcome"),
                *("if you have", " tried", "get in touch", "happy to share", "thanks for", "vos idees"),
                *("i wonder how others", "wondering", "help me", "hive mind, ", "tell us your", "!"),
            ]
        ),
        max_size=12,
    ).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(_REQUEST_TEXT)
def test_requests_read_knowing_how_the_sentence_opens_are_the_requests_read_afresh(text: str) -> None:
    from bot.classify.questions import _MAY_OPEN_A_REQUEST

    opens = _MAY_OPEN_A_REQUEST.match(text) is not None
    expected = requests.requests_without_question_mark(text)
    assert requests.requests_without_question_mark(text, opens=opens) == expected


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["", "en", "fr", "es", "de", "nl", "it", "pt", "cy", "ja", "pl", "sv", "und"]))
def test_languages_without_words_of_their_own_share_one_pattern(text: str, language: str) -> None:
    from bot.classify import address

    # Each language's own patterns, compiled afresh, are the ones the shared cache entry holds.
    own_reader = address._reader_pattern.__wrapped__(language)
    folded = text.lower()
    expected = bool(own_reader.search(folded)) or (language == "de" and bool(address._SIE.search(text)))
    assert address.addresses_reader(folded, text, language) == expected
    shared = language if language in address._READER_BY_LANGUAGE else ""
    assert address._reader_pattern(shared).pattern == own_reader.pattern
    own_order = address._asking_order_pattern.__wrapped__(language)
    shared = language if language in address._ASKING_ORDER_BY_LANGUAGE else ""
    assert address._asking_order_pattern(shared).pattern == own_order.pattern


_ACCENTED_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x250), max_size=60),
    st.lists(
        st.sampled_from(["é", "É", "ß", "’", "‘", "ʼ", "`", "İ", "ǅ", "😀", "a", " ", "Ñ", "ø"]), max_size=20
    ).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(_ACCENTED_TEXT)
def test_folding_by_replaces_is_folding_by_translation(text: str) -> None:
    from bot.classify.prose import _FOLDS, fold

    assert fold(text) == text.lower().translate(_FOLDS)


def test_no_folded_form_holds_a_character_that_folds() -> None:
    from bot.classify.prose import _FOLD_OF

    assert not any(char in folded for folded in _FOLD_OF.values() for char in _FOLD_OF)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(
            st.sampled_from(["generat", "transcrib", "summari", "auto", "convert", "turn", "lets you", "x"]),
            max_size=4,
        ).map(" ".join),
        st.sampled_from(["allows you", "allows yo", "lets yo", "tur", "Turn", "summar"]),
    )
)
def test_the_spelt_out_software_verb_test_is_the_stem_list(text: str) -> None:
    from bot.classify.products import _SOFTWARE_VERB_STEMS, _has_software_verb

    assert _has_software_verb(text) == any(stem in text for stem in _SOFTWARE_VERB_STEMS)
    for stem in _SOFTWARE_VERB_STEMS:
        assert _has_software_verb(f"x{stem}x")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "co", "uk", "", "www"]), max_size=6).map(".".join))
def test_host_suffixes_are_the_host_and_its_parents(host: str) -> None:
    from bot.classify.urls import UrlParts

    labels = host.split(".")
    assert UrlParts(host, "/").host_suffixes() == tuple(".".join(labels[i:]) for i in range(len(labels) - 1))


@settings(max_examples=500, deadline=None)
@given(_REQUEST_TEXT)
def test_one_scan_for_the_input_words_finds_what_a_test_a_word_finds(text: str) -> None:
    assert requests.may_want_input(text) == any(word in text for word in requests._INPUT_WANTED_WORDS)
    for word in requests._INPUT_WANTED_WORDS:
        assert requests.may_want_input(f"x{word}x")


@settings(max_examples=300, deadline=None)
@given(_URL_TEXT)
def test_short_urls_are_cut_as_before(url: str) -> None:
    from bot.classify.urls import short_url

    shown = re.sub(r"^https?://(?:www\.)?", "", url.strip(), flags=re.IGNORECASE).rstrip("/")
    assert short_url(url) == (shown[:40] + "…" if len(shown) > 40 else shown)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_TEXT, _REQUEST_TEXT, st.text("aB \n", max_size=20), st.just("your ideas, your tips")))
def test_reordered_look_arounds_find_the_same(text: str) -> None:
    from bot.classify.products import _CAPITAL_AFTER_SPACE

    capitals = [found.start() for found in re.finditer(r"(?<= )[A-Z]", text)]
    assert [found.start() for found in _CAPITAL_AFTER_SPACE.finditer(text)] == capitals
    yours = re.compile(r"(?<!^)\b" + requests._YOUR + r" (?:\w+ )?" + requests._INPUT_NOUNS + r"\b")
    for start in range(len(text) + 1):
        found, expected = requests._INPUT_OF_YOURS.search(text, start), yours.search(text, start)
        assert (found and found.span()) == (expected and expected.span())


def test_a_word_character_other_than_underscore_is_what_isalnum_accepts() -> None:
    # Every code point: the catalogue looks at a character beside a name with str.isalnum, where
    # the words themselves are cut by the pattern [^\W_].
    word_character = re.compile(r"[^\W_]")
    assert all(
        (word_character.match(chr(code)) is not None) == chr(code).isalnum() for code in range(0x110000)
    )


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["s", "g", "la", "we", "'s", "it", "Loom", "ſ", "\u0345", "é", " ", "_", "ß", "1"]),
        max_size=20,
    ).map("".join)
)
def test_word_starts_beside_letters_and_marks_are_the_words_of_the_text(text: str) -> None:
    from bot.classify.catalogue import _WORD, _word_starts

    folded = text.casefold()
    if len(folded) != len(text):
        return
    words = set(_WORD.findall(folded))
    every = [(word.start(), word.group().casefold()) for word in _WORD.finditer(text)]
    assert _word_starts(text, folded, words) == [start for start in every if start[1] in words]


@settings(max_examples=500, deadline=None)
@given(st.one_of(_TEXT, st.text(":;,—–- \n\ta", max_size=20)))
def test_clauses_are_cut_where_they_were(text: str) -> None:
    from bot.classify.address import _CLAUSE_BREAK

    assert _CLAUSE_BREAK.split(text) == re.split(r"[:;,—–]\s*|\s-\s", text)
