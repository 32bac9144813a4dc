"""The general signals behind the labels, one kind at a time, in the languages the community writes in.

Each case is a sentence written for this test (not one of the labelled posts): the point is that the
signal, not a memorised phrase, carries the label.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.classify import classify, load_catalogue
from bot.classify.additions import CatalogueAddition, with_additions
from bot.classify.address import addresses_reader, asks_by_word_order, language_of
from bot.classify.products import unlisted_tools
from bot.classify.prose import fold
from bot.classify.spelling import NearNames
from tests.test_classify import label_of, make_post, names


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Calling all business managers: how are you budgeting for supply cover this year"),
        ("en", "After a steer from any head who has merged two breakfast clubs."),
        ("en", "Would be glad to hear how your trust handles exclusions appeals."),
        ("en", "Keen to borrow a decent risk assessment for residential trips."),
        ("en", "Happy to be pointed towards anything written on middle leader workload."),
        ("en", "Give me your favourite question for a governors' monitoring visit."),
        ("en", "Tell me how you keep the first staff meeting of the year under an hour."),
        ("en", "If your school has moved reports online, please get in touch."),
        ("en", "Open to suggestions for a calmer end-of-day routine in Year 6."),
        ("en", "Hive mind: cheapest way to print 400 leavers' hoodies"),
        ("en", "Is there a sensible way to share lesson videos with supply teachers"),
        ("fr", "J'aimerais savoir comment vous organisez les décloisonnements en cycle 3."),
        ("fr", "Quels logiciels conseillez-vous pour les emplois du temps"),
        ("es", "Me gustaría saber cómo organizan otros centros las tutorías con familias"),
        ("es", "Compañeros, cómo gestionáis las sustituciones cortas?"),
        ("de", "Habt ihr gute Erfahrungen mit kollegialer Hospitation gemacht"),
        ("de", "Ich würde gern wissen, wie ihr den Vertretungsplan kommuniziert."),
        ("nl", "Hoe regelen jullie de overdracht naar het voortgezet onderwijs"),
        ("nl", "Tips gezocht voor een rustige start van de ochtend."),
        ("it", "Come organizzate voi gli scrutini online?"),
        ("it", "Qualcuno ha un modello di verbale per il consiglio di classe"),
        ("pt", "Como vocês organizam o horário dos professores substitutos?"),
        ("pt", "Gostaria de saber como outras escolas fazem o acolhimento dos novos alunos"),
        ("cy", "Oes gan unrhyw un brofiad o ddefnyddio fideos gyda rhieni?"),
        ("cy", "Sut ydych chi'n trefnu cyfarfodydd rhieni?"),
        ("cy", "Byddai'n wych clywed sut mae ysgolion eraill yn gwneud hyn."),
        ("fr", "Des avis sur Digipad pour le conseil pédagogique ?"),
        ("de", "Über Tipps zur Vertretungsplanung würde ich mich sehr freuen."),
        ("it", "Consigli su come gestire le supplenze brevi?"),
        ("pt", "Me ajudem: como organizar o conselho de classe em menos tempo"),
        ("en", "Genuinely torn on this one: do we keep the Friday briefing or scrap it"),
        ("en", "It would be great to hear how other trusts run moderation."),
    ],
)
def test_requests_and_address_make_questions(language: str, text: str) -> None:
    assert "question" in names(make_post(text, language=language)), text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Ping me if you'd like the timetable template, it's free to reuse."),
        ("en", "Give me a shout if you want to visit and see it in action."),
        ("en", "Does it save time? Absolutely, about an hour a week."),
        ("en", "Q: Who watches the briefing video? A: Nearly everyone, by Tuesday."),
        ("en", "Who among us hasn't forgotten a lanyard on inspection day?"),
        ("en", "Who hasn't promised to reply to that email tomorrow 😅"),
        ("en", "'Has everyone got a copy?' is my most repeated sentence this term."),
        ("en", "Your comments last week changed our homework policy. Thank you."),
        ("en", "Calling all parents: the book fair opens on Monday!"),
        ("en", "Tell me about it. Third fire drill this week."),
        ("en", "Looking forward to a quiet half term."),
        ("en", "Keen to see how it goes after Easter."),
        ("fr", "Qui n'a jamais rêvé d'une semaine sans réunion ?"),
        ("fr", "Merci pour vos retours, ils nous ont beaucoup aidés."),
        ("es", "¿Quién no ha llegado tarde a una reunión por culpa de la fotocopiadora?"),
        ("es", "Gracias por vuestras ideas de ayer, las probaremos."),
        ("de", "Wer kennt es nicht: der Drucker streikt vor der Konferenz."),
        ("nl", "Dank je wel voor de fijne samenwerking"),
        ("it", "Chi non ha mai perso il registro almeno una volta?"),
        ("pt", "Quem nunca esqueceu a senha do sistema na segunda-feira?"),
        ("cy", "Diolch i chi gyd am eich cefnogaeth."),
        ("es", "¿Quién dijo que las reuniones tenían que ser aburridas?"),
        ("fr", "Et vous savez quoi ? Ça a marché."),
        ("it", "Avete presente quando la riunione finisce in orario? Oggi è successo."),
        ("en", "Do you know what? It worked."),
        ("nl", "Jullie zijn toppers, bedankt voor dit jaar!"),
        ("de", "Habt ein schönes Wochenende!"),
    ],
)
def test_offers_answers_rhetoric_and_thanks_are_not_questions(language: str, text: str) -> None:
    assert "question" not in names(make_post(text, language=language)), text


def test_a_tool_does_not_stop_a_question() -> None:
    post = make_post("Does Nearpod still limit the free plan to forty pupils")
    assert names(post) == {"question", "tool"}
    assert label_of(post, "question").reason.startswith("asks without a question mark")
    assert names(make_post("Wakelet or Padlet for the staff showcase?")) == {"question", "tool"}


def test_a_short_question_closing_a_share_asks_for_feedback() -> None:
    shared = make_post("New parents' guide to phonics. Pace OK? https://youtu.be/abcDEF12345")
    assert label_of(shared, "question").reason == "asks for feedback on what it shares: 'Pace OK?'"
    assert "question" not in names(make_post("Our guide to phonics. Pace OK? Yes, it is."))
    unmarked = make_post("Draft of our welcome film, does the ending drag https://youtu.be/abcDEF12345")
    assert label_of(unmarked, "question").reason.startswith("asks for feedback on what it shares")
    assert "question" not in names(make_post("Draft of our welcome film, does the ending drag"))


@pytest.mark.parametrize(
    ("seconds", "description", "text", "video"),
    [
        (48.0, None, "How to book the hall", True),
        (9.0, "Screen recording of the booking form", "New booking form", True),
        (9.0, None, "A quick walkthrough of the new booking form", True),
        (9.0, None, "Me after the last bell", False),
        (3.0, "Screen recording", "Friday feeling", False),
        (None, "Screencast of the cover rota", "Cover rota", True),
        (None, "Cat spinning", "Friday", False),
    ],
)
def test_a_silent_clip_is_a_video_when_it_records_a_screen(
    seconds: float | None, description: str | None, text: str, video: bool
) -> None:
    attached = make_post(text, media=[("gifv", description)])
    post = replace(attached, media=(replace(attached.media[0], duration=seconds),))
    assert ("video" in names(post)) is video
    if video:
        assert "silent" in label_of(post, "video").reason


@pytest.mark.parametrize(
    ("text", "tool", "written"),
    [
        ("Our Nearpood lesson on fractions went down well.", "Nearpod", "Nearpood"),
        ("All the INSET resources are on one Wakelett collection.", "Wakelet", "Wakelett"),
        (
            "Recorded the safeguarding update with Screencastifiy last night.",
            "Screencastify",
            "Screencastifiy",
        ),
        ("Our first Mentimetre poll of the year was a hit.", "Mentimeter", "Mentimetre"),
    ],
)
def test_misspelt_catalogue_names_are_tools(text: str, tool: str, written: str) -> None:
    assert label_of(make_post(text), "tool").reason == f"names {tool} (written '{written}')"


@pytest.mark.parametrize(
    "text",
    [
        "Still using a flip phone in 2026 and proud of it.",
        "Loom bands are back in fashion in Year 3.",
        "A beautiful oil on canvas from our Year 11 artists.",
        "Feedback takes many forms in our school.",
        "We zoom in on one moment of the lesson in coaching.",
        "Teams of four rotated round the stations.",
        "Made the slides with Sarah from the English team.",
        "Switched the timetable to Week A and Week B.",
        "Synthesis of the staff survey is in the report.",
        "Addition and subtraction games with Year 2 today.",
        "Moved the library to Block C over the summer.",
    ],
)
def test_words_that_only_look_like_tools_stay_unlabelled(text: str) -> None:
    assert "tool" not in names(make_post(text)), text


@pytest.mark.parametrize(
    ("text", "name", "how"),
    [
        (
            "Put together the parents' survey with Typeform in ten minutes.",
            "Typeform",
            "what something was made with",
        ),
        ("Beacon is an app for logging behaviour incidents on a phone.", "Beacon", "described as a tool"),
        ("Our office swears by Trainual for induction checklists.", "Trainual", "used as a tool"),
        ("We've started using Poll Everywhere in assemblies.", "Poll Everywhere", "used as a tool"),
        (
            "Drafted the letter with Writesonic.ai and edited it by hand.",
            "Writesonic.ai",
            "what something was made with",
        ),
    ],
)
def test_tools_outside_the_catalogue_are_recognised_by_structure(text: str, name: str, how: str) -> None:
    label = label_of(make_post(text), "tool")
    assert label.reason == f"names {name} (not in the catalogue; {how})"


def test_unlisted_names_skip_catalogue_spans_and_never_products() -> None:
    text = "Tried Canva with Year 5 and then using English"
    assert unlisted_tools(text, known=[(6, 11)]) == []


def test_near_names_only_match_typing_slips_of_long_names() -> None:
    index = NearNames(load_catalogue())
    found = {
        miss.written: miss.tool.name for miss in index.near_misses("Padlett Jamborad Noodle Addition Canvass")
    }
    assert found == {"Padlett": "Padlet", "Jamborad": "Jamboard"}


def test_applied_additions_change_the_catalogue() -> None:
    catalogue = with_additions(
        load_catalogue(),
        [
            CatalogueAddition("tool", "Gamma", "", ("gamma.app",)),
            CatalogueAddition("alias", "Padlet", "Padlit"),
            CatalogueAddition("ambiguous", "Canva", "canva"),
            CatalogueAddition("alias", "No Such Tool", "Nope"),
        ],
    )
    assert catalogue.tool_for_url("https://gamma.app/docs/abc").name == "Gamma"
    assert (
        label_of(make_post("Padlit board for the staff room"), "tool", catalogue=catalogue).reason
        == "names Padlet"
    )
    assert "tool" not in names(make_post("canva bags for the fair"), catalogue=catalogue)
    assert catalogue.tool_named("Nope") is None
    assert with_additions(load_catalogue(), []) is load_catalogue()


def test_address_words_are_read_in_their_own_language() -> None:
    assert addresses_reader(fold("Heb je dat al gezien?"), "", "nl")
    assert not addresses_reader(fold("Je le savais ?"), "", "fr")
    assert addresses_reader(fold("Chi ydy'r arweinydd?"), "", "cy")
    assert not addresses_reader(fold("Chi ha vinto?"), "", "it")
    assert addresses_reader(fold("Wie findet Ihr das?"), "Wie finden Sie das?", "de")
    assert asks_by_word_order(fold("Avez-vous testé les réunions courtes"), "", "fr")
    assert not asks_by_word_order(fold("Rendez-vous jeudi à 17h"), "", "fr")
    assert language_of("pt-BR") == "pt"
    assert language_of(None) == ""


def test_every_new_label_keeps_a_reason() -> None:
    for text in ("Anyone got a steer on Ofsted deep dives", "Our Wakelett wall", "Tried Tella for a demo."):
        for label in classify(make_post(text)):
            assert label.reason
            assert 0 < label.confidence <= 1


def test_the_request_word_gate_never_changes_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentences without any of ``_REQUEST_WORDS`` skip the request patterns: that must be only faster."""
    import json
    from pathlib import Path

    from bot.classify import questions
    from bot.classify.prose import prose_of
    from bot.networks.mastodon.normalise import normalise_status

    data = Path(__file__).parent / "data" / "labelled_posts.jsonl"
    sentences = [
        sentence
        for line in data.read_text(encoding="utf-8").splitlines()
        for sentence in prose_of(normalise_status(json.loads(line)["status"])).sentences
    ]
    languages = ("en", "fr", "es", "de", "nl", "it", "pt", "cy", "")

    def answers() -> list[tuple[float, str]]:
        return [
            questions._asking_without_question_mark(s, s.folded.lstrip(questions._LEADING_MARKS), language)
            for s in sentences
            for language in languages
        ]

    gated = answers()

    class Everything(frozenset[str]):
        def isdisjoint(self, other: object) -> bool:
            return False

    monkeypatch.setattr(questions, "_REQUEST_WORDS", Everything())
    assert answers() == gated


def test_the_digest_names_misspelt_and_unlisted_tools_too() -> None:
    from bot.jobs.store import PostStore

    store = PostStore()
    text = "Our Wakelett wall, then the survey made with Typeform and a Canva poster."
    assert store.tool_names(text, ["https://padlet.com/x/y"]) == ("Canva", "Wakelet", "Typeform", "Padlet")


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Gamma turned my rough notes into governor slides.", True),
        ("Otterly transcribes every meeting for our minutes.", True),
        ("Sarah turns every meeting into a party.", False),
        ("Our head turned ideas into action.", False),
    ],
)
def test_a_name_doing_what_only_software_does_is_a_tool(text: str, tool: bool) -> None:
    assert ("tool" in names(make_post(text))) is tool
