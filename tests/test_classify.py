"""The classification rules, one behaviour per test, on posts shaped like Mastodon's API sends them."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.classify import CatalogueError, Label, LinkInfo, ToolCatalogue, classify, load_catalogue
from bot.networks.mastodon.normalise import normalise_status
from bot.posts import Post

# ---------------------------------------------------------------------------------------------------
# Building posts the way Mastodon renders them
# ---------------------------------------------------------------------------------------------------
_URL = re.compile(r"https?://[^\s<]*[^\s<.,;:!?)\]'\"]")
_TAG = re.compile(r"(?<![\w/&#])#(\w+)")
_MENTION = re.compile(r"(?<![\w/])@(\w+)(?:@([\w.-]+\.\w+))?")


def link_html(url: str) -> str:
    """A link as Mastodon renders it: scheme hidden, long tails behind an ellipsis."""
    prefix = re.match(r"https?://(?:www\.)?", url)
    head = prefix.group() if prefix else ""
    rest = url[len(head) :]
    shown, hidden = (rest[:30], rest[30:]) if len(rest) > 30 else (rest, "")
    css = "ellipsis" if hidden else ""
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
        f'<span class="invisible">{head}</span><span class="{css}">{html.escape(shown)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )


def render(text: str) -> str:
    """Mastodon's HTML for plain text: paragraphs, links, hashtags and mentions."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        out, position = [], 0
        pattern = re.compile(f"{_URL.pattern}|{_TAG.pattern}|{_MENTION.pattern}")
        for token in pattern.finditer(paragraph):
            out.append(html.escape(paragraph[position : token.start()], quote=True))
            position = token.end()
            found = token.group()
            if found.startswith("http"):
                out.append(link_html(found))
            elif found.startswith("#"):
                name = found[1:]
                href = f"https://mastodon.social/tags/{name.lower()}"
                out.append(f'<a href="{href}" class="mention hashtag" rel="tag">#<span>{name}</span></a>')
            else:
                user = found[1:].split("@")[0]
                out.append(
                    f'<span class="h-card" translate="no"><a href="https://mastodon.social/@{user}" '
                    f'class="u-url mention">@<span>{user}</span></a></span>'
                )
        out.append(html.escape(paragraph[position:], quote=True))
        paragraphs.append("<p>" + "".join(out).replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


def make_post(
    text: str,
    *,
    media: list[tuple[str, str | None]] | None = None,
    card: Mapping[str, Any] | None = None,
    poll: list[str] | None = None,
    spoiler: str = "",
    language: str = "en",
    mentions: list[str] | None = None,
) -> Post:
    """A normalised post from plain text, through the same path as collected statuses."""
    status: dict[str, Any] = {
        "id": "113000000000000001",
        "uri": "https://mastodon.education/users/head/statuses/113000000000000001",
        "url": "https://mastodon.education/@head/113000000000000001",
        "created_at": "2025-10-01T08:00:00.000Z",
        "account": {
            "acct": "head@mastodon.education",
            "username": "head",
            "display_name": "A Head",
            "url": "https://mastodon.education/@head",
        },
        "content": render(text),
        "spoiler_text": spoiler,
        "language": language,
        "visibility": "public",
        "media_attachments": [
            {"id": str(i), "type": kind, "url": f"https://files.example/{i}.mp4", "description": description}
            for i, (kind, description) in enumerate(media or [])
        ],
        "mentions": [{"acct": acct, "username": acct.split("@")[0], "url": ""} for acct in mentions or []],
        "tags": [],
        "card": dict(card) if card else None,
        "poll": {"options": [{"title": o, "votes_count": 0} for o in poll]} if poll else None,
    }
    return normalise_status(status)


def card(url: str, kind: str = "link", title: str = "", provider: str = "") -> dict[str, Any]:
    return {"url": url, "type": kind, "title": title, "description": "", "provider_name": provider}


def names(post: Post, **kwargs: Any) -> set[str]:
    return {label.name for label in classify(post, **kwargs)}


def label_of(post: Post, name: str, **kwargs: Any) -> Label:
    found = [label for label in classify(post, **kwargs) if label.name == name]
    assert found, f"no {name} label for {post.text!r}"
    return found[0]


# ---------------------------------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------------------------------
def test_labels_come_sorted_by_name_one_of_each() -> None:
    post = make_post(
        "Anyone tried Screencastify for this? Ours: https://youtu.be/abcDEF12345 and https://youtu.be/zzzDEF12345"
    )
    labels = classify(post)
    assert [label.name for label in labels] == ["question", "tool", "video"]
    assert all(0.0 < label.confidence <= 1.0 for label in labels)


def test_a_post_with_nothing_to_label_gets_no_labels() -> None:
    assert classify(make_post("Huge thanks to everyone who came on Saturday. What a day.")) == ()


def test_label_and_link_info_are_frozen_values() -> None:
    label = Label("tool", 0.9, "names Padlet")
    with pytest.raises(AttributeError):
        label.confidence = 0.1  # type: ignore[misc]
    assert LinkInfo("https://youtu.be/x") == LinkInfo("https://youtu.be/x", None, None)


def test_reasons_name_what_was_found() -> None:
    post = make_post("Anyone tried Padlet? https://padlet.com/school/wall and https://youtu.be/abcDEF12345")
    reasons = {label.name: label.reason for label in classify(post)}
    assert reasons["video"] == "links a YouTube video (youtu.be/abcDEF12345)"
    assert reasons["tool"] == "names Padlet and links padlet.com"
    assert reasons["question"] == "asks the community: 'Anyone tried Padlet?'"


# ---------------------------------------------------------------------------------------------------
# video
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.youtube.com/watch?v=Hq2xP9Lw0cE&t=12s", "YouTube"),
        ("https://m.youtube.com/watch?feature=share&v=Hq2xP9Lw0cE", "YouTube"),
        ("https://youtu.be/k3Rb7TqLm2s?si=abc", "YouTube"),
        ("https://youtube.com/shorts/Tz81kQpVw3A", "YouTube"),
        ("https://www.youtube.com/live/pL0x3ZcB7dE?si=QwErTy12", "YouTube"),
        ("https://www.youtube.com/playlist?list=PLx8Fh2kQ9mZ0aB3", "YouTube"),
        ("https://vimeo.com/912345678", "Vimeo"),
        ("https://vimeo.com/887766554/a1b2c3d4e5", "Vimeo"),
        ("https://player.vimeo.com/video/912345678", "Vimeo"),
        ("https://www.loom.com/share/4f9a2c7e1b3d4e5f8a6b7c8d9e0f1a2b", "Loom"),
        ("https://watch.screencastify.com/v/Jx3kR8pLm2QwZ9", "Screencastify"),
        ("https://flip.com/s/Xk2P9aLm", "Flip"),
        ("https://edpuzzle.com/media/64f1a2b3c4d5e6f7a8b9c0d1", "Edpuzzle"),
        ("https://www.tiktok.com/@school/video/7312345678901234567", "TikTok"),
        ("https://www.instagram.com/reel/C1aBcDeFgHi/", "Instagram"),
        ("https://oakwood.wistia.com/medias/k9x8c7v6b5", "Wistia"),
        ("https://fast.wistia.net/embed/iframe/k9x8c7v6b5", "Wistia"),
        ("https://tube.schule.social/w/8wHd3kQx7ZpLm2Nb4Vc9Rt", "PeerTube"),
        ("https://peertube.example/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d", "PeerTube"),
        ("https://media.school.org.uk/briefing.mp4", "a video file"),
        ("https://www.canva.com/design/DAGabc123XY/ZyXwVu98765/watch", "Canva"),
    ],
)
def test_links_to_a_single_video_are_videos(url: str, host: str) -> None:
    label = label_of(make_post(f"For staff: {url}"), "video")
    assert label.reason.startswith(f"links a {host} video (")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/@GreenbankAcademy",
        "https://www.youtube.com/",
        "https://vimeo.com/",
        "https://www.loom.com/pricing",
        "https://info.flip.com/",
        "https://www.canva.com/design/DAGabc123XY/ZyXwVu98765/view",
        "https://schoolsweek.co.uk/staff-meetings-information-overload/",
        "https://drive.google.com/file/d/1ZyXwVuTsRqPoNmLkJiHgFeDcB/view",
    ],
)
def test_pages_that_are_not_one_video_are_not_videos(url: str) -> None:
    assert "video" not in names(make_post(f"Have a look: {url}"))


def test_a_video_attachment_is_a_video_but_a_gif_or_audio_is_not() -> None:
    assert label_of(make_post("Welcome film", media=[("video", None)]), "video").reason == "attaches a video"
    assert "video" not in names(make_post("Me on Friday", media=[("gifv", "cat falls off sofa")]))
    assert "video" not in names(make_post("Podcast episode", media=[("audio", None)]))
    assert "video" not in names(make_post("Our hall", media=[("image", "staff in the hall")]))


def test_a_video_card_is_a_video_unless_its_provider_only_serves_sound() -> None:
    school = make_post("Welcome!", card=card("https://school.example/welcome", "video", "Welcome", "School"))
    assert label_of(school, "video").reason == "has a video preview card from School (school.example/welcome)"
    song = card("https://soundcloud.com/x/episode-1", "video", "Episode 1", "SoundCloud")
    assert "video" not in names(make_post("New episode https://soundcloud.com/x/episode-1", card=song))


def test_a_drive_file_is_a_video_only_when_something_says_so() -> None:
    url = "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQ/view?usp=sharing"
    assert "video" not in names(make_post(f"Handout: {url}", card=card(url, "link", "handout.pdf")))
    assert "video" in names(make_post(f"Recap: {url}", card=card(url, "link", "INSET recap.mp4")))
    assert "video" in names(make_post(f"Recap: {url}", card=card(url, "video", "INSET recap")))
    assert "video" in names(make_post(f"Here's the recording of Tuesday's briefing: {url}"))


def test_talking_about_making_a_video_is_not_sharing_one() -> None:
    post = make_post("I'm going to record a video for staff next week. Nervous about hearing my own voice!")
    assert "video" not in names(post)


def test_link_resolution_can_reveal_a_video() -> None:
    post = make_post("Parents' guide: https://bit.ly/3StBdEs")
    assert "video" not in names(post)
    resolved = {"https://bit.ly/3StBdEs": LinkInfo("https://www.youtube.com/watch?v=Pe4Ve9Nn2Gx")}
    assert label_of(post, "video", links=resolved).reason == (
        "links bit.ly/3StBdEs, which leads to a YouTube video"
    )
    declared = {"https://bit.ly/3StBdEs": LinkInfo("https://school.example/v/1", og_type="video.other")}
    assert "video" in names(post, links=declared)


def test_a_video_address_typed_without_https_still_counts() -> None:
    assert "video" in names(make_post("Our briefing is at youtu.be/Ra9mW2cXo1Q, enjoy"))


# ---------------------------------------------------------------------------------------------------
# tool
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Recorded with screencastify, uploaded in minutes.", "Screencastify"),
        ("All resources are on our PADLET wall.", "Padlet"),
        ("We moved the bulletin into a google form.", "Google Forms"),
        ("Seesaw is doing the heavy lifting for EYFS.", "Seesaw"),
        ("Flipgrid responses from every class.", "Flip"),
        ("Quiz at the end in Kahoot!", "Kahoot!"),
        ("Same thing in #GoogleClassroom", "Google Classroom"),
        ("Made the thumbnails in #Canva today", "Canva"),
    ],
)
def test_distinctive_tool_names_count_in_any_case(text: str, tool: str) -> None:
    assert label_of(make_post(text), "tool").reason == f"names {tool}"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://forms.gle/7Yk2NpQ9rLm3Xv8a6", "links forms.gle (Google Forms)"),
        (
            "https://docs.google.com/forms/d/e/1FAIpQ/viewform?usp=sf_link",
            "links docs.google.com/forms (Google Forms)",
        ),
        ("https://docs.google.com/document/d/1qW2eR3/edit", "links docs.google.com/document (Google Docs)"),
        ("https://padlet.com/oakfield/flipped", "links padlet.com (Padlet)"),
        ("https://forms.office.com/r/Kx7Lm2Pq9R", "links forms.office.com (Microsoft Forms)"),
        ("https://wakelet.com/wake/Qx9Lm2Vb7N", "links wakelet.com (Wakelet)"),
    ],
)
def test_a_link_to_a_tools_domain_counts(url: str, reason: str) -> None:
    assert label_of(make_post(f"Before Thursday: {url}"), "tool").reason == reason


def test_a_video_host_is_not_a_tool() -> None:
    post = make_post(
        "Uploaded to YouTube: https://youtu.be/abcDEF12345 and Vimeo https://vimeo.com/912345678"
    )
    assert names(post) == {"video"}


def test_a_recording_tools_share_link_is_both_video_and_tool() -> None:
    post = make_post("For the maths team: https://www.loom.com/share/4f9a2c7e1b3d4e5f8a6b7c8d9e0f1a2b")
    assert names(post) == {"tool", "video"}
    assert label_of(post, "tool").reason == "links loom.com (Loom)"


@pytest.mark.parametrize(
    "text",
    [
        "Deadlines loom large this half term.",
        "The new assessment system looms over everything.",
        "Flip the meeting, not the workload.",
        "Remind staff that the pre-reading is optional.",
        "Just a gentle nudge to remind everyone.",
        "Our middle leaders work in teams of three.",
        "Blank canvas for next year's CPD plan.",
        "Mountains of forms to fill in for the trip.",
        "Meet the Teacher evening tomorrow.",
        "Our Senior Leadership Teams share one library.",
        "Lesson obs feedback will be a voice note.",
        "Explain everything you can in the video.",
        "Spent INSET learning to zoom in on student work.",
        "Die Teams der Jahrgangsstufen planen die Fortbildung.",
        "Sent a note to remind staff about Friday.",
    ],
)
def test_tool_names_used_as_ordinary_words_are_not_tools(text: str) -> None:
    language = "de" if text.startswith("Die") else "en"
    assert "tool" not in names(make_post(text, language=language))


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Recorded the parent guide in Loom on Sunday night.", "Loom"),
        ("Parents get a Remind message every Sunday.", "Remind"),
        ("We put the programme into a Canvas course.", "Canvas"),
        ("Pinned in our Teams channel: three videos.", "Microsoft Teams"),
        ("Loom is my go-to for quick updates.", "Loom"),
        ("We used flip for student voice this year.", "Flip"),
        ("Tools: Canva, Loom and Padlet.", "Loom"),
        ("Students used Explain Everything on the iPads.", "Explain Everything"),
        ("Briefing happens on google meet now.", "Google Meet"),
        ("¿Alguien ha usado Flip con familias?", "Flip"),
    ],
)
def test_ambiguous_names_count_with_context(text: str, tool: str) -> None:
    assert tool in label_of(make_post(text), "tool").reason


def test_an_ambiguous_name_counts_when_the_post_links_the_tool() -> None:
    post = make_post("our loom from today https://www.loom.com/share/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b")
    assert label_of(post, "tool").reason == "names Loom and links loom.com"


def test_tools_named_in_alt_text_poll_options_cards_and_mentions() -> None:
    alt = make_post("Our wall", media=[("image", "Screenshot of a Padlet board")])
    assert label_of(alt, "tool").reason == "names Padlet"
    poll = make_post("Which one?", poll=["Loom", "Screencastify", "Phone"])
    assert "Screencastify" in label_of(poll, "tool").reason
    provider = make_post(
        "Our board https://bit.ly/x", card=card("https://bit.ly/x", "rich", "Board", "Padlet")
    )
    assert label_of(provider, "tool").reason == "shares a Padlet card"
    mention = make_post("Thanks @padlet for the licence", mentions=["padlet"])
    assert label_of(mention, "tool").reason == "mentions @padlet"


def test_storage_services_name_but_do_not_link_a_tool() -> None:
    url = "https://drive.google.com/file/d/1ZyXwVuTs/view"
    pdf = make_post(f"Handout {url}", card=card(url, "link", "handout.pdf", "Google Drive"))
    assert "tool" not in names(pdf)
    assert "tool" in names(make_post("Everything lives in Google Drive now."))


def test_link_resolution_site_name_can_name_a_tool() -> None:
    post = make_post("Our ideas board: https://bit.ly/board1")
    assert "tool" not in names(post)
    resolved = {"https://bit.ly/board1": LinkInfo("https://padlet.com/x/y", site_name="Padlet")}
    assert label_of(post, "tool", links=resolved).reason == "links padlet.com (Padlet)"


def test_extra_catalogue_entries_add_tools_without_code() -> None:
    catalogue = load_catalogue(
        [{"name": "Vocal Video", "aliases": ["VocalVideo"], "domains": ["vocalvideo.com"]}]
    )
    assert isinstance(catalogue, ToolCatalogue)
    post = make_post("VocalVideo testimonials from parents this term")
    assert "tool" not in names(post)
    assert label_of(post, "tool", catalogue=catalogue).reason == "names Vocal Video"
    used = make_post("Testimonials collected with VocalVideo this term")
    assert (
        label_of(used, "tool").reason
        == "names VocalVideo (not in the catalogue; what something was made with)"
    )
    assert label_of(used, "tool", catalogue=catalogue).reason == "names Vocal Video"
    assert len(catalogue) == len(load_catalogue()) + 1


def test_only_the_spellings_marked_ambiguous_need_context() -> None:
    catalogue = load_catalogue([{"name": "Stream", "aliases": ["StreamDeck"], "ambiguous": ["Stream"]}])
    assert "tool" not in names(make_post("the stream of videos never stops"), catalogue=catalogue)
    assert "tool" in names(make_post("made with streamdeck"), catalogue=catalogue)


def test_an_extra_entry_replaces_a_shipped_tool_of_the_same_name() -> None:
    catalogue = load_catalogue([{"name": "loom", "aliases": [], "domains": ["loom.com"]}])
    assert "tool" in names(make_post("deadlines loom large"), catalogue=catalogue)
    assert len(catalogue) == len(load_catalogue())


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"aliases": []}, "'name' is missing"),
        ({"name": "X", "aliases": "X"}, "'aliases' must be a list"),
        ({"name": "X", "domains": [""]}, "'domains' must be a list of non-empty strings"),
        ({"name": "X", "ambiguous": "yes"}, "'ambiguous' must be true, false or a list"),
        ({"name": "X", "ambiguous": ["Y"]}, "'ambiguous' lists y, which is not a name or alias"),
        ({"name": "X", "url": "x.com"}, "unknown field(s) url"),
    ],
)
def test_bad_catalogue_entries_say_what_is_wrong(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(message)):
        load_catalogue([entry])


# ---------------------------------------------------------------------------------------------------
# question
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Anyone tried Screencastify for parent newsletters?", "en"),
        ("How long should a flipped briefing video be?", "en"),
        ("Which is better for short staff videos: Loom or Screencastify", "en"),
        ("Looking for examples of flipped governors' meetings.", "en"),
        ("New head here. Tips welcome on starting flipped meetings", "en"),
        ("I'd be really grateful for examples of flipped SEND reviews", "en"),
        ("Drop your favourite screen recorder in the replies", "en"),
        ("Here's our first parent video. What would you cut?", "en"),
        ("¿Alguien ha usado Loom con las familias?", "es"),
        ("¿Grabáis los vídeos con subtítulos?", "es"),
        ("Se agradecen ideas para el claustro.", "es"),
        ("Des idées pour raccourcir nos vidéos ?", "fr"),
        ("Quelqu'un a déjà testé les conseils inversés ?", "fr"),
        ("Je suis preneuse de vos conseils pour filmer.", "fr"),
        ("Hat jemand Erfahrung mit umgedrehten Konferenzen?", "de"),
        ("Alguém já usou o Loom para reuniões?", "pt"),
    ],
)
def test_posts_that_ask_the_community_are_questions(text: str, language: str) -> None:
    assert "question" in names(make_post(text, language=language))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ever wondered what a flipped meeting looks like? Here's ours https://youtu.be/Ra9mW2cXo1Q", "en"),
        ("Want to see how we replaced INSET? https://youtu.be/Ra9mW2cXo1Q", "en"),
        ("Why flip the parents' evening? Because 240 watched this.", "en"),
        ("What did we learn this year? Mostly that shorter is better.", "en"),
        ("The result? Meetings down from 60 to 25 minutes.", "en"),
        ("Who knew a phone video could do this?! https://youtu.be/Ck9Lm3Vb7Nx", "en"),
        ("Isn't it lovely when a plan works? Done in 25 minutes.", "en"),
        ("Is it Friday yet?! Long week.", "en"),
        ('She asked me "how do you find the time?" and I laughed.', "en"),
        ("Anyone can make a video. Making a good one is the hard part.", "en"),
        ("Let me know if you'd like a copy of the template.", "en"),
        ("What's the point of a meeting if someone just reads emails aloud? Rant over.", "en"),
        ("Can you tell I've been recording all day? Voice gone.", "en"),
        ("What does a 5 minute briefing look like? https://youtu.be/Ra9mW2cXo1Q", "en"),
        ("¿Te has preguntado cómo sería una reunión sin diapositivas? Aquí tienes la nuestra.", "es"),
        ("Vous vous demandez à quoi ressemble un conseil inversé ? Voici le nôtre.", "fr"),
        ("Et si on arrêtait de lire les diapositives en réunion ?", "fr"),
        ("Notre conseil pédagogique a adopté le format inversé.", "fr"),
    ],
)
def test_rhetorical_and_reported_questions_are_not_questions(text: str, language: str) -> None:
    assert "question" not in names(make_post(text, language=language))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("先生方に事前に動画を見てもらうコツはありますか？", "ja"),
        ("先生方に事前に動画を見てもらうコツはありますか？どうぞよろしく。", ""),
        ("Кто-нибудь пробовал перевёрнутые педсоветы? Поделитесь опытом", "ru"),
        ("Кто-нибудь пробовал перевёрнутые педсоветы?", ""),
        ("Ποιος έχει δοκιμάσει ανεστραμμένες συνεδριάσεις;", ""),
        ("هل جرب أحدكم الاجتماعات المقلوبة مع أولياء الأمور؟", "ar"),
        ("Czy ktoś z was nagrywa filmy dla rodziców przed zebraniem?", ""),
        ("Kan någon rekommendera ett verktyg för att spela in skärmen?", ""),
        ("Er der nogen, der har erfaring med at vende personalemøder om?", "und"),
        ("Algú ha provat de fer els claustres amb vídeo previ?", ""),
        ("Jak nagrywacie krótkie filmy dla rady pedagogicznej?", "pl"),
    ],
)
def test_questions_in_languages_without_word_lists_are_questions(text: str, language: str) -> None:
    post = make_post(text, language=language)
    assert "question" in names(post)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Перевёрнутый педсовет прошёл отлично! Спасибо коллегам.", "ru"),
        ("今日の職員会議は動画のおかげで30分短くなりました。", "ja"),
        ("Η συνεδρίαση κράτησε μόνο είκοσι λεπτά· όλοι είχαν δει το βίντεο.", "el"),
        ("Czy to już piątek?! Długi tydzień.", "pl"),
        ("Why do we still read slides aloud to staff? Flip it.", "und"),
    ],
)
def test_statements_and_surprise_in_any_language_are_not_questions(text: str, language: str) -> None:
    assert "question" not in names(make_post(text, language=language))


def test_a_question_in_a_language_without_word_lists_says_so() -> None:
    [label] = classify(make_post("Кто пробовал?", language="ru"))
    assert label.name == "question"
    assert "no word lists" in label.reason
    assert "Кто пробовал?" in label.reason


def test_a_question_mark_inside_a_link_is_not_a_question() -> None:
    post = make_post(
        "Part 2: https://www.youtube.com/watch?v=Sg3Up9Dt2Rk&list=PL1#t=190 and https://x.org/a?b=c"
    )
    assert "question" not in names(post)


def test_a_question_mark_right_after_a_link_still_asks() -> None:
    assert "question" in names(make_post("Has anyone seen https://school.example/page?"))


def test_a_poll_asks_the_community() -> None:
    label = label_of(make_post("How long are your briefing videos", poll=["<3 min", "3-6 min"]), "question")
    assert label.reason == "runs a poll (2 options): 'How long are your briefing videos'"


def test_a_content_warning_can_carry_the_question() -> None:
    post = make_post("Long thread below about staff relations.", spoiler="Any advice on reluctant staff?")
    assert "question" in names(post)


def test_the_reason_quotes_the_question() -> None:
    label = label_of(
        make_post("Lovely week. Is there a good way to caption staff videos quickly?"), "question"
    )
    assert label.reason == "asks the community: 'Is there a good way to caption staff videos quickly?'"


# ---------------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------------
_URL_PIECE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-_=&?#/.", min_size=0, max_size=30)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_classify_never_raises_on_arbitrary_text(text: str) -> None:
    labels = classify(make_post(text))
    assert [label.name for label in labels] == sorted({label.name for label in labels})


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from([*"<>/ap=\"'&#;?!x @:.\n", "<a href=", "</p>", "<br>", "https://"])).map("".join)
)
def test_classify_never_raises_on_arbitrary_html(content: str) -> None:
    status = {
        "id": "1",
        "uri": "https://a.example/1",
        "created_at": "2025-10-01T08:00:00Z",
        "account": {"acct": "a@a.example"},
        "content": content,
    }
    for label in classify(normalise_status(status)):
        assert 0.0 < label.confidence <= 1.0
        assert label.reason


@settings(max_examples=150, deadline=None)
@given(path=_URL_PIECE, words=st.sampled_from(["Our new video", "Slides from today", "Notes", "Merci"]))
def test_a_question_mark_inside_a_url_never_makes_a_question(path: str, words: str) -> None:
    url = f"https://example.org/{path}?x=1"
    assert "question" not in names(make_post(f"{words}: {url} #fliplead"))
    assert "question" not in names(make_post(f"{words} https://www.youtube.com/watch?v=abcDEF12345&{path}"))
