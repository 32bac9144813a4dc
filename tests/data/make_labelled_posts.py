"""Write ``labelled_posts.jsonl``: hand-written #fliplead posts as Mastodon API statuses, with labels.

Every post below was written for this project by a person, as a school leader would write it. This
script only does what Mastodon does on publishing (paragraphs, links shortened with ``invisible`` and
``ellipsis`` spans, hashtags and mentions as classed links, ``tags``/``mentions`` lists, media, cards,
polls), so the statuses have the real API's shape. It is deterministic: run it again, get the same file.

    python tests/data/make_labelled_posts.py                      # writes tests/data/labelled_posts.jsonl
    python tests/data/make_labelled_posts.py --only holdout --out /tmp/holdout.jsonl   # or --only tuning

``DEVELOPMENT`` posts were written while the rules were built and used to tune them; ``HOLDOUT`` posts
were written after those rules were finished and scored before tuning on them (the rules have since
been tuned on them too). ``OTHERS_HOLDOUT`` and ``OTHERS_TUNING`` are posts written in the voices of
other people, in eight languages, with the kinds the first rules missed (requests without a question
mark, questions about a tool or attached to a share, answered and rhetorical questions, silent
screencasts, tools outside the catalogue). ``OTHERS_HOLDOUT`` was written in one go before any rule
was changed and is never tuned on: each line's ``split`` says ``holdout`` for it and ``tuning`` for
everything else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HOME = "mastodon.social"
_TOKEN = re.compile(
    r"(?P<url>https?://[^\s<>\"]*[^\s<>\".,;:!?)\]'”’»])"
    r"|(?P<mention>(?<![\w/])@(?P<user>[A-Za-z0-9_]+)(?:@(?P<domain>[A-Za-z0-9.-]+\.[a-z]{2,}))?)"
    r"|(?P<tag>(?<![\w/&#])#(?P<tagname>\w*[^\W\d_]\w*))"
)


@dataclass(frozen=True)
class Account:
    """An author: ``username`` on ``instance``, with a display name and a profile note."""

    username: str
    instance: str
    display_name: str
    note: str
    numeric_id: int

    @property
    def acct(self) -> str:
        return self.username if self.instance == HOME else f"{self.username}@{self.instance}"

    def as_json(self, created: datetime) -> dict[str, Any]:
        base = f"https://{self.instance}"
        digest = _digest(self.username)
        return {
            "id": str(self.numeric_id),
            "username": self.username,
            "acct": self.acct,
            "display_name": self.display_name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": True,
            "group": False,
            "created_at": (created - timedelta(days=400 + self.numeric_id % 900)).strftime(
                "%Y-%m-%dT00:00:00.000Z"
            ),
            "note": f"<p>{_escape(self.note)}</p>",
            "url": f"{base}/@{self.username}",
            "uri": f"{base}/users/{self.username}",
            "avatar": f"https://files.{HOME}/cache/accounts/avatars/{_path(digest)}/original/{digest[:16]}.png",
            "avatar_static": f"https://files.{HOME}/cache/accounts/avatars/{_path(digest)}/original/{digest[:16]}.png",
            "header": f"https://{HOME}/headers/original/missing.png",
            "header_static": f"https://{HOME}/headers/original/missing.png",
            "followers_count": 40 + int(digest[:4], 16) % 3000,
            "following_count": 60 + int(digest[4:8], 16) % 900,
            "statuses_count": 120 + int(digest[8:12], 16) % 8000,
            "last_status_at": created.strftime("%Y-%m-%d"),
            "emojis": [],
            "fields": [],
        }


@dataclass
class Rendered:
    """Post HTML with the hashtags and mentions it contains."""

    html: str
    tags: list[str] = field(default_factory=list)
    mentions: list[tuple[str, str]] = field(default_factory=list)


def render_content(text: str, account: Account) -> Rendered:
    """Mastodon's HTML for a plain-text post written by ``account``."""
    rendered = Rendered(html="")
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    html_paragraphs = []
    for paragraph in paragraphs:
        lines = [_render_line(line, account, rendered) for line in paragraph.strip().split("\n")]
        html_paragraphs.append("<p>" + "<br />".join(lines) + "</p>")
    rendered.html = "".join(html_paragraphs)
    return rendered


def _render_line(line: str, account: Account, rendered: Rendered) -> str:
    out: list[str] = []
    position = 0
    remote = account.instance != HOME
    link_attrs = 'target="_blank" rel="nofollow noopener" translate="no"'
    for token in _TOKEN.finditer(line):
        out.append(_escape(line[position : token.start()]))
        position = token.end()
        if token.group("url"):
            out.append(_link(token.group("url"), link_attrs))
        elif token.group("mention"):
            user, domain = token.group("user"), token.group("domain") or HOME
            rendered.mentions.append((user, domain))
            attrs = 'class="u-url mention" rel="nofollow noopener" target="_blank"'
            out.append(
                f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}" {attrs}>'
                f"@<span>{user}</span></a></span>"
            )
        else:
            name = token.group("tagname")
            rendered.tags.append(name.lower())
            if remote:
                attrs = 'class="mention hashtag" rel="nofollow noopener" target="_blank"'
                out.append(
                    f'<a href="https://{account.instance}/tags/{name}" {attrs}>#<span>{name}</span></a>'
                )
            else:
                out.append(
                    f'<a href="https://{HOME}/tags/{name.lower()}" class="mention hashtag" rel="tag">'
                    f"#<span>{name}</span></a>"
                )
    out.append(_escape(line[position:]))
    return "".join(out)


def _link(url: str, attrs: str) -> str:
    prefix_match = re.match(r"https?://(?:www\.)?", url)
    prefix = prefix_match.group() if prefix_match else ""
    rest = url[len(prefix) :]
    if len(rest) > 30:
        shown, hidden, css = rest[:30], rest[30:], "ellipsis"
    else:
        shown, hidden, css = rest, "", ""
    return (
        f'<a href="{_escape(url)}" {attrs}><span class="invisible">{prefix}</span>'
        f'<span class="{css}">{_escape(shown)}</span><span class="invisible">{_escape(hidden)}</span></a>'
    )


def media_json(kind: str, seed: str, description: str | None, seconds: int | None = None) -> dict[str, Any]:
    """A media attachment of ``kind`` (image, video, gifv, audio) as the API returns it.

    ``seconds`` sets the length of a video or gifv (a gifv is 3 s unless told otherwise).
    """
    digest = _digest(seed)
    number = str(int(digest[:15], 16))[:18]
    ext = {"image": "jpeg", "video": "mp4", "gifv": "mp4", "audio": "mp3"}[kind]
    folder = "/".join(number[i : i + 3] for i in range(0, 18, 3))
    base = f"https://files.{HOME}/media_attachments/files/{folder}"
    meta: dict[str, Any]
    if kind == "image":
        meta = {
            "original": {"width": 1600, "height": 1200, "size": "1600x1200", "aspect": 1.3333333333333333},
            "small": {"width": 554, "height": 416, "size": "554x416", "aspect": 1.3317307692307692},
            "focus": {"x": 0.0, "y": 0.0},
        }
    elif kind == "audio":
        seconds = 180 + int(digest[:3], 16) % 900
        meta = {
            "length": _length(seconds),
            "duration": float(seconds),
            "audio_encode": "mp3",
            "audio_bitrate": "44100 Hz",
            "audio_channels": "stereo",
            "original": {"duration": float(seconds), "bitrate": 128000},
        }
    else:
        if seconds is None:
            seconds = 3 if kind == "gifv" else 45 + int(digest[:3], 16) % 400
        meta = {
            "length": _length(seconds),
            "duration": float(seconds),
            "fps": 30,
            "size": "1280x720",
            "width": 1280,
            "height": 720,
            "aspect": 1.7777777777777777,
            "original": {
                "width": 1280,
                "height": 720,
                "frame_rate": "30/1",
                "duration": float(seconds),
                "bitrate": 1200000,
            },
            "small": {"width": 400, "height": 225, "size": "400x225", "aspect": 1.7777777777777777},
        }
        if kind == "video":
            meta.update(
                {
                    "audio_encode": "aac (LC) (mp4a / 0x6134706D)",
                    "audio_bitrate": "44100 Hz",
                    "audio_channels": "stereo",
                }
            )
    preview_ext = "png" if kind in ("video", "gifv") else "jpeg"
    return {
        "id": number,
        "type": kind,
        "url": f"{base}/original/{digest[:16]}.{ext}",
        "preview_url": f"{base}/small/{digest[:16]}.{preview_ext}",
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": description,
        "blurhash": "UKF~gd%2D%IU~qxuWBWBIUWBt7of" if kind != "audio" else None,
    }


def card_json(
    url: str,
    kind: str,
    title: str,
    provider: str = "",
    description: str = "",
    author: str = "",
    provider_url: str | None = None,
    embed: str | None = None,
) -> dict[str, Any]:
    """A preview card (type link, video, photo or rich) as the API returns it."""
    digest = _digest(url)
    if provider_url is None:
        host = re.sub(r"^https?://(www\.)?", "", url).split("/")[0]
        provider_url = f"https://{host}/" if provider else ""
    html = ""
    width, height = 400, 225
    if kind == "video":
        embed = embed or url
        html = (
            f'<iframe width="{width}" height="{height}" src="{_escape(embed)}" frameborder="0" '
            'allowfullscreen="" sandbox="allow-scripts allow-same-origin allow-popups '
            'allow-popups-to-escape-sandbox allow-forms"></iframe>'
        )
    return {
        "url": url,
        "title": title,
        "description": description,
        "language": None,
        "type": kind,
        "author_name": author,
        "author_url": "",
        "provider_name": provider,
        "provider_url": provider_url,
        "html": html,
        "width": width,
        "height": height,
        "image": f"https://files.{HOME}/cache/preview_cards/images/{_path(digest)}/original/{digest[:16]}.jpg",
        "image_description": "",
        "embed_url": "",
        "blurhash": "UEHV6nWB2yk8pyo0adR*.7kCMdnj",
        "published_at": None,
        "authors": [],
    }


def poll_json(seed: str, options: list[str], created: datetime, multiple: bool = False) -> dict[str, Any]:
    """A poll that closed a day after it opened, with some votes."""
    digest = _digest(seed)
    votes = [int(digest[i * 2 : i * 2 + 2], 16) % 40 for i in range(len(options))]
    return {
        "id": str(200000 + int(digest[:5], 16) % 800000),
        "expires_at": (created + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "expired": True,
        "multiple": multiple,
        "votes_count": sum(votes),
        "voters_count": sum(votes),
        "options": [
            {"title": title, "votes_count": count} for title, count in zip(options, votes, strict=True)
        ],
        "emojis": [],
    }


def snowflake(moment: datetime, sequence: int) -> str:
    """A Mastodon-style id: milliseconds since the epoch, shifted, plus a sequence."""
    millis = int(moment.replace(tzinfo=UTC).timestamp() * 1000)
    return str((millis << 16) + sequence % 65536)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _digest(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def _path(digest: str) -> str:
    number = str(int(digest[:12], 16)).zfill(9)[:9]
    return "/".join(number[i : i + 3] for i in range(0, 9, 3))


def _length(seconds: int) -> str:
    return f"0:{seconds // 60:02d}:{seconds % 60:02d}.00"


# ---------------------------------------------------------------------------------------------------
# Authors and the shape of a post spec
# ---------------------------------------------------------------------------------------------------
_ACCOUNTS = [
    (
        "helen_okafor",
        "mastodon.education",
        "Helen Okafor",
        "Headteacher, Oakfield Primary. Flipped meetings convert.",
    ),
    (
        "mr_davies_ht",
        "mastodonapp.uk",
        "Gareth Davies",
        "Head of a small rural primary in Powys. Views my own.",
    ),
    ("samirk", HOME, "Samir Khan", "Deputy head (secondary), curriculum and CPD."),
    ("jo_hartley", "mastodon.education", "Jo Hartley", "Principal. Trust lead for professional development."),
    ("deputy_dan", "mas.to", "Dan Whitfield", "Deputy head, Year 6 teacher, tea drinker."),
    ("ms_rivera", "mstdn.social", "Elena Rivera", "Assistant principal, Chicago public schools."),
    ("kbright", "mastodon.scot", "Kirsty Bright", "Depute head teacher, Fife."),
    ("amira_lead", "scholar.social", "Amira Haddad", "Researcher in school leadership and teacher workload."),
    ("tomwhitehead", "mastodon.ie", "Tom Whitehead", "Principal, national school in Galway."),
    ("sarah_ht", "mastodonapp.uk", "Sarah Lowe", "Executive head of two infant schools."),
    ("ceo_northstar", "mastodon.online", "Priya Nair", "CEO of a 9-school trust. Here for the ideas."),
    ("coachmarcus", "hachyderm.io", "Marcus Bell", "Instructional coach. Video feedback nerd."),
    ("anneliese_p", "aus.social", "Anneliese Park", "Principal, Melbourne. Flipped leadership since 2019."),
    ("j_mcallister", "mstdn.ca", "Jenna McAllister", "Vice-principal, Ontario. #fliplead"),
    ("richard_evans", "mastodon.nz", "Richard Evans", "Tumuaki / principal, Wellington."),
    ("lou_senco", "mastodonapp.uk", "Louise Grant", "SENCo and assistant head."),
    ("headofscience_al", HOME, "Alan Price", "Head of science, aspiring senior leader."),
    ("primaryhead_fi", "mastodon.scot", "Fiona Ross", "Head teacher, Aberdeenshire primary."),
    ("dr_amy_chen", "mastodon.education", "Dr Amy Chen", "Lecturer in educational leadership."),
    ("nkwame", "mastodon.world", "Nana Kwame", "Head of sixth form. Governor at a local primary."),
    ("maria_directora", "masto.es", "María Gómez", "Directora de un CEIP en Sevilla. Dirección invertida."),
    ("jefatura_ies", "mastodon.cat", "Jordi Puig", "Cap d'estudis / jefe de estudios, Girona."),
    ("lucia_orientadora", "masto.es", "Lucía Fernández", "Orientadora y miembro del equipo directivo."),
    ("pablo_dir", "tkz.one", "Pablo Ruiz", "Director de instituto. Formación docente."),
    ("carmen_cole", "mastodon.social", "Carmen Ortega", "Jefa de estudios en un colegio de Madrid."),
    ("direction_moulin", "framapiaf.org", "Claire Dubois", "Directrice d'école élémentaire, Lyon."),
    ("principal_adjoint", "piaille.fr", "Marc Lefèvre", "Principal adjoint de collège. Numérique éducatif."),
    ("sophie_ien", "mamot.fr", "Sophie Martin", "Conseillère pédagogique, formation des directeurs."),
    ("julien_dir", "mastodon.online", "Julien Roche", "Directeur d'école, Bretagne."),
    ("isabelle_proviseure", "piaille.fr", "Isabelle Bernard", "Proviseure de lycée."),
    ("schulleitung_km", "bildung.social", "Katrin Müller", "Schulleiterin einer Gesamtschule."),
    ("stefan_rektor", "bildung.social", "Stefan Weber", "Rektor einer Grundschule in Bayern."),
    ("diretora_ana", "bolha.us", "Ana Souza", "Diretora de escola pública em Belo Horizonte."),
    ("coord_pedro", "ciberlandia.pt", "Pedro Almeida", "Coordenador pedagógico, Lisboa."),
    ("trustcpd_lead", "mastodon.green", "Hannah Osei", "Trust CPD lead. Loves a good agenda."),
    ("mrs_patel", "mastodon.education", "Mrs Patel", "Maths lead and assistant head."),
    ("governor_geoff", "mastodonapp.uk", "Geoff Hill", "Chair of governors. Retired engineer."),
    ("newhead_kate", "mas.to", "Kate Morris", "New headteacher. Learning out loud."),
    ("eyfs_leader", "mastodon.ie", "Niamh Byrne", "Early years lead, Dublin."),
    ("principal_ortiz", "universeodon.com", "Luis Ortiz", "Principal, bilingual elementary school, Texas."),
]


@dataclass
class Spec:
    """One hand-written post: its text as typed, what it carries, and the labels a curator gives it."""

    text: str
    labels: list[str]
    note: str = ""
    lang: str = "en"
    media: list[tuple[str, str | None]] = field(default_factory=list)
    card: dict[str, Any] | None = None
    poll: list[str] | None = None
    cw: str = ""
    reply: bool = False


def P(  # noqa: N802 - short on purpose: there are hundreds of these below
    text: str,
    labels: str,
    *,
    note: str = "",
    lang: str = "en",
    media: list[tuple[str, str | None]] | None = None,
    card: dict[str, Any] | None = None,
    poll: list[str] | None = None,
    cw: str = "",
    reply: bool = False,
) -> Spec:
    """A post spec; ``labels`` is a space-separated list ("video tool"), empty for none."""
    return Spec(text, sorted(labels.split()), note, lang, media or [], card, poll, cw, reply)


def yt(url: str, title: str, channel: str) -> dict[str, Any]:
    """The video card Mastodon builds for a YouTube link."""
    found = re.search(r"(?:v=|youtu\.be/|shorts/|live/)([\w-]{6,})", url)
    embed = f"https://www.youtube.com/embed/{found.group(1) if found else ''}?feature=oembed"
    return card_json(
        url, "video", title, "YouTube", author=channel, provider_url="https://www.youtube.com/", embed=embed
    )


def card(url: str, kind: str, title: str, provider: str = "", description: str = "") -> dict[str, Any]:
    """A preview card of ``kind`` (link, video, photo, rich)."""
    return card_json(url, kind, title, provider, description)


# ---------------------------------------------------------------------------------------------------
# Development posts: written while building the rules, used for tuning.
# ---------------------------------------------------------------------------------------------------
DEVELOPMENT: list[Spec] = [
    # --- videos on YouTube, in every link shape ----------------------------------------------------------
    P(
        "This week's staff briefing is a 6 minute video instead of a 40 minute meeting. Watch it before "
        "Thursday and bring one question to the huddle.\n\nhttps://youtu.be/k3Rb7TqLm2s\n\n#fliplead #SLT",
        "video",
        card=yt(
            "https://youtu.be/k3Rb7TqLm2s", "Staff briefing wk 4 - assessment calendar", "Oakfield Primary"
        ),
    ),
    P(
        "Our new parents' guide to phonics, in 4 minutes, made by Year 1 team and me on a wet Tuesday "
        "afternoon https://www.youtube.com/watch?v=Hq2xP9Lw0cE&t=12s #fliplead #phonics",
        "video",
        card=yt(
            "https://www.youtube.com/watch?v=Hq2xP9Lw0cE&t=12s",
            "How we teach phonics at St Aidan's",
            "St Aidan's CE Primary",
        ),
    ),
    P(
        "60 second version of the new behaviour policy for students, shot vertically because that's how "
        "they watch everything 😅 https://youtube.com/shorts/Tz81kQpVw3A?si=a9KXn2LmQpRz #fliplead",
        "video",
    ),
    P(
        "Going live tonight at 7pm with our governors' Q&A on the budget. Recording stays up after. "
        "https://www.youtube.com/live/pL0x3ZcB7dE?si=QwErTy12 #fliplead #governance",
        "video",
        note="a live-stream link is a watchable video",
    ),
    P(
        "Ever wondered what a flipped staff meeting actually looks like from the inside? Here's ours from "
        "last half term, warts and all: https://youtu.be/Ra9mW2cXo1Q?t=45\n\n#fliplead #leadership",
        "video",
        card=yt("https://youtu.be/Ra9mW2cXo1Q?t=45", "Inside a flipped staff meeting", "Ms Okafor"),
        note="rhetorical question framing a share",
    ),
    P(
        "Want to see how we replaced the September INSET lecture with three short videos? Playlist here 👇\n"
        "https://www.youtube.com/playlist?list=PLx8Fh2kQ9mZ0aB3cD4eF5gH6iJ7kL8mN9\n#fliplead #INSET",
        "video",
        note="rhetorical opener; a playlist is videos",
    ),
    P(
        "Loved this from @dr_amy_chen@mastodon.education on making leadership videos people actually finish "
        "watching: https://www.youtube.com/watch?v=9fGh2JkL0pQ #fliplead",
        "video",
        card=yt(
            "https://www.youtube.com/watch?v=9fGh2JkL0pQ",
            "Short videos, long impact: flipped leadership",
            "Amy Chen",
        ),
    ),
    P(
        "Recorded this explainer on our new reading assessment with Screencastify, uploaded to YouTube, "
        "done in 20 minutes including the retakes. https://youtu.be/Vb5nC8xZ2aQ #fliplead #reading",
        "video tool",
    ),
    P(
        "Parents asked why we changed the homework policy. Rather than a letter nobody reads, a 3 minute "
        "video: https://m.youtube.com/watch?v=Lp4oI9uY7tR&feature=share #fliplead",
        "video",
    ),
    P(
        "Quick one for new staff: where everything lives on the shared drive, narrated walkthrough. "
        "https://youtu.be/Ny6bV3cX0zA #fliplead #induction",
        "video",
    ),
    # --- other video hosts -------------------------------------------------------------------------------
    P(
        "Our Year 6 to Year 7 transition film is finished! Huge thanks to the student voice team who "
        "scripted it. https://vimeo.com/912345678 #fliplead #transition",
        "video",
        card=card("https://vimeo.com/912345678", "video", "Moving up to Greenbank", "Vimeo"),
    ),
    P(
        "Unlisted on Vimeo for governors only, but the structure might help others: "
        "https://vimeo.com/887766554/a1b2c3d4e5 - a 9 minute headteacher's report replacing 12 pages.",
        "video",
    ),
    P(
        "Sent this Loom to the maths team instead of calling another meeting about the new scheme "
        "https://www.loom.com/share/4f9a2c7e1b3d4e5f8a6b7c8d9e0f1a2b #fliplead",
        "video tool",
    ),
    P(
        "Screencastify link for our TA briefing on the new phonics interventions, 7 mins: "
        "https://watch.screencastify.com/v/Jx3kR8pLm2QwZ9 #fliplead",
        "video tool",
    ),
    P(
        "Students explaining our reading rewards to their parents on Flip. Better than anything I could "
        "write. https://flip.com/s/Xk2P9aLm #fliplead #studentvoice",
        "video tool",
    ),
    P(
        "Built the safeguarding refresher as an EdPuzzle so staff have to answer the questions as they "
        "watch. Completion data straight to the DSL. https://edpuzzle.com/media/64f1a2b3c4d5e6f7a8b9c0d1",
        "video tool",
    ),
    P(
        "Our Year 9s made a TikTok explaining the new phone policy to Year 7s and honestly it's better "
        "than our assembly https://www.tiktok.com/@greenbankacademy/video/7312345678901234567",
        "video",
    ),
    P(
        "Reel from our open evening: the head boy and girl give a 45 second tour. "
        "https://www.instagram.com/reel/C1aBcDeFgHi/?igsh=MXh2b3R0 #openevening #fliplead",
        "video",
    ),
    P(
        "Our trust's onboarding videos are now on Wistia with chapters, so new heads can jump straight to "
        "the bit they need: https://oakwoodtrust.wistia.com/medias/k9x8c7v6b5 #fliplead",
        "video",
    ),
    P(
        "Posted our CPD session on the instance's video server, no ads and no algorithm: "
        "https://tube.schule.social/w/8wHd3kQx7ZpLm2Nb4Vc9Rt #fliplead #fediverse",
        "video",
        note="PeerTube short link",
    ),
    P(
        "Microsoft Stream link for colleagues in the trust (needs your school login): "
        "https://web.microsoftstream.com/video/3c2b1a09-8f7e-6d5c-4b3a-2f1e0d9c8b7a #fliplead",
        "video",
        note="Stream is where the video lives, like YouTube: not a tool",
    ),
    P(
        "Staff INSET recap video is in the shared folder: "
        "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWx/view?usp=sharing "
        "(it's on Google Drive, so use your school account)",
        "video tool",
        card=card(
            "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWx/view?usp=sharing",
            "link",
            "INSET recap Jan.mp4",
            "Google Drive",
        ),
        note="Drive file confirmed by the .mp4 card title; names Drive",
    ),
    P(
        "Sharing the slides from Saturday's session, plus the handout. "
        "https://drive.google.com/file/d/1ZyXwVuTsRqPoNmLkJiHgFeDcB/view",
        "",
        card=card(
            "https://drive.google.com/file/d/1ZyXwVuTsRqPoNmLkJiHgFeDcB/view",
            "link",
            "ResearchEd handout.pdf",
            "Google Drive",
        ),
        note="a Drive PDF is not a video, and Drive holding it is not a tool mention",
    ),
    P(
        "Our welcome film for Reception families 🎬",
        "video",
        media=[
            (
                "video",
                "A teacher walks through the Reception classroom pointing out the coat pegs and "
                "reading corner",
            )
        ],
    ),
    P(
        "Trying something new: the weekly bulletin as a 90 second video. Feedback welcome!",
        "video question",
        media=[("video", "Headteacher talking to camera in the school hall")],
        note="feedback request on a share counts as asking",
    ),
    P(
        "Direct link to the mp4 for anyone whose school blocks YouTube: "
        "https://media.stbedesacademy.org.uk/briefings/2025-10-staff-update.mp4 #fliplead",
        "video",
    ),
    P(
        "Short link to the parents' evening explainer video: https://bit.ly/3StBdEs #fliplead",
        "video",
        card=card("https://bit.ly/3StBdEs", "video", "Parents' evening: what to expect", "YouTube"),
        note="short link, but the card says video",
    ),
    P(
        "Our head of science on why we flipped department meetings (TED-style, 8 mins) "
        "https://www.ted.com/talks/ana_ruiz_why_meetings_should_be_homework #fliplead",
        "video",
    ),
    P(
        "Made a Canva video for the Year 11 revision evening, linked for anyone who missed it: "
        "https://www.canva.com/design/DAGabc123XY/ZyXwVu98765/watch #fliplead",
        "video tool",
    ),
    P(
        "Adobe Express turned out to be the quickest way to stitch staff clips together for the end-of-year "
        "thank you https://express.adobe.com/video/Ab12Cd34Ef56G",
        "video tool",
    ),
    P(
        "ScreenPal recording of how to enter predicted grades, for the three colleagues who asked: "
        "https://screenpal.com/watch/cZe3Y9VQk2T",
        "video tool",
    ),
    # --- videos with questions, rhetorical or real -------------------------------------------------------
    P(
        "First attempt at a flipped governors' report. Is 11 minutes too long? Genuinely unsure where the "
        "line is for volunteers watching in the evening. https://youtu.be/Gv7Rt2Lp9Qs #fliplead #governance",
        "video question",
    ),
    P(
        "How do you get staff to actually watch the video BEFORE the meeting? Ours from this week is below "
        "and I know at least a third came in cold. https://youtu.be/Wt3Hq8Zp1Lm #fliplead",
        "video question",
        note="a real question next to a share",
    ),
    P(
        "Why flip the parents' information evening? Because 30 parents came in person and 240 watched this. "
        "https://www.youtube.com/watch?v=Pe4Ve9Nn2Gx #fliplead",
        "video",
        note="self-answered question",
    ),
    P(
        "What does a 5 minute data briefing look like? This: https://www.loom.com/share/a7c3e9f1b2d44f6a8c0e2b4d6f8a0c1e\n"
        "No slides, just the three numbers that matter this half term. #fliplead",
        "video tool",
        note="question answered by the share that follows",
    ),
    P(
        "Have you seen the new Y2 maths videos our teachers made for families? So proud of this team 💛 "
        "https://vimeo.com/901234567 #fliplead #maths",
        "video",
        card=card("https://vimeo.com/901234567", "video", "Number bonds at home", "Vimeo"),
        note="promotional 'have you seen' is not asking",
    ),
    P(
        "Our first Loom for parents (on reading at home). What would you cut? I think it drags in the "
        "middle. https://www.loom.com/share/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
        "video tool question",
    ),
    P(
        "Who knew a 2 minute phone video could do more than a two page letter?! https://youtu.be/Ck9Lm3Vb7Nx "
        "#fliplead",
        "video",
        note="surprise, not a question",
    ),
    P(
        "Here's the recording from Tuesday's leadership huddle for those who missed it. Which of the three "
        "options should we take to governors? Reply here or in the staffroom. https://youtu.be/Hd5Kj8Ls2Qw",
        "video question",
    ),
    P(
        "Did a flipped version of our SEND briefing: 3 short videos, then the meeting was all questions. "
        "Curious how others handle the staff who don't watch? https://www.youtube.com/watch?v=Sn2Dx4Bf6Hj",
        "video question",
    ),
    # --- tools, without videos ---------------------------------------------------------------------------
    P(
        "Put all our flipped staff meeting resources into one Padlet so new starters can find them: "
        "https://padlet.com/oakfieldslt/flipped-meetings-2025 #fliplead",
        "tool",
    ),
    P(
        "Pre-meeting questions for Thursday, 2 mins please: https://forms.gle/7Yk2NpQ9rLm3Xv8a6 "
        "Your answers shape the agenda. #fliplead",
        "tool",
        note="a Google Forms link",
    ),
    P(
        "Parent survey on the flipped info evenings is open until Friday "
        "https://docs.google.com/forms/d/e/1FAIpQLSe8xYz3AbC/viewform?usp=sf_link #fliplead",
        "tool",
    ),
    P(
        "The agenda doc we use for every flipped meeting, copy it and make it yours: "
        "https://docs.google.com/document/d/1qW2eR3tY4uI5oP6aS7dF8gH9jK0lZ/edit?usp=sharing #fliplead",
        "tool",
    ),
    P(
        "We moved our weekly staff bulletin from email to a Sway and the open rate is through the roof. "
        "Headlines, one video, one ask. #fliplead",
        "tool",
    ),
    P(
        "Collected every flipped leadership resource I could find into a Wakelet: videos, templates, "
        "research. https://wakelet.com/wake/Qx9Lm2Vb7Nc3Kd8Hj4Fp #fliplead",
        "tool",
    ),
    P(
        "Nearpod has been brilliant for the interactive bit of our CPD sessions. Staff answer the polls "
        "on their phones and I can see who's lost. #fliplead #CPD",
        "tool",
    ),
    P(
        "Canva template for the one-page 'watch, think, bring' sheet that goes with each staff video "
        "https://www.canva.com/design/DAF9xYz12Ab/view #fliplead",
        "tool",
    ),
    P(
        "Our parents now get the weekly video via Remind instead of the newsletter PDF. Read receipts "
        "went from 30% to 80%. #fliplead",
        "tool",
        note="capitalised Remind mid-sentence, with 'via'",
    ),
    P(
        "Set up OBS with a second camera on the visualiser so I can narrate over student work for the "
        "moderation videos. Fiddly for an afternoon, lovely ever since. #fliplead",
        "tool",
    ),
    P(
        "Seesaw is doing the heavy lifting for our EYFS parent videos this year: short clips, straight to "
        "families, and they can reply with their own. #fliplead #EYFS",
        "tool",
    ),
    P(
        "Pinned in our Teams channel: the three videos every new TA watches in their first week. "
        "#fliplead #induction",
        "tool",
    ),
    P(
        "Google Slides with speaker notes turned into a voice-over is still my fastest route from idea to "
        "flipped briefing. No new software for anyone. #fliplead",
        "tool",
    ),
    P(
        "Mentimeter at the start of the meeting to check who watched and what they took from it. "
        "Takes 3 minutes and saves 20. https://www.menti.com/al9k2x8h3f #fliplead",
        "tool",
    ),
    P(
        "Our curriculum intent, as a Genially people can click through at their own pace: "
        "https://view.genial.ly/64ab12cd34ef56/interactive-content-curriculum-map",
        "tool",
    ),
    P(
        "Trust-wide Microsoft Forms quiz after each flipped CPD video. Results feed straight into the "
        "PD log. #fliplead",
        "tool",
    ),
    P(
        "Using Book Creator for our governors' annual report this year: text, short clips and photos in "
        "one place. https://read.bookcreator.com/abc123XYZ/DEF456uvw #fliplead",
        "tool",
    ),
    P(
        "Kahoot at the end of INSET to see what stuck from the pre-watch videos. Competitive "
        "maths department won, obviously. #fliplead",
        "tool",
    ),
    P(
        "ChatGPT drafted the script, I rewrote 80% of it, but the first draft saved me an hour. "
        "Then recorded it on my phone in one take. #fliplead",
        "tool",
    ),
    P(
        "Thanks to @padlet for sorting out the school licence so quickly 🙏 #fliplead",
        "tool",
        note="mentions the tool's account",
    ),
    # --- questions without video -------------------------------------------------------------------------
    P(
        "Anyone tried Screencastify for parent newsletters? Thinking of ditching the PDF completely.",
        "question tool",
    ),
    P(
        "Looking for examples of flipped governors' meetings. What do you send ahead, and how long are "
        "the videos? #fliplead #governance",
        "question",
    ),
    P(
        "New head here (3 weeks in!). Tips welcome on starting flipped staff meetings without it feeling "
        "like extra homework for staff #fliplead",
        "question",
    ),
    P(
        "Which is better for short staff videos: Loom or Screencastify? Our IT team will only support one.",
        "question tool",
    ),
    P(
        "How long should a flipped briefing video be? I keep landing around 8 minutes and I suspect "
        "that's too long. #fliplead",
        "question",
    ),
    P(
        "Is there a good way to check who's watched a video without it feeling like surveillance? "
        "#fliplead #trust",
        "question",
    ),
    P(
        "Would love to hear from anyone who flipped their parents' evenings, especially in a school with "
        "lots of EAL families. Subtitles? Translated versions? #fliplead #EAL",
        "question",
    ),
    P(
        "Quick question for secondary heads: do you flip SLT meetings too, or just whole-staff ones?",
        "question",
    ),
    P(
        "Genuine question: what do you do with the time you save? We flipped briefings and the meeting "
        "time just filled up with other things. #fliplead",
        "question",
    ),
    P(
        "Any recommendations for a decent cheap microphone for recording staff videos in a noisy office? "
        "#fliplead",
        "question",
    ),
    P(
        "We're about to try flipped meetings with our governors. Has anyone got a template for the "
        "'questions to think about while watching' sheet?",
        "question",
    ),
    P(
        "Struggling to get middle leaders to make their own videos. They watch mine happily but won't "
        "record. Ideas? #fliplead",
        "question",
    ),
    P(
        "What's the best free screen recorder that works on locked-down school laptops?",
        "question",
    ),
    P(
        "Do your staff watch the videos in directed time or their own time? Feels like an important "
        "workload question that nobody talks about #fliplead #workload",
        "question",
    ),
    P(
        "Help! Our Padlet of flipped CPD resources has got completely out of hand. How do you organise "
        "yours? https://padlet.com/greenbank/cpd",
        "question tool",
    ),
    P(
        "Where do you host staff videos so they're private but easy to open on a phone?",
        "question",
    ),
    P(
        "Poll for school leaders: how long is your typical flipped staff briefing video?",
        "question",
        poll=["Under 3 minutes", "3-6 minutes", "6-10 minutes", "Longer, I'm sorry"],
    ),
    P(
        "Which tool do you use most for flipped leadership videos?",
        "question tool",
        poll=["Loom", "Screencastify", "Phone camera", "Something else"],
        note="poll options name tools",
    ),
    P(
        "Trying to decide between recording on my phone or the laptop webcam. Thoughts from people who've "
        "done a lot of these?",
        "question",
    ),
    P(
        "Keen to hear how trusts handle this: central flipped CPD videos for all schools, or each head "
        "makes their own?",
        "question",
    ),
    P(
        "I'd appreciate any pointers on captioning staff videos quickly. Auto captions mangle every "
        "child's name. #fliplead #accessibility",
        "question",
    ),
    P(
        "Can anyone recommend a book on running meetings well? Not flipped specifically, just the basics "
        "I never got taught.",
        "question",
    ),
    P(
        "Should I share the flipped SLT videos with the whole staff or is that a step too far on "
        "transparency? Torn. #fliplead",
        "question",
    ),
    # --- no label: thanks, quotes, reflections, articles, photos, plans ----------------------------------
    P(
        "Huge thanks to everyone who came to the #fliplead meetup in Leeds on Saturday. Brilliant "
        "conversations and far too many biscuits.",
        "",
    ),
    P(
        '"The meeting is for the conversation, not the information." Still the best line I\'ve heard about '
        "flipped leadership. #fliplead",
        "",
    ),
    P(
        "Good read on why information-heavy staff meetings drain trust, and what to do instead: "
        "https://schoolsweek.co.uk/staff-meetings-information-overload-opinion/ #fliplead",
        "",
        card=card(
            "https://schoolsweek.co.uk/staff-meetings-information-overload-opinion/",
            "link",
            "Opinion: Our staff meetings are drowning in information",
            "Schools Week",
        ),
    ),
    P(
        "I'm going to record a video for staff next week explaining the new marking policy. Nervous, "
        "I hate hearing my own voice. #fliplead",
        "",
        note="planning a video is not sharing one",
    ),
    P(
        "Deadlines loom large this half term, so we're cancelling the Wednesday meeting and giving the "
        "time back. #wellbeing",
        "",
        note="'loom' as an ordinary word",
    ),
    P(
        "Reminder to self: flip the meeting, don't just move the slides into a video. The point is what "
        "happens in the room. #fliplead",
        "",
        note="'flip' as a verb",
    ),
    P(
        "Remind staff that the pre-reading is optional this week, the focus is wellbeing. #fliplead",
        "",
        note="'remind' as a verb",
    ),
    P(
        "Our middle leaders work in teams of three to plan each flipped session. Best structural change "
        "we made this year.",
        "",
        note="'teams' as an ordinary word",
    ),
    P(
        "Blank canvas for next year's CPD plan. Starting from what staff said they actually need. #fliplead",
        "",
        note="'canvas' as an ordinary word",
    ),
    P(
        "Mountains of forms to fill in for the trip, as always. Admin team are heroes.",
        "",
        note="'forms' in general",
    ),
    P(
        "Photo from today's flipped INSET: staff in the hall discussing the video they watched at home, "
        "no slides in sight 🙌 #fliplead",
        "",
        media=[("image", "Teachers sitting in small groups around tables in a school hall, talking")],
    ),
    P(
        "Three years of flipped staff meetings and the biggest change isn't time saved. It's that people "
        "arrive having already thought. #fliplead",
        "",
    ),
    P(
        "Ofsted next week. Wish us luck 🤞",
        "",
    ),
    P(
        "#fliplead #edleadership #SLTchat",
        "",
        note="hashtags only",
    ),
    P(
        "Presenting on flipped leadership at the regional heads' conference on 14 March. Come and say "
        "hello if you're there! #fliplead",
        "",
    ),
    P(
        "Our blog post on a year of flipped parent communication: "
        "https://oakfieldprimary.org.uk/blog/2025/flipped-parent-comms "
        "#fliplead",
        "",
        card=card(
            "https://oakfieldprimary.org.uk/blog/2025/flipped-parent-comms",
            "link",
            "A year of flipped parent communication",
            "Oakfield Primary",
        ),
    ),
    P(
        "Subscribe to our channel for all the flipped governor updates: "
        "https://www.youtube.com/@GreenbankAcademy "
        "#fliplead",
        "",
        note="a channel page is not a video",
    ),
    P(
        "Listening back to last term's leadership podcast episode on flipped CPD.",
        "",
        media=[("audio", None)],
        note="audio is not video",
    ),
    P(
        "Me after recording the same 2 minute intro nine times",
        "",
        media=[("gifv", "Cartoon character collapsing onto a sofa")],
        note="an animated GIF is a reaction, not a video",
    ),
    P(
        "Lovely to see @mrs_patel@mastodon.education's flipped maths CPD get a mention in the TES today. "
        "Well deserved.",
        "",
    ),
    P(
        "The time we save with flipped briefings goes on coaching conversations. That was the deal with "
        "staff and we've kept it. #fliplead #coaching",
        "",
    ),
    P(
        "Isn't it lovely when a plan actually works? Staff meeting done in 25 minutes. #fliplead",
        "",
        note="rhetorical",
    ),
    P(
        "Still thinking about yesterday's session. The best questions came from the staff who disagreed "
        "with the video.",
        "",
    ),
    P(
        "Half term. Laptop closed. See you all in a week.",
        "",
    ),
    P(
        "Our SLT retreat agenda, flipped: everyone reads the data pack before, we spend the day on "
        "decisions. Will report back. #fliplead",
        "",
    ),
    P(
        "Recommended reading for anyone starting out: 'The Culture Code' and 'Time to Think'. Both changed "
        "how I run meetings.",
        "",
        note="gives recommendations, does not ask for them",
    ),
    P(
        "Spent the morning filming short clips of each department for the open evening. Editing tomorrow.",
        "",
        note="making videos, not sharing one",
    ),
    P(
        "Heads up: the flipped CPD pilot got a write-up in the trust newsletter. Proud of the team who "
        "ran it.",
        "",
        media=[("image", "Newsletter page with the headline 'Flipping CPD: what we learned'")],
    ),
    P(
        "What a week. Tired but happy.",
        "",
    ),
    P(
        "Every meeting should earn its place in the calendar. If it's information, send it. If it's "
        "thinking, meet. #fliplead",
        "",
    ),
    P(
        "Boosting for reach: our local authority is running free training on flipped parent "
        "communication in November. Details from your school office.",
        "",
    ),
    P(
        "Anyone can make a video. Making one that respects people's time is the hard part. #fliplead",
        "",
        note="'anyone' in a statement",
    ),
    P(
        "Sad to say goodbye to our deputy head today, who started our whole flipped meetings journey. "
        "Thank you, Claire 💐",
        "",
    ),
    P(
        "Spring term CPD calendar is out. Four flipped sessions, two in-person only. Balance feels right.",
        "",
        media=[("image", "A calendar grid with CPD sessions colour-coded by type")],
    ),
    P(
        "Our governors' pack used to be 90 pages. This term it's 12 pages and a conversation. Small "
        "victories.",
        "",
    ),
    # --- español -----------------------------------------------------------------------------------------
    P(
        "¿Alguien ha usado Flip con las familias de infantil? Queremos que los peques expliquen sus "
        "proyectos en casa. #fliplead #infantil",
        "question tool",
        lang="es",
    ),
    P(
        "Nuestro claustro de esta semana, en formato vídeo de 7 minutos. El jueves solo debatimos. "
        "https://youtu.be/Es7Clx2Tr9Q #fliplead #direccionescolar",
        "video",
        lang="es",
    ),
    P(
        "Busco ejemplos de reuniones de equipo directivo en formato invertido. ¿Cuánto duran vuestros "
        "vídeos? #fliplead",
        "question",
        lang="es",
    ),
    P(
        "Grabamos la bienvenida a las familias nuevas con Screencastify y la compartimos por la web del "
        "centro. Muy contentos con el resultado. #fliplead",
        "tool",
        lang="es",
    ),
    P(
        "¿Te has preguntado cómo sería una reunión de padres sin diapositivas? Aquí tienes la nuestra: "
        "https://www.youtube.com/watch?v=Fm4Ps8Qr2Lt #fliplead",
        "video",
        lang="es",
        note="pregunta retórica",
    ),
    P(
        "Gracias a todo el claustro por el esfuerzo de este trimestre. Sin vosotros nada de esto sería "
        "posible. 💙",
        "",
        lang="es",
    ),
    P(
        "Hemos creado un Padlet con todos los recursos de formación invertida para el profesorado: "
        "https://padlet.com/ceipsolymar/formacion-invertida",
        "tool",
        lang="es",
    ),
    P(
        "Se agradecen ideas para que el profesorado vea los vídeos antes del claustro sin que parezca "
        "una carga más. #fliplead #bienestardocente",
        "question",
        lang="es",
    ),
    P(
        "Mañana grabo el vídeo para las familias sobre el nuevo horario. A ver qué tal sale.",
        "",
        lang="es",
        note="planea un vídeo, no lo comparte",
    ),
    P(
        "Vídeo para las familias de 1º de ESO sobre cómo usar la agenda digital, hecho con Loom en 10 "
        "minutos: https://www.loom.com/share/b1c2d3e4f5a6478990abcdef12345678",
        "video tool",
        lang="es",
    ),
    P(
        "¿Qué herramienta usáis para grabar la pantalla en los portátiles del centro? Con Chromebooks, "
        "a ser posible.",
        "question",
        lang="es",
    ),
    P(
        "Encuesta rápida para el claustro antes de la reunión del martes: https://forms.gle/Qp8Rz2Mx5Lk7Nb3c9",
        "tool",
        lang="es",
    ),
    P(
        "La mejor reunión es la que no necesita diapositivas. Reflexión de viernes. #fliplead",
        "",
        lang="es",
    ),
    P(
        "¿Grabáis los vídeos para familias con subtítulos en varios idiomas? En nuestro cole hay 14 "
        "lenguas maternas y no sé por dónde empezar.",
        "question",
        lang="es",
    ),
    P(
        "Compartimos el vídeo de la jornada de puertas abiertas, hecho por el alumnado de 4º de ESO 🎥",
        "video",
        lang="es",
        media=[("video", "Alumnos enseñan el laboratorio y la biblioteca del instituto")],
    ),
    P(
        "Nuestro proyecto de dirección invertida, explicado en el blog del centro: "
        "https://iesvalledelsol.es/blog/direccion-invertida-un-curso-despues",
        "",
        lang="es",
        card=card(
            "https://iesvalledelsol.es/blog/direccion-invertida-un-curso-despues",
            "link",
            "Dirección invertida: un curso después",
            "IES Valle del Sol",
        ),
    ),
    P(
        "¿Cuál es la duración ideal de un vídeo para el claustro? Nosotros vamos por 5 minutos y aun así "
        "cuesta.",
        "question",
        lang="es",
    ),
    P(
        "Hoy el equipo directivo ha preparado la evaluación del primer trimestre con un Genially "
        "interactivo para las familias. Quedó precioso.",
        "tool",
        lang="es",
    ),
    P(
        "¿Sabías que el 70% de nuestras familias vio el vídeo de la reunión de inicio de curso? La "
        "reunión presencial tuvo 40 asistentes. 📊",
        "",
        lang="es",
        note="pregunta retórica sin vídeo",
    ),
    P(
        "Acepto sugerencias de micrófonos baratos para grabar en el despacho, que tiene un eco horrible.",
        "question",
        lang="es",
    ),
    P(
        "Encuesta: ¿cuándo preferís que se envíen los vídeos del claustro?",
        "question",
        lang="es",
        poll=["El viernes", "El lunes", "El día antes"],
    ),
    P(
        "Ha costado, pero por fin todo el equipo de ciclo graba sus propios vídeos. Orgullosa de ellas.",
        "",
        lang="es",
    ),
    # --- français ----------------------------------------------------------------------------------------
    P(
        "Quelqu'un a déjà testé les conseils des maîtres en format inversé ? Je cherche des retours "
        "d'expérience avant de me lancer. #fliplead",
        "question",
        lang="fr",
    ),
    P(
        "Notre réunion de rentrée en 8 minutes de vidéo, pour que le temps ensemble serve à décider : "
        "https://youtu.be/Fr8Rnt2Qx5Z #fliplead #directiondecole",
        "video",
        lang="fr",
    ),
    P(
        "Des idées pour rendre les vidéos de l'équipe de direction plus courtes ? On dépasse toujours "
        "les 10 minutes.",
        "question",
        lang="fr",
    ),
    P(
        "Vidéo de présentation du nouveau règlement intérieur, réalisée avec Screencastify : "
        "https://watch.screencastify.com/v/Fp2Lm8Qx3Zr7Kd #fliplead",
        "video tool",
        lang="fr",
    ),
    P(
        "Merci à toute l'équipe pour cette belle année. On a appris ensemble, et ça se voit.",
        "",
        lang="fr",
    ),
    P(
        "Vous vous demandez à quoi ressemble un conseil pédagogique inversé ? Voici le nôtre : "
        "https://vimeo.com/934567812 #fliplead",
        "video",
        lang="fr",
        note="question rhétorique",
    ),
    P(
        "Toutes les ressources de notre formation inversée sont sur un Padlet : "
        "https://padlet.com/ecolejeanmoulin/formation #fliplead",
        "tool",
        lang="fr",
    ),
    P(
        "Je vais enregistrer une vidéo pour les parents la semaine prochaine sur l'orientation en 3e.",
        "",
        lang="fr",
        note="projet de vidéo, pas de partage",
    ),
    P(
        "Vous utilisez quoi pour sous-titrer les vidéos destinées aux familles allophones ?",
        "question",
        lang="fr",
    ),
    P(
        "Questionnaire avant la réunion de jeudi, 2 minutes : https://forms.office.com/r/Kx7Lm2Pq9R",
        "tool",
        lang="fr",
        note="lien Microsoft Forms",
    ),
    P(
        "Photo de notre salle des profs réaménagée pour les discussions après visionnage 📸",
        "",
        lang="fr",
        media=[("image", "Salle des professeurs avec des tables en îlots et un écran")],
    ),
    P(
        "Je suis preneuse de vos conseils pour filmer dans un bureau très sombre. Lampe ? Fenêtre ?",
        "question",
        lang="fr",
    ),
    P(
        "Très bel article sur le leadership inversé dans les écoles québécoises : "
        "https://www.ledevoir.com/societe/education/ecoles-reunions-inversees",
        "",
        lang="fr",
        card=card(
            "https://www.ledevoir.com/societe/education/ecoles-reunions-inversees",
            "link",
            "Ces écoles qui inversent leurs réunions",
            "Le Devoir",
        ),
    ),
    P(
        "Les enseignants de CP ont enregistré des capsules sur la lecture pour les familles avec Flip. "
        "Les parents répondent en vidéo, c'est magique.",
        "tool",
        lang="fr",
    ),
    P(
        "Et si on arrêtait de lire les diapositives en réunion ? Juste une idée de vendredi soir. #fliplead",
        "",
        lang="fr",
        note="question rhétorique",
    ),
    P(
        "Combien de temps vos vidéos de direction durent-elles en moyenne ?",
        "question",
        lang="fr",
        poll=["Moins de 3 min", "3 à 6 min", "Plus de 6 min"],
    ),
    P(
        "La capsule pour les parents de maternelle est en ligne 🎬",
        "video",
        lang="fr",
        media=[("video", "La directrice présente la classe de petite section")],
    ),
    P(
        "Comment faites-vous pour que les collègues regardent la vidéo avant le conseil des maîtres ?",
        "question",
        lang="fr",
    ),
    P(
        "Sondage Wooclap ce matin en conseil pédagogique : 80 % des collègues avaient vu la vidéo. On "
        "progresse !",
        "tool",
        lang="fr",
    ),
    P(
        "Nouveau tutoriel pour les familles : comment accéder à l'ENT et au cahier de textes. "
        "https://youtu.be/Ent4Fam2Tq8",
        "video",
        lang="fr",
    ),
    P(
        "Une réunion, c'est pour réfléchir ensemble. L'information, ça peut s'envoyer. #fliplead",
        "",
        lang="fr",
    ),
    # --- Deutsch, português ------------------------------------------------------------------------------
    P(
        "Hat jemand Erfahrung mit umgedrehten Gesamtkonferenzen? Wir wollen im Januar starten. #fliplead",
        "question",
        lang="de",
    ),
    P(
        "Unser Elternabend zur Oberstufe als Video, 9 Minuten: https://www.youtube.com/watch?v=De9Ob3St7Lk "
        "#fliplead",
        "video",
        lang="de",
    ),
    P(
        "Die Teams der Jahrgangsstufen planen die Fortbildung jetzt selbst. Großartige Entwicklung.",
        "",
        lang="de",
        note="German nouns are capitalised: Teams here is groups of people",
    ),
    P(
        "Alguém já usou o Loom para reuniões com as famílias? Queremos testar no próximo bimestre.",
        "question tool",
        lang="pt",
    ),
    P(
        "O vídeo de boas-vindas para os novos professores ficou pronto! https://youtu.be/Pt5Bv2Nx8Kq "
        "#fliplead",
        "video",
        lang="pt",
    ),
    # --- replies, mentions, content warnings -------------------------------------------------------------
    P(
        "@jo_hartley@mastodon.education This is brilliant. How long did it take you to record and edit?",
        "question",
        reply=True,
    ),
    P(
        "@samirk Thank you! We used Loom for the recording and then just dropped the link in the bulletin.",
        "tool",
        reply=True,
    ),
    P(
        "@sarah_ht@mastodonapp.uk agreed, the conversation afterwards is the whole point",
        "",
        reply=True,
    ),
    P(
        "@deputy_dan did you use the webcam or your phone for this one? The sound is so much better than "
        "mine.",
        "question",
        reply=True,
    ),
    P(
        "@ms_rivera Here you go, the version with captions: https://youtu.be/Cp2Tn8Vq4Lx",
        "video",
        reply=True,
    ),
    P(
        "Staffing, restructure, and how we used short videos to explain it all. Long thread 🧵\n\n"
        "1/ We had to tell 60 staff about a restructure without rumour running ahead of us. So the "
        "first thing everyone saw was a 4 minute video from me: https://vimeo.com/945612378",
        "video",
        cw="Staffing restructure, long",
    ),
    P(
        "Not sure how to phrase this. How do other heads handle staff who refuse to watch anything outside "
        "meetings, on principle? I respect the position but it's making the meeting harder.",
        "question",
        cw="Staff relations, asking for advice",
    ),
    P(
        "Spoilers for our Christmas staff video below. Yes, the deputy head is dressed as a reindeer. "
        "https://youtu.be/Xm4sRd8Nb2Q",
        "video",
        cw="Christmas video spoilers",
    ),
    P(
        "@amira_lead@scholar.social @tomwhitehead@mastodon.ie you might like this, very close to what you "
        "were describing at the conference.",
        "",
        reply=True,
    ),
    P(
        "@kbright Ha, yes. Padlet saved us that year too.",
        "tool",
        reply=True,
    ),
    # --- ambiguous tool words, in context ----------------------------------------------------------------
    P(
        "Recorded the parent guide in Loom on Sunday night. Four takes. The fourth one had the cat in it "
        "and that's the one I sent. #fliplead",
        "tool",
    ),
    P(
        "The new assessment system looms over everything this term, and I'm not sure a video will fix it.",
        "",
    ),
    P(
        "Flip the meeting, not the workload. If staff spend longer watching than they would have sitting "
        "in the meeting, we've failed.",
        "",
    ),
    P(
        "We used Flip for student voice this year: each class recorded a 1 minute response to the new "
        "homework policy. Eye-opening. #studentvoice #fliplead",
        "tool",
    ),
    P(
        "Just a gentle nudge to remind everyone that the survey closes Friday.",
        "",
    ),
    P(
        "Parents get a Remind message with the video link every Sunday evening. Simple, and it works.",
        "tool",
    ),
    P(
        "We put the whole CPD programme into a Canvas course so staff can work through the videos at "
        "their own pace.",
        "tool",
    ),
    P(
        "Made the poster in Canva, the video in Clips, and the whole thing took less time than the "
        "meeting it replaced. #fliplead",
        "tool",
    ),
    P(
        "Meet the Teacher evening tomorrow. Short welcome from me, then parents go to classrooms.",
        "",
        note="'Meet the Teacher' is an event, not Google Meet",
    ),
    P(
        "Our staff briefing happens on Google Meet on Mondays now, with the video sent the Friday before.",
        "tool",
    ),
    P(
        "Forms are the worst part of the job. So many forms.",
        "",
    ),
    P(
        "Lesson obs feedback this term will be a short voice note rather than a written form. Staff asked "
        "for it, so we're trying it.",
        "",
        note="'obs' as observations",
    ),
    P(
        "Finally got OBS Studio working with the school's webcam. Scene switching between me and slides "
        "is a game changer for staff videos.",
        "tool",
    ),
    P(
        "Our Senior Leadership Teams across the trust now share one flipped CPD library.",
        "",
    ),
    P(
        "Reflecting on a keynote by @mary_myatt@mastodon.social on curriculum leadership. So much to think "
        "about.",
        "",
    ),
    P(
        "Our leadership team runs every briefing through Microsoft Teams now, with the pre-watch video "
        "posted in the channel on Thursday.",
        "tool",
    ),
    P(
        "Explain everything you can in the video, and save the meeting for what needs discussing.",
        "",
    ),
    P(
        "Students used Explain Everything on the iPads to make revision videos for each other. Our "
        "leadership team borrowed the idea for staff.",
        "tool",
    ),
    # --- links with ? and # inside -----------------------------------------------------------------------
    P(
        "Part 2 of the safeguarding update starts at 3:10: https://www.youtube.com/watch?v=Sg3Up9Dt2Rk&list=PLsafe2025&index=2#t=190",
        "video",
        note="the ? and # are inside the URL",
    ),
    P(
        "Slides from today, see slide 14 onwards: https://docs.google.com/presentation/d/1aB2cD3eF4gH5iJ6kL7mN8/edit?usp=sharing#slide=id.p14",
        "tool",
    ),
    P(
        "Term dates and the parents' video library are on the website: https://www.stmarksprimary.org.uk/parents?tab=videos#library",
        "",
        note="a website page, not a video",
    ),
    P(
        "Registration for the spring #fliplead meetup: https://www.eventbrite.co.uk/e/fliplead-spring-meetup-tickets-812345678901?aff=mastodon",
        "",
    ),
    # --- video about a tool, tool tutorial, mixed --------------------------------------------------------
    P(
        "Made a 3 minute tutorial for staff on setting up their first Padlet wall, because the official "
        "ones are 20 minutes long: https://youtu.be/Pd3Lt9Wl2Xz #fliplead",
        "video tool",
    ),
    P(
        "This video on using Google Forms for pre-meeting questions is the clearest I've seen: "
        "https://www.youtube.com/watch?v=Gf7Pm2Qs4Nx #fliplead",
        "video tool",
    ),
    P(
        "Tutorial: how I record a flipped briefing in 15 minutes with just a phone and a lamp. No apps "
        "needed. https://youtu.be/Ph0nE15mQwz",
        "video",
    ),
    P(
        "Anyone know if Touchcast still has a free tier for schools? Their site is confusing.",
        "question tool",
    ),
    P(
        "Our trust's Touchcast studio is booked solid for end-of-term messages 😂 #fliplead",
        "tool",
    ),
    P(
        "Used WeVideo to put together the Year 11 leavers' message from all the staff. Here it is: "
        "https://www.wevideo.com/view/3012345678 #fliplead",
        "video tool",
    ),
    P(
        "Clipchamp came free with our Microsoft licence and honestly it's all I need for trimming staff "
        "videos.",
        "tool",
    ),
    P(
        "We stopped sending slides. We send a 5 minute video and a single question. Meetings are now "
        "conversations. #fliplead",
        "",
    ),
    P(
        "What did we learn from a year of flipped staff meetings? Mostly that shorter is always better. "
        "Our full write-up is in the blog. #fliplead",
        "",
        note="self-answered question",
    ),
    P(
        "The result? Staff meetings down from 60 to 25 minutes, and nobody misses the slides. #fliplead",
        "",
        note="teaser question answered at once",
    ),
    P(
        "Is it Friday yet?! Long week of parents' evenings.",
        "",
    ),
    P(
        'She asked me "how do you find the time to make these?" and honestly, I make the time by not '
        "holding the meeting.",
        "",
        note="a reported question",
    ),
    P(
        "Watch the video, come with a question, leave with a decision. That's the whole model. #fliplead",
        "",
    ),
    P(
        "Our digital leaders (Year 5!) have been teaching staff how to use Seesaw for video feedback. "
        "Role reversal at its best. #fliplead",
        "tool",
    ),
    P(
        "Is anyone else finding that parents watch the videos far more than they ever read letters?",
        "question",
    ),
    P(
        "How many of you share your flipped briefings with governors as well?",
        "question",
    ),
    P(
        "Let me know if you'd like a copy of the template and I'll send it over.",
        "",
        note="an offer, not a request",
    ),
    P(
        "Wondering if anyone has a good script structure for a headteacher's termly video to parents. "
        "Mine ramble.",
        "question",
    ),
    P(
        "Three things every flipped briefing video needs: a clear purpose, one ask, and a time limit. "
        "That's it. #fliplead",
        "",
    ),
    P(
        "Thinking about making our first parent video for the nativity arrangements. How do I keep it "
        "under 3 minutes when there's so much to say?",
        "question",
    ),
    # --- a second pass, in other voices: harder phrasings ------------------------------------------------
    P(
        "Loom is my go-to for quick staff updates. Two clicks, done, link in the bulletin.",
        "tool",
        note="ambiguous name at the start of a sentence, as a subject",
    ),
    P(
        "Flip your staff meeting: send the info as a video, use the time for talk. That's the whole trick.",
        "",
    ),
    P(
        "Canvas is where all our staff CPD lives now, videos included. Took a term to set up properly.",
        "tool",
    ),
    P(
        "Our parent video library is finally organised! https://www.greenbankprimary.org.uk/parents/videos",
        "",
        card=card(
            "https://www.greenbankprimary.org.uk/parents/videos",
            "link",
            "Videos for parents",
            "Greenbank Primary",
        ),
        note="a page listing videos; the card says it is a page",
    ),
    P(
        "The school's welcome video, hosted on our own site:",
        "video",
        card=card(
            "https://www.northfieldhigh.org.uk/welcome",
            "video",
            "Welcome to Northfield High",
            "Northfield High School",
        ),
        note="card type video on an unknown host",
    ),
    P(
        "Podcast episode 12 is out: flipped leadership with two heads from Wales 🎧 "
        "https://soundcloud.com/leadingschools/episode-12-flipped",
        "",
        card=card(
            "https://soundcloud.com/leadingschools/episode-12-flipped",
            "video",
            "Episode 12: Flipped leadership in Wales",
            "SoundCloud",
        ),
        note="SoundCloud sends 'video' cards for audio",
    ),
    P(
        "What's the point of a staff meeting if it's just someone reading emails aloud? Rant over.",
        "",
    ),
    P(
        "Who's flipping their parents' evening this year? Would love to compare notes.",
        "question",
    ),
    P(
        "Advice please: our trust wants every head to record a termly video. Some of mine are mortified. "
        "How did you ease people in?",
        "question",
    ),
    P(
        "I'd be really grateful for examples of flipped SEND reviews with parents #fliplead #SEND",
        "question",
    ),
    P(
        "Drop your favourite screen recorder in the replies, I'm building a list for our new middle "
        "leaders 👇",
        "question",
    ),
    P(
        "Zoom fatigue is real, but a 4 minute video isn't Zoom. Different beast entirely.",
        "tool",
        note="names Zoom as the product",
    ),
    P(
        "Spent INSET teaching staff how to zoom in on student work under the visualiser. Small thing, big "
        "difference.",
        "",
    ),
    P(
        "Do we really need a meeting for this? Usually no. A short video and a form does the job.",
        "",
        note="rhetorical, answered",
    ),
    P(
        "Our exams officer explains the new access arrangements in 5 mins. Please share with your "
        "departments. https://youtu.be/ExAm5oF1cR2",
        "video",
    ),
    P(
        "Gentle reminder: governors' pre-watch is on the portal, meeting Weds 6pm.",
        "",
    ),
    P(
        "@eyfs_leader@mastodon.ie lovely! Which app did the children use to record these?",
        "question",
        reply=True,
    ),
    P(
        "Brilliant session from @coachmarcus@hachyderm.io on video coaching. My notes are in this "
        "Google Doc if useful: https://docs.google.com/document/d/1NoTeS2VcOaCh3iNg/edit",
        "tool",
    ),
    P(
        "Screencastify vs Loom vs just using the phone camera, after a year of all three: I've written it "
        "up here https://leadingflipped.blog/2025/10/recorders-compared",
        "tool",
        card=card(
            "https://leadingflipped.blog/2025/10/recorders-compared",
            "link",
            "Screen recorders for school leaders, compared",
        ),
    ),
    P(
        "Our head of PE filmed the sports day briefing on a GoPro strapped to his chest. Motion sickness "
        "guaranteed. https://youtu.be/Sp0rTsDay25",
        "video",
    ),
    P(
        "We asked parents what they thought of the video newsletters. The verdict? 87% want them to "
        "continue.",
        "",
    ),
    P(
        "Can you tell I've been recording staff videos all day? My voice is gone 😂",
        "",
        note="rhetorical 'can you tell'",
    ),
    P(
        "Our new staff wellbeing charter, talked through by the wellbeing team (captions on): "
        "https://vimeo.com/channels/greenbankstaff/963214587",
        "video",
    ),
    P(
        "Shoutout to our site team for building a mini recording booth in the old stock cupboard. Acoustic "
        "foam and a ring light. Legends.",
        "",
        media=[("image", "A small room with grey foam panels, a desk, a microphone and a ring light")],
    ),
    P(
        "Remind parents, remind staff, remind governors. Half my job is reminding. The other half is videos.",
        "",
    ),
    P(
        "Sondeo rápido para directores: ¿grabáis vosotros los vídeos o lo delegáis en el equipo?",
        "question",
        lang="es",
        poll=["Los grabo yo", "Lo delego", "Depende"],
    ),
    P(
        "Por fin hemos terminado el vídeo de acogida para el profesorado nuevo. ¡Gracias, equipo! "
        "https://vimeo.com/978123456",
        "video",
        lang="es",
    ),
    P(
        "Ningún claustro debería durar más de una hora. Si es información, que sea un vídeo o un correo.",
        "",
        lang="es",
    ),
    P(
        "Utilizamos Google Classroom para compartir los vídeos del claustro y las actas. Todo en un sitio.",
        "tool",
        lang="es",
    ),
    P(
        "Bonjour à tous ! Des retours sur Pronote pour envoyer des vidéos aux familles ? La taille des "
        "fichiers nous bloque.",
        "question tool",
        lang="fr",
    ),
    P(
        "Voici la capsule de rentrée pour les parents de CP, tournée dans la cour ce matin : "
        "https://www.youtube.com/watch?v=Cp1Rntr3e25",
        "video",
        lang="fr",
    ),
    P(
        "Grosse fatigue ce soir, mais fière de l'équipe. Trois capsules enregistrées, zéro réunion inutile.",
        "",
        lang="fr",
    ),
    P(
        "Notre conseil pédagogique a adopté le format inversé. Prochaine étape : le conseil d'école.",
        "",
        lang="fr",
        note="'conseil' is a council here",
    ),
    P(
        "Sur quelle plateforme hébergez-vous les vidéos de l'école ? Nous hésitons entre Peertube et l'ENT.",
        "question",
        lang="fr",
    ),
    P(
        "Wir haben unsere Lehrerkonferenz umgedreht: Infos vorab per Video, in der Sitzung nur Diskussion. "
        "Sehr zu empfehlen!",
        "",
        lang="de",
    ),
    P(
        "Gravamos a reunião de pais em vídeo e compartilhamos no Google Drive. Funcionou muito bem!",
        "tool",
        lang="pt",
    ),
    # --- third pass: posts in the style of other contributors --------------------------------------------
    P(
        "My Screencastify recording from this morning's briefing, for anyone who was on duty: "
        "https://drive.google.com/file/d/1ScRnCaStIfY2025bRiEf/view?usp=drive_link",
        "tool video",
        card=card(
            "https://drive.google.com/file/d/1ScRnCaStIfY2025bRiEf/view?usp=drive_link",
            "video",
            "Briefing 14 Nov - Screencastify",
            "Google Drive",
        ),
        note="Screencastify saves to Drive; the card says video",
    ),
    P(
        "Our new playground has a seesaw and the Reception children have not stopped talking about it.",
        "",
        note="a playground seesaw",
    ),
    P(
        "Finally giving Google Vids a go for the governors' update. Early days but it's impressively quick.",
        "tool",
    ),
    P(
        "We send every class video to parents through the WhatsApp group. Not fancy, but they open it.",
        "tool",
    ),
    P(
        "Ideas anyone? Our staff survey says people want fewer meetings but also 'more time together'. "
        "How do we square that?",
        "question",
    ),
    P(
        "Just uploaded: our Year 2 team explaining how we teach subtraction, for parents who want to help "
        "at home. https://edpuzzle.com/assignments/6511aa22bb33cc44dd55ee66/watch",
        "tool video",
    ),
    P(
        "Thought for the day: the best meeting is the one you didn't need to have.",
        "",
    ),
    P(
        "Thank you to @sarah_ht@mastodonapp.uk for the Canva template! Used it for our flipped briefing "
        "cover slides this week.",
        "tool",
    ),
    P(
        "A reel from our Sports Relief day, cut by the Year 10 media group: "
        "https://www.instagram.com/reels/DAbCdEf1234/ #fliplead",
        "video",
    ),
    P(
        "How are other schools handling consent for staff appearing in videos sent home?",
        "question",
    ),
    P(
        "We've made a short film about our approach to behaviour. Please share widely with your networks!",
        "video",
        media=[("video", "Pupils and staff describe the school's behaviour values")],
    ),
    P(
        "Three years ago I'd never recorded a video. Now I can't imagine leading without them. Funny how "
        "things change.",
        "",
    ),
    P(
        "Does it count as a flipped meeting if the video is just me reading the slides out loud? Asking "
        "for a friend 😅",
        "question",
    ),
    P(
        "Reminder for our staff: the pre-watch for Monday is in your inbox. Please watch before you arrive.",
        "",
    ),
    P(
        "Nearpod lesson for staff on the new literacy strategy, with the video and check-in questions "
        "built in: https://nearpod.com/s/literacy-strategy-L7x8Y9z",
        "tool",
    ),
    P(
        "Ten minutes of video saved us forty minutes of meeting. Every week. That's 20 hours a year, per "
        "person.",
        "",
    ),
    P(
        "Our head girl interviewing the chair of governors for the parent newsletter 🎙️🎬 "
        "https://vimeo.com/982341765",
        "video",
    ),
    P(
        "Wistia or Vimeo for a trust's private video library? We need SSO and analytics.",
        "question",
    ),
    P(
        "What tools do you all use to make your flipped leadership videos? Starting from scratch here.",
        "question",
    ),
    P(
        "Lesson learned: never record a staff video next to the school kitchen at 11:45.",
        "",
    ),
    P(
        "¿Conocéis alguna herramienta gratuita para subtitular vídeos en valenciano?",
        "question",
        lang="es",
    ),
    P(
        "El equipo directivo ha grabado un vídeo explicando el nuevo plan de igualdad. Está en la web: "
        "https://youtu.be/IgUa1dAd2025",
        "video",
        lang="es",
    ),
    P(
        "Usamos Padlet para recoger las dudas del claustro antes de cada reunión. Funciona de maravilla.",
        "tool",
        lang="es",
    ),
    P(
        "Feliz viernes a todo el profesorado. Descansad, que os lo habéis ganado.",
        "",
        lang="es",
    ),
    P(
        "Des conseils pour une première vidéo de rentrée destinée aux familles ? Durée, ton, lieu ?",
        "question",
        lang="fr",
    ),
    P(
        "Notre capsule sur le projet d'école, réalisée avec Adobe Express : "
        "https://new.express.adobe.com/video/Pr0j3tEc0le",
        "tool video",
        lang="fr",
    ),
    P(
        "Conseil d'administration ce soir. Les documents ont été envoyés en amont avec une courte vidéo "
        "de synthèse.",
        "",
        lang="fr",
    ),
    P(
        "Y a-t-il des collègues qui utilisent Wakelet pour partager les ressources avec les familles ?",
        "question tool",
        lang="fr",
    ),
    P(
        "Kurzes Erklärvideo für unsere neuen Kolleginnen und Kollegen: https://www.youtube.com/watch?v=NeUe2025KoL",
        "video",
        lang="de",
    ),
    P(
        "Alguma dica de microfone barato para gravar vídeos na sala da direção?",
        "question",
        lang="pt",
    ),
]

# ---------------------------------------------------------------------------------------------------
# Held-out posts: written after the rules were finished, scored once before any tuning on them.
# ---------------------------------------------------------------------------------------------------
HOLDOUT: list[Spec] = [
    P(
        "Parents' evening bookings open Monday. Before then, here's a two-minute explainer from our "
        "Year 3 team on what we'll be talking about: https://youtu.be/Yr3PeV2Bk9w",
        "video",
    ),
    P(
        "Honest reflection after a term: flipped briefings work brilliantly for information and badly for "
        "anything emotional. Restructure news will always be face to face.",
        "",
    ),
    P(
        "Does anybody have a policy on staff appearing in videos that go to parents? Some of my team are "
        "understandably wary. #fliplead #GDPR",
        "question",
    ),
    P(
        "I've started recording my Monday message in the car park before school (parked, engine off!). "
        "Three minutes, phone on the dashboard. Here's today's:",
        "video",
        media=[("video", "Head teacher sitting in a parked car talking to the camera")],
    ),
    P(
        "Swapped our paper staff handbook for a Google Site with a short video on each page. New starters "
        "love it. https://sites.google.com/greenbank.sch.uk/staffhandbook",
        "tool",
    ),
    P(
        "Top tip from our business manager: keep the pre-watch video under the length of a cup of tea.",
        "",
    ),
    P(
        "What would you want in a flipped induction for new governors? Drafting the list now, currently "
        "at: roles, safeguarding, finance basics, how to ask a good question.",
        "question",
    ),
    P(
        "Ready for a meeting where nobody reads slides out loud? Our pre-watch for Thursday: "
        "https://www.loom.com/share/91b2c3d4e5f6478a9b0c1d2e3f4a5b6c #fliplead",
        "video tool",
    ),
    P(
        "@helen_okafor@mastodon.education Brilliant thread. Did you find the staff who were most "
        "sceptical came round in the end?",
        "question",
        reply=True,
    ),
    P(
        "@coachmarcus@hachyderm.io yes! Same in our place. The quiet ones suddenly have a voice when "
        "they've had time to think.",
        "",
        reply=True,
    ),
    P(
        "We tried Mentimeter, Slido and a plain show of hands to check understanding after the pre-watch. "
        "Show of hands won, weirdly.",
        "tool",
    ),
    P(
        "Calling all primary heads: what's your go-to for making quick videos for families on an iPad?",
        "question",
    ),
    P(
        "Today's #fliplead staff briefing (4 mins) covers the new attendance procedures, the Year 6 trip "
        "and a huge thank you to the kitchen team. https://youtu.be/Att3nD9Pr0c?si=Lx2M",
        "video",
        card=yt("https://youtu.be/Att3nD9Pr0c?si=Lx2M", "Staff briefing 12/11", "Brookfield Juniors"),
    ),
    P(
        "How do you flip a meeting about something nobody wants to hear, like a budget cut? I'm dreading "
        "next week's.",
        "question",
    ),
    P(
        "Forms, forms and more forms. End-of-term admin is a special kind of tired.",
        "",
    ),
    P(
        "Our Year 11 options evening went flipped this year. All subject videos in one place: "
        "https://wakelet.com/wake/Opt10nsY11xQ #fliplead",
        "tool",
    ),
    P(
        "Me trying to explain to staff that the video is optional but the meeting is not",
        "",
        media=[("gifv", "A man juggling flaming torches while riding a unicycle")],
    ),
    P(
        "Sharing our parent video on online safety, made with the help of our digital leaders: "
        "https://vimeo.com/956781234?share=copy #onlinesafety #fliplead",
        "video",
    ),
    P(
        "Any advice for a deputy about to lead their first flipped INSET day? Terrified and excited in "
        "equal measure.",
        "question",
    ),
    P(
        "Can't recommend this enough: put the date and a single ask at the end of every staff video.",
        "",
    ),
    P(
        "Has your school tried flipping parents' evenings for secondary? Curious whether attendance drops.",
        "question",
    ),
    P(
        "Just finished editing our new family welcome video in iMovie. Premiering it at the open morning "
        "on Saturday! 🎬",
        "tool",
    ),
    P(
        "Reading 'Leading with Video' by a colleague from across the trust. Chapter 3 on trust and "
        "transparency is excellent.",
        "",
        media=[("image", "Photo of a book on a desk next to a coffee mug")],
    ),
    P(
        "Which works better for you: one long video, or three short ones on separate topics?",
        "question",
        poll=["One long video", "Three short ones", "Depends on the topic"],
    ),
    P(
        "Seriously impressed by how @j_mcallister@mstdn.ca uses Flipgrid with her staff for reflective "
        "practice. Worth a follow.",
        "tool",
    ),
    P(
        "Can someone explain why the upload to the school YouTube channel keeps failing at 99%? Driving "
        "me round the bend.",
        "question",
    ),
    P(
        "Our flipped leadership journey in numbers: 34 staff videos, 12 meetings saved, 0 complaints "
        "about meeting length. https://greenbankacademy.org.uk/news/flipped-leadership-numbers",
        "",
        card=card(
            "https://greenbankacademy.org.uk/news/flipped-leadership-numbers",
            "link",
            "Our flipped leadership journey in numbers",
            "Greenbank Academy",
        ),
    ),
    P(
        "We'd welcome your ideas on what to include in the spring parent video series. Reply below or "
        "grab me on the gate!",
        "question",
    ),
    P(
        "Our SENCo's guide to the new EHCP process, screen-recorded with narration: "
        "https://app.screencast.com/Kq8Zt3Lm2NpR #SEND #fliplead",
        "video",
    ),
    P(
        "Why do we still hold meetings just to read out the calendar? Genuinely baffled it took me six "
        "years to stop.",
        "",
    ),
    P(
        "Short one for staff on the new lanyards and visitor system: https://youtube.com/shorts/Lny4rD2Vs8q",
        "video",
    ),
    P(
        "I use Canva for the thumbnails and Loom for the recording, then everything goes into our Teams "
        "channel.",
        "tool",
    ),
    P(
        "Anyone using AI voices for staff videos? Feels a bit dishonest to me, but I'm open to being "
        "persuaded.",
        "question",
    ),
    P(
        "End of an era: our last ever 90 minute Monday meeting. Flipped briefings from September. "
        "Nobody is sad.",
        "",
    ),
    P(
        "@newhead_kate@mas.to I'd start with one low-stakes video, like a welcome back message. Build "
        "the habit before the content matters.",
        "",
        reply=True,
    ),
    P(
        "New on the blog: five mistakes I made in my first year of flipped staff meetings (and one thing "
        "I got right). https://leadingflipped.blog/2025/11/five-mistakes",
        "",
        card=card(
            "https://leadingflipped.blog/2025/11/five-mistakes",
            "link",
            "Five mistakes I made flipping meetings",
        ),
    ),
    # --- español -----------------------------------------------------------------------------------------
    P(
        "¿Cómo lo hacéis para que las familias vean los vídeos del cole? Los mandamos por la app y casi "
        "nadie los abre.",
        "question",
        lang="es",
    ),
    P(
        "Este es el vídeo que preparamos para explicar el nuevo plan de convivencia al alumnado de "
        "primaria: https://www.youtube.com/watch?v=Cv9Pl4nR2Ee",
        "video",
        lang="es",
    ),
    P(
        "Hemos pasado las actas del claustro a un documento compartido en Google Docs y las reuniones "
        "son mucho más ágiles.",
        "tool",
        lang="es",
    ),
    P(
        "Qué orgullo ver a todo el equipo docente grabando sus propias cápsulas. Hace un año parecía "
        "imposible.",
        "",
        lang="es",
    ),
    P(
        "Si alguien tiene una plantilla para guion de vídeo de dirección, me vendría genial. ¡Gracias!",
        "question",
        lang="es",
    ),
    P(
        "Nuestra reunión de inicio de curso con familias, en vídeo para quien no pudo venir 👇",
        "video",
        lang="es",
        media=[("video", "La directora da la bienvenida a las familias en el patio")],
    ),
    P(
        "¿Edpuzzle o Nearpod para la formación del profesorado? Queremos preguntas dentro del vídeo.",
        "question tool",
        lang="es",
    ),
    P(
        "Encuesta a las familias sobre el horario de tutorías: https://forms.gle/Tt8Hr2Mx9Qp4Lk7z3",
        "tool",
        lang="es",
    ),
    # --- français ----------------------------------------------------------------------------------------
    P(
        "Premier conseil d'école en format inversé ce soir. Les parents élus avaient tous vu la vidéo. "
        "Quel plaisir de discuter vraiment !",
        "",
        lang="fr",
    ),
    P(
        "Quelqu'un aurait un modèle de charte pour la diffusion de vidéos d'enseignants aux familles ?",
        "question",
        lang="fr",
    ),
    P(
        "La vidéo de présentation de l'association sportive est en ligne : "
        "https://www.youtube.com/watch?v=As9Sp0rT3Qz&feature=youtu.be",
        "video",
        lang="fr",
    ),
    P(
        "On a remplacé la réunion de pré-rentrée par trois capsules vidéo et un Digipad pour les "
        "questions. Retours très positifs.",
        "tool",
        lang="fr",
    ),
    P(
        "Quelle durée idéale pour une vidéo destinée aux parents, d'après vous ?",
        "question",
        lang="fr",
    ),
    P(
        "Belle matinée de formation avec les directeurs du secteur. Merci à tous pour les échanges !",
        "",
        lang="fr",
    ),
    P(
        "Tuto de 3 minutes pour les collègues : déposer une vidéo sur l'ENT sans dépasser la taille "
        "maximale. https://tube-education.beta.gouv.fr/w/kR4tYp9Lm2Xc7Vb3Nq8WzD",
        "video",
        lang="fr",
    ),
    P(
        "Vous en pensez quoi, des vidéos de direction sous-titrées automatiquement ? Fiables ou pas ?",
        "question",
        lang="fr",
    ),
    # --- Deutsch, português ------------------------------------------------------------------------------
    P(
        "Kennt ihr gute Beispiele für Erklärvideos an Eltern zum Übergang in die weiterführende Schule?",
        "question",
        lang="de",
    ),
    P(
        "Unsere Fortbildung zum neuen Medienkonzept haben wir mit TaskCards vorbereitet: "
        "https://schulbuchweg.taskcards.app/#/board/7a8b9c0d-1e2f-3a4b-5c6d-7e8f9a0b1c2d",
        "tool",
        lang="de",
    ),
    P(
        "Como vocês organizam os vídeos para as reuniões pedagógicas? Pasta compartilhada, canal, outra "
        "coisa?",
        "question",
        lang="pt",
    ),
    P(
        "Obrigada a toda a equipe pela semana incrível de formação! 💛",
        "",
        lang="pt",
    ),
    # --- more English, mixed -----------------------------------------------------------------------------
    P(
        "Our governors watched the head's report on Touchcast before the meeting and came armed with "
        "much sharper questions. Worth every minute.",
        "tool",
    ),
    P(
        "Not a video person? Neither was I. Start with audio: our weekly message is a 3 minute voice "
        "note now and parents love it.",
        "",
    ),
    P(
        "Student leadership team interviewed me for their podcast about why we flipped staff meetings. "
        "Here's the video version: https://youtu.be/Pdc4St9Lv2m",
        "video",
    ),
    P(
        "Thank you @ceo_northstar@mastodon.online for sharing your trust's flipped CPD framework today. "
        "Lots to steal!",
        "",
    ),
    P(
        "Hands up who has recorded a staff video and then realised their mic was off the whole time 🙋",
        "",
    ),
    P(
        "Quick poll before I plan spring term: would your staff prefer the pre-watch on Friday or Monday?",
        "question",
        poll=["Friday", "Monday"],
    ),
    P(
        "Our curriculum leads each recorded a 5 minute 'deep dive' on their subject for governors. All "
        "six are in this playlist: https://www.youtube.com/playlist?list=PLcurr1cU1umD33pD1v3s",
        "video",
    ),
]


# ---------------------------------------------------------------------------------------------------
# Posts in other people's voices, held out: written in one go before any rule was changed for them,
# and never used to tune the rules. ``benchmarks/classify_eval.py`` scores them on their own.
# ---------------------------------------------------------------------------------------------------
OTHERS_HOLDOUT: list[Spec] = [
    # --- requests without a question mark ----------------------------------------------------------------
    P(
        "Calling all primary heads in the north east: we're rewriting our marking policy from scratch "
        "and I'd rather not reinvent the wheel.",
        "question",
    ),
    P(
        "After a steer from anyone who has moved parents' evening online for good. Booking system, "
        "length of slots, what went wrong.",
        "question",
    ),
    P(
        "Would be really glad to hear how other trusts are handling the new attendance guidance with "
        "their attendance officers",
        "question",
    ),
    P(
        "Desperate for a decent template for a one-page school development plan. Happy to swap for our "
        "behaviour flowchart.",
        "question",
    ),
    P(
        "Point me at your favourite short read on coaching conversations with reluctant staff 🙏",
        "question",
    ),
    P(
        "Give me one thing that actually reduced workload in your school this year. Just one.",
        "question",
    ),
    P(
        "Keen to nick any good induction checklists for mid-year starters, teaching or support staff.",
        "question",
    ),
    P(
        "If your SLT has tried rotating the chair of the weekly meeting, please get in touch, I'd love "
        "a chat before we try it.",
        "question",
    ),
    P(
        "I've made a slide deck on running a flipped INSET day. Give me a shout if you want a copy, "
        "happy to share.",
        "",
        note="an offer, not a request",
    ),
    P(
        "DM me if you'd like the spreadsheet we use to plan the pre-watch videos. It's free to anyone.",
        "",
        note="an offer",
    ),
    P(
        "Wondering how people pace a 20 minute CPD video so staff actually get to the end of it",
        "question",
    ),
    # --- questions about a named tool --------------------------------------------------------------------
    P(
        "Does Mentimeter still cap the free plan at two questions per presentation",
        "question tool",
    ),
    P(
        "Kahoot or Blooket for the staff quiz at the end of term?",
        "question tool",
    ),
    P(
        "Is Canva's education account still free for a whole school or did that change in September?",
        "question tool",
    ),
    P(
        "Has Edpuzle got any way of stopping students skipping to the end? Asking for our Year 9 science "
        "team.",
        "question tool",
    ),
    P(
        "Screencastify keeps cutting my recordings at 5 minutes. Is that the free plan or have I broken "
        "something?",
        "question tool",
    ),
    P(
        "Thinking of moving our staff bulletin from email to Wakelet. Anybody done this and regretted it?",
        "question tool",
    ),
    # --- questions attached to a share -------------------------------------------------------------------
    P(
        "First go at a pre-watch for Thursday's briefing. Be honest: is 9 minutes too long? "
        "https://youtu.be/Wn4rT8kLp2Q",
        "question video",
    ),
    P(
        "Draft of our welcome video for new families. Does the middle section drag? Any feedback "
        "gratefully received before it goes on the website.",
        "question video",
        media=[("video", "Headteacher walking through the school gates, talking to camera")],
    ),
    P(
        "Here's the 4 minute version of our safeguarding update. Would this work for your support staff "
        "too, or is it too teacher-focused? https://vimeo.com/918273645",
        "question video",
    ),
    P(
        "Recorded this on my phone in the car park, sound is rough. Watchable or should I redo it? "
        "https://youtu.be/Qx7mL2nB4cD",
        "question video",
    ),
    # --- answered, Q&A, rhetorical, catchphrases (not questions) -----------------------------------------
    P(
        "Did the flipped briefing save time? Absolutely, about 25 minutes a week across the team.",
        "",
        note="asks and answers itself",
    ),
    P(
        "Q: How long should a pre-watch video be?\nA: Shorter than you think. Ours are never over 6 "
        "minutes.\n\n#fliplead",
        "",
        note="Q and A post",
    ),
    P(
        "Who among us hasn't pressed record and then talked for 40 minutes to a muted microphone 😂",
        "",
        note="rhetorical",
    ),
    P(
        "'Can everyone see my screen?' will be on my headstone. Four online meetings today.",
        "",
        note="quoted catchphrase",
    ),
    P(
        "Is it worth filming staff briefings? Yes, if you keep them short and never use them to avoid a "
        "conversation you should have face to face.",
        "",
        note="answers itself",
    ),
    P(
        "What happens when you give middle leaders the agenda a week early? They come with solutions "
        "instead of questions. Try it.",
        "",
        note="rhetorical, answered",
    ),
    P(
        "Why does every training day start with an icebreaker? Nobody knows. We skipped it and nobody "
        "complained.",
        "",
        note="rhetorical",
    ),
    # --- videos, silent screencasts and reaction GIFs ----------------------------------------------------
    P(
        "Quick walkthrough of setting up the new cover rota in the MIS for our office team.",
        "video",
        media=[("gifv@84", "Screen recording of the cover rota screen being filled in step by step")],
        note="silent screencast stored as gifv",
    ),
    P(
        "How to find the safeguarding log on the staff drive, 40 seconds, no sound needed.",
        "video",
        media=[("gifv@40", None)],
        note="long gifv, the post says how to",
    ),
    P(
        "Me when the fire alarm goes off during the one observation I'd prepared for",
        "",
        media=[("gifv", "A cat falling off a shelf")],
        note="reaction gif",
    ),
    P(
        "Friday feeling",
        "",
        media=[("gifv@4", "Dancing penguin")],
        note="short reaction gif",
    ),
    P(
        "Screen recording of how staff book the minibus in our new system. Silent, but it shows every click.",
        "video",
        media=[("gifv@22", None)],
    ),
    P(
        "New assembly video from Year 6 about kindness week, they wrote and filmed it all themselves 💙",
        "video",
        media=[("video", "Children holding up hand-painted signs")],
    ),
    P(
        "Our director of sixth form talks through the new study periods in 3 minutes: "
        "https://www.youtube.com/watch?v=rT5nQ8wLm1X",
        "video",
        card=yt(
            "https://www.youtube.com/watch?v=rT5nQ8wLm1X",
            "Sixth form study periods explained",
            "Hillside Academy",
        ),
    ),
    # --- tools outside the catalogue, misspelt names, look-alikes ----------------------------------------
    P(
        "Made the whole governors' training deck with Gamma in about 15 minutes. Needed tidying but a "
        "huge head start.",
        "tool",
        note="tool outside the catalogue",
    ),
    P(
        "We've started using Scribe to make step-by-step guides for the office staff: you click through "
        "the task once and it writes the guide with screenshots.",
        "tool",
    ),
    P(
        "Tried Poll Everywhere for the first time in today's staff meeting and the anonymous answers were "
        "far more honest than hands up.",
        "tool",
    ),
    P(
        "Parents now get messages through Studybugs instead of the old text service. Absence reporting "
        "has gone up massively.",
        "tool",
    ),
    P(
        "Our English team swears by Quillbot, an AI writing assistant that rewords paragraphs, for "
        "modelling different registers.",
        "tool",
    ),
    P(
        "Put all the CPD resources on one Padlett board so new staff can find them. Link in the staff "
        "handbook.",
        "tool",
        note="misspelt catalogue name",
    ),
    P(
        "The Year 4 quiz on Quizziz went down a storm with parents at the open evening.",
        "tool",
        note="misspelt",
    ),
    P(
        "Our Mentimetre word cloud from INSET: 'time' was by far the biggest word.",
        "tool",
        note="misspelt",
    ),
    P(
        "Still use a flip phone and proud of it. My deputy has given up trying to add me to the group chat.",
        "",
        note="look-alike: flip",
    ),
    P(
        "Year 2 made loom bands bracelets for the charity sale and raised £84!",
        "",
        note="look-alike: loom",
    ),
    P(
        "Gorgeous oil on canvas by one of our Year 11s now hanging in reception. So proud.",
        "",
        note="look-alike: canvas",
    ),
    P(
        "We give feedback in three forms: spoken, written and peer. The spoken one is where the learning "
        "happens.",
        "",
        note="look-alike: forms",
    ),
    P(
        "In the coaching session we zoom in on one tiny moment of the lesson and unpick it together.",
        "",
        note="look-alike: zoom",
    ),
    P(
        "Teams of four worked through the case studies, then reported back. Best INSET session of the year.",
        "",
    ),
    # --- plain shares ------------------------------------------------------------------------------------
    P(
        "Half term at last. Going to read a novel that has nothing to do with education.",
        "",
    ),
    P(
        "Thanks to everyone who came to the regional heads' network today. Great energy, great biscuits.",
        "",
    ),
    # --- French ------------------------------------------------------------------------------------------
    P(
        "Vous faites comment pour les réunions de rentrée avec les parents ? En présentiel, en visio, les "
        "deux ?",
        "question",
        lang="fr",
    ),
    P(
        "Je serais preneuse de vos retours sur les conseils de cycle filmés. Ça vaut le coup ?",
        "question",
        lang="fr",
    ),
    P(
        "Avis aux collègues directeurs : comment gérez-vous les absences non remplacées en maternelle",
        "question",
        lang="fr",
    ),
    P(
        "Petite capsule de 3 minutes pour présenter le projet d'école aux nouveaux collègues : "
        "https://youtu.be/Fr8kLm3nQ2w",
        "video",
        lang="fr",
    ),
    P(
        "Qui n'a jamais oublié de couper son micro en visio ? 🙈 Moi ce matin, devant tout le conseil.",
        "",
        lang="fr",
        note="rhétorique",
    ),
    P(
        "On a testé Digipad pour le mur des projets de l'équipe. Simple et gratuit, adopté.",
        "tool",
        lang="fr",
    ),
    P(
        "Quelqu'un utilise Pronote pour envoyer les vidéos de présentation aux familles ? Je ne trouve "
        "pas où les joindre.",
        "question tool",
        lang="fr",
    ),
    # --- Spanish -----------------------------------------------------------------------------------------
    P(
        "Compañeros de dirección, cómo organizáis el claustro cuando hay tantos temas pendientes?",
        "question",
        lang="es",
        note="solo el signo final",
    ),
    P(
        "Os leo: qué plataforma usáis para las tutorías con familias por vídeo?",
        "question",
        lang="es",
    ),
    P(
        "¿Quién no ha terminado una reunión pensando que podía haber sido un correo? 😅",
        "",
        lang="es",
        note="retórica",
    ),
    P(
        "Os dejo el vídeo del claustro invertido de este trimestre, por si a alguien le sirve: "
        "https://youtu.be/Es4mR7tLw9q",
        "video",
        lang="es",
    ),
    P(
        "Me encantaría conocer cómo lo hacen en otros centros con las guardias de recreo",
        "question",
        lang="es",
    ),
    P(
        "Hemos preparado las encuestas de satisfacción con Google Forms y los resultados salen solos en "
        "una hoja.",
        "tool",
        lang="es",
    ),
    P(
        "¿Funciona el claustro en vídeo? Sí, y mucho mejor de lo que esperábamos.",
        "",
        lang="es",
        note="se responde",
    ),
    # --- German ------------------------------------------------------------------------------------------
    P(
        "Wie organisiert ihr die Elternabende in der Oberstufe? Bei uns kommen kaum noch Eltern.",
        "question",
        lang="de",
    ),
    P(
        "Habt ihr Erfahrungen mit kurzen Erklärvideos für neue Kolleginnen und Kollegen? Freue mich "
        "über jeden Hinweis.",
        "question",
        lang="de",
    ),
    P(
        "Unsere Gesamtkonferenz als kurzes Video zum Nachschauen: https://youtu.be/De3kR8mLq1w",
        "video",
        lang="de",
    ),
    P(
        "Wir haben die Fortbildungsplanung mit fobizz gemacht, das klappt im Kollegium erstaunlich gut.",
        "tool",
        lang="de",
    ),
    P(
        "Wer kennt es nicht: die Konferenz dauert länger als geplant. Heute mal wieder.",
        "",
        lang="de",
    ),
    # --- Dutch -------------------------------------------------------------------------------------------
    P(
        "Hoe pakken jullie de nieuwe inspectie-eisen aan op jullie school? Wij zoeken nog een goede aanpak.",
        "question",
        lang="nl",
    ),
    P(
        "Wie heeft er tips voor een korte teamvergadering op maandagochtend? Alle ideeën welkom!",
        "question",
        lang="nl",
    ),
    P(
        "Graag jullie advies: werken jullie met een vaste structuur voor de studiedag",
        "question",
        lang="nl",
    ),
    P(
        "Onze directeur legt in 5 minuten het nieuwe schoolplan uit: https://youtu.be/Nl7pQ2wRt5k",
        "video",
        lang="nl",
    ),
    P(
        "Vandaag met het hele team de nieuwe leerlijn doorgenomen. Fijne dag, moe maar voldaan.",
        "",
        lang="nl",
    ),
    P(
        "We gebruiken nu Wakelet om alle nascholingsmateriaal te verzamelen voor nieuwe collega's.",
        "tool",
        lang="nl",
    ),
    # --- Italian -----------------------------------------------------------------------------------------
    P(
        "Come gestite voi i collegi docenti online? Da noi durano sempre troppo.",
        "question",
        lang="it",
    ),
    P(
        "Qualcuno ha esperienza con le riunioni capovolte nella scuola primaria? Mi farebbe piacere "
        "sentire com'è andata.",
        "question",
        lang="it",
    ),
    P(
        "Cerco idee per presentare il PTOF alle famiglie in modo meno noioso",
        "question",
        lang="it",
    ),
    P(
        "Ecco il video della nostra open day, girato dai ragazzi di quinta: https://youtu.be/It5rL8mQw2n",
        "video",
        lang="it",
    ),
    P(
        "Abbiamo usato Canva per i nuovi volantini dell'open day e il risultato è stupendo.",
        "tool",
        lang="it",
    ),
    P(
        "Chi non ha mai sognato un collegio docenti di venti minuti? Oggi ce l'abbiamo fatta.",
        "",
        lang="it",
        note="retorica",
    ),
    # --- Portuguese --------------------------------------------------------------------------------------
    P(
        "Vocês gravam as reuniões pedagógicas ou só mandam a ata? Queria entender o que funciona melhor.",
        "question",
        lang="pt",
    ),
    P(
        "Alguém tem um modelo de pauta para reunião de pais que não seja cansativo",
        "question",
        lang="pt",
    ),
    P(
        "Segue o vídeo da nossa formação de professores sobre avaliação formativa: "
        "https://youtu.be/Pt2mK7rLq4w",
        "video",
        lang="pt",
    ),
    P(
        "Usamos o Padlet para recolher as ideias da equipe antes do conselho de classe. Funcionou muito bem.",
        "tool",
        lang="pt",
    ),
    # --- Welsh -------------------------------------------------------------------------------------------
    P(
        "Oes gan unrhyw un syniadau am gyfarfodydd staff byrrach? Byddwn yn ddiolchgar am unrhyw help.",
        "question",
        lang="cy",
    ),
    P(
        "Sut ydych chi'n rhannu fideos hyfforddi gyda staff newydd?",
        "question",
        lang="cy",
    ),
    P(
        "Fideo byr am ein wythnos lles i rieni: https://youtu.be/Cy6nR2mLw8p",
        "video",
        lang="cy",
    ),
    P(
        "Diolch i bawb am ddiwrnod hyfforddiant gwych heddiw!",
        "",
        lang="cy",
    ),
    # --- more English, mixed -----------------------------------------------------------------------------
    P(
        "Our business manager recorded the new purchasing process in Tango so nobody has to ask her "
        "twice. Game changer for the office.",
        "tool",
        note="guide recorder outside the catalogue",
    ),
    P(
        "Has anyone tried Brightwheel or something similar for nursery parent messages? Our current app "
        "is costing a fortune.",
        "question tool",
    ),
    P(
        "Honest feedback wanted on our new staff wellbeing video, pace OK? https://youtu.be/Hf3nT6kLp9w",
        "question video",
    ),
    P(
        "Loom is still my go-to for quick feedback to trainee teachers, nothing beats hearing the tone.",
        "tool",
    ),
    P(
        "Spent the afternoon at the loom with Year 5 weaving scarves for the art exhibition.",
        "",
        note="look-alike: a real loom",
    ),
    P(
        "Remind me never to schedule a governors' meeting on the night of the school disco again.",
        "",
    ),
    P(
        "Curious what others do about staff who never watch the pre-meeting video",
        "question",
    ),
    P(
        "Any secondary heads using a four-part lesson structure across the school? Keen to compare notes.",
        "question",
    ),
    P(
        "Is it Friday yet?! Longest week of my career.",
        "",
    ),
    P(
        "The dreaded 'Do you have a minute?' from a colleague at 3:29 on a Friday. We all know what "
        "comes next.",
        "",
        note="quoted",
    ),
    P(
        "Poll for heads: how many minutes is the perfect briefing?",
        "question",
        poll=["5", "10", "15", "20+"],
    ),
]


# ---------------------------------------------------------------------------------------------------
# Posts in other people's voices used for tuning: written after the held-out ones, in the same spirit.
# ---------------------------------------------------------------------------------------------------
OTHERS_TUNING: list[Spec] = [
    # --- requests without a question mark ----------------------------------------------------------------
    P(
        "Calling all deputy heads: how are you timetabling PPA when half the staff are part time",
        "question",
    ),
    P(
        "Looking for a steer on how much of the staff meeting to hand over to middle leaders.",
        "question",
    ),
    P(
        "Would love to hear how your school runs its book looks without it feeling like an inspection.",
        "question",
    ),
    P(
        "Keen to borrow anyone's transition timeline for Year 6 into Year 7. Ours is a mess.",
        "question",
    ),
    P(
        "Happy to be pointed at any research on the impact of shorter staff meetings.",
        "question",
    ),
    P(
        "Give me your best tip for keeping governors' meetings under two hours.",
        "question",
    ),
    P(
        "Ping me if your school has tried a four-day timetable for sixth form, I'd love to pick your brains.",
        "question",
    ),
    P(
        "Ping me if you want the slides from today's session, they're free to reuse.",
        "",
        note="an offer",
    ),
    P(
        "Shout if you'd like a copy of our flipped CPD calendar. Happy to send it over.",
        "",
        note="an offer",
    ),
    P(
        "Really keen to learn how other heads structure the first week back after Christmas",
        "question",
    ),
    P(
        "Hive mind, please: best way to collect staff voice without another survey",
        "question",
    ),
    P(
        "Open to any suggestions on how to make the INSET day feel less like a lecture.",
        "question",
    ),
    P(
        "Tell me your favourite way to start a staff briefing. Mine is a one-minute win from a colleague.",
        "question",
    ),
    P(
        "Recommendations please for a decent USB mic for recording staff videos on a budget",
        "question",
    ),
    # --- questions about a named tool --------------------------------------------------------------------
    P(
        "Does Nearpod still limit the free plan to 40 students per session",
        "question tool",
    ),
    P(
        "Wakelet or Padlet for a staff showcase?",
        "question tool",
    ),
    P(
        "Is Loom's education plan still free for teachers, or has it gone paid-only?",
        "question tool",
    ),
    P(
        "Quizlet has changed its free tier again. Is anyone paying for the school licence?",
        "question tool",
    ),
    P(
        "Should we move our parent newsletter from Mailchimp to Canva? Curious what people think.",
        "question tool",
    ),
    P(
        "Which works better for a silent walkthrough, Clipchamp or Screencastify",
        "question tool",
    ),
    # --- questions attached to a share -------------------------------------------------------------------
    P(
        "Our new induction video for supply staff. Honest feedback wanted: pace OK? "
        "https://youtu.be/Tn5rW2kLm8Q",
        "question video",
    ),
    P(
        "Here's the rough cut of our parents' guide to reading at home. Does the ending drag?",
        "question video",
        media=[("video", "A parent and child reading together on a sofa")],
    ),
    P(
        "Five minute explainer on our new homework policy for families. Too much jargon? "
        "https://vimeo.com/874512369",
        "question video",
    ),
    P(
        "Made this for Monday's briefing. Would you sit through it to the end? https://youtu.be/Kp4sN7dQ2xR",
        "question video",
    ),
    # --- answered, Q&A, rhetorical, catchphrases (not questions) -----------------------------------------
    P(
        "Does it work? Yes, every week. Staff watch the briefing on Monday and Tuesday is all discussion.",
        "",
        note="answers itself",
    ),
    P(
        "Q: Do staff actually watch the pre-meeting video? A: About 80% do, and the rest catch up after.",
        "",
        note="Q and A",
    ),
    P(
        "Who among us hasn't written an action plan that never got looked at again?",
        "",
        note="rhetorical",
    ),
    P(
        "'You're on mute' is the phrase of the decade. Said it four times before 9am.",
        "",
        note="catchphrase",
    ),
    P(
        "Was the flipped INSET worth it? Without a doubt. Half the time, twice the discussion.",
        "",
        note="answers itself",
    ),
    P(
        "Can a staff meeting be fun? Ours was today. Biscuits, a quiz and the agenda done in 30 minutes.",
        "",
        note="answers itself",
    ),
    P(
        "Who hasn't sat through a meeting that should have been an email 🙃",
        "",
        note="rhetorical",
    ),
    P(
        '"Any other business?" Three words that strike fear into every chair of governors.',
        "",
        note="quoted catchphrase",
    ),
    # --- videos, silent screencasts and reaction GIFs ----------------------------------------------------
    P(
        "Silent walkthrough of logging a behaviour incident in the new system, for anyone who missed "
        "training.",
        "video",
        media=[("gifv@65", None)],
    ),
    P(
        "How to add a cover lesson to the shared calendar, in one minute.",
        "video",
        media=[("gifv@58", "Screencast of the shared calendar with a lesson being added")],
    ),
    P(
        "When someone says 'quick question' at 4:55",
        "",
        media=[("gifv", "Man slowly backing into a hedge")],
    ),
    P(
        "Last day of term energy",
        "",
        media=[("gifv@5", "Dog spinning in circles")],
    ),
    P(
        "Here's a screen recording showing where to find the new assessment tracker on the staff drive.",
        "video",
        media=[("gifv@31", "Mouse clicking through folders")],
    ),
    P(
        "Our head boy and girl interviewed the caretaker for the school news channel: "
        "https://youtu.be/Cr3tK8nLw5e",
        "video",
    ),
    # --- tools outside the catalogue, misspelt names, look-alikes ----------------------------------------
    P(
        "Built the whole INSET slide deck with Beautiful.ai and it looked better than anything I've made "
        "by hand.",
        "tool",
    ),
    P(
        "Guidde is a tool for turning a screen recording into a step-by-step guide with a voiceover. "
        "Our office manager loves it.",
        "tool",
    ),
    P(
        "We ran the staff survey live with Vevox in the hall and had 62 answers in five minutes.",
        "tool",
    ),
    P(
        "Switched our parent messages to Schoolcomms this term, far fewer 'I never got the letter' emails.",
        "tool",
    ),
    P(
        "Tried Claude to draft the first version of our attendance letter. Needed a lot of softening.",
        "tool",
    ),
    P(
        "Recorded the fire drill briefing with Screencastifiy and shared it with all staff before the drill.",
        "tool",
        note="misspelt",
    ),
    P(
        "All the moderation examples are on one Wakelett collection for new Year 2 teachers.",
        "tool",
        note="misspelt",
    ),
    P(
        "Our Edpuzle videos for the maths department now have questions every two minutes.",
        "tool",
        note="misspelt",
    ),
    P(
        "My first Jamborad of the year: staff posted one worry and one hope for the term.",
        "tool",
        note="misspelt",
    ),
    P(
        "Just bought my dad a flip phone for his birthday. He's delighted, the rest of us are baffled.",
        "",
    ),
    P(
        "The craze for loom bands is back in Year 3. Every wrist in the playground is rainbow coloured.",
        "",
    ),
    P(
        "Visit to the gallery with Year 10 today: acrylic on canvas, charcoal, clay, the lot.",
        "",
    ),
    P(
        "Feedback comes in many forms, and the quiet word in the corridor is often the best one.",
        "",
    ),
    P(
        "When we review the lesson video we zoom in on the first five minutes, where the tone is set.",
        "",
    ),
    P(
        "We flip the usual order: discussion first, then the presentation. Works a treat.",
        "",
    ),
    P(
        "Slack off this half term, you've earned it. Back in January.",
        "",
    ),
    # --- plain -------------------------------------------------------------------------------------------
    P(
        "Finished the last observation of the term. Proud of every single teacher I watched this week.",
        "",
    ),
    # --- French ------------------------------------------------------------------------------------------
    P(
        "Chers collègues directeurs, vous organisez comment les réunions avec les AESH ?",
        "question",
        lang="fr",
    ),
    P(
        "Je suis preneur de vos astuces pour raccourcir les conseils d'école",
        "question",
        lang="fr",
    ),
    P(
        "Vous avez déjà testé les réunions inversées en maternelle ? Ça donne quoi ?",
        "question",
        lang="fr",
    ),
    P(
        "Notre capsule vidéo pour expliquer le nouveau règlement intérieur aux élèves : "
        "https://youtu.be/Fq2mL8nRw4t",
        "video",
        lang="fr",
    ),
    P(
        "Qui n'a jamais rêvé d'un conseil de classe de 20 minutes ?",
        "",
        lang="fr",
    ),
    P(
        "Ça marche, les réunions filmées ? Oui, et les collègues en redemandent.",
        "",
        lang="fr",
    ),
    # --- Spanish -----------------------------------------------------------------------------------------
    P(
        "Qué tal os funciona el claustro invertido en secundaria?",
        "question",
        lang="es",
    ),
    P(
        "Compañeros, necesito vuestra opinión sobre cómo presentar el plan de convivencia a las familias",
        "question",
        lang="es",
    ),
    P(
        "¿Quién no ha salido de una reunión sin saber qué se había decidido?",
        "",
        lang="es",
    ),
    P(
        "Hemos grabado con Screencastify la explicación del nuevo horario para el claustro.",
        "tool",
        lang="es",
    ),
    P(
        "Aquí tenéis el vídeo de la jornada de puertas abiertas: https://youtu.be/Es8nW3kLq7m",
        "video",
        lang="es",
    ),
    # --- German ------------------------------------------------------------------------------------------
    P(
        "Nutzt ihr Videos für die Einarbeitung neuer Kolleginnen? Wie lang sind die bei euch?",
        "question",
        lang="de",
    ),
    P(
        "Ich würde gern wissen, wie eure Schulleitung die Dienstbesprechung strukturiert",
        "question",
        lang="de",
    ),
    P(
        "Unsere Elterninfo zum Ganztag als Video: https://youtu.be/De9rK2mLw6n",
        "video",
        lang="de",
    ),
    # --- Dutch -------------------------------------------------------------------------------------------
    P(
        "Hebben jullie ervaring met korte video's voor de ouderavond? Ik hoor het graag.",
        "question",
        lang="nl",
    ),
    P(
        "Tips gezocht voor een goede structuur van het MT-overleg",
        "question",
        lang="nl",
    ),
    P(
        "Wie herkent het niet: een vergadering die uitloopt tot half zes.",
        "",
        lang="nl",
    ),
    P(
        "Ons teamoverleg als korte video voor wie er niet bij was: https://youtu.be/Nl3kR8wLm2q",
        "video",
        lang="nl",
    ),
    # --- Italian -----------------------------------------------------------------------------------------
    P(
        "Voi come organizzate i consigli di classe? Noi finiamo sempre tardissimo.",
        "question",
        lang="it",
    ),
    P(
        "Avete consigli per un buon video di presentazione della scuola",
        "question",
        lang="it",
    ),
    P(
        "Abbiamo registrato la formazione con Screencastify e l'abbiamo condivisa con tutto il collegio.",
        "tool",
        lang="it",
    ),
    # --- Portuguese --------------------------------------------------------------------------------------
    P(
        "Como vocês fazem a formação de novos professores no meio do ano?",
        "question",
        lang="pt",
    ),
    P(
        "Gostaria de saber como outras escolas organizam o conselho de classe",
        "question",
        lang="pt",
    ),
    P(
        "Fizemos o convite para a reunião de pais no Canva e ficou lindo.",
        "tool",
        lang="pt",
    ),
    # --- Welsh -------------------------------------------------------------------------------------------
    P(
        "Unrhyw syniadau am sut i rannu'r cynllun datblygu ysgol gyda rhieni?",
        "question",
        lang="cy",
    ),
    P(
        "Ydych chi'n defnyddio fideos ar gyfer cyfarfodydd staff?",
        "question",
        lang="cy",
    ),
    P(
        "Fideo newydd am ein diwrnod chwaraeon: https://youtu.be/Cy2kR7nLw3m",
        "video",
        lang="cy",
    ),
]


# ---------------------------------------------------------------------------------------------------
# Writing the file
# ---------------------------------------------------------------------------------------------------
_START = datetime(2025, 9, 1, 7, 30, tzinfo=UTC)


def build_status(spec: Spec, number: int) -> dict[str, Any]:
    """The Mastodon status for the ``number``-th post."""
    username, instance, display_name, note = _ACCOUNTS[(number * 7) % len(_ACCOUNTS)]
    account_number = (number * 7) % len(_ACCOUNTS)
    account = Account(username, instance, display_name, note, 109000000000000000 + account_number * 7919)
    created = _START + timedelta(hours=number * 5, minutes=(number * 37) % 60, seconds=(number * 13) % 60)
    status_id = snowflake(created, number)
    remote_id = snowflake(created - timedelta(seconds=2), number + 7)
    rendered = render_content(spec.text, account)
    base = f"https://{instance}"
    reply_to = snowflake(created - timedelta(hours=3), number + 1) if spec.reply else None
    return {
        "id": status_id,
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "in_reply_to_id": reply_to,
        "in_reply_to_account_id": str(108000000000000000 + number) if spec.reply else None,
        "sensitive": bool(spec.cw),
        "spoiler_text": spec.cw,
        "visibility": "public",
        "language": spec.lang,
        "uri": f"{base}/users/{username}/statuses/{remote_id}",
        "url": f"{base}/@{username}/{remote_id}",
        "replies_count": (number * 3) % 7,
        "reblogs_count": (number * 5) % 11,
        "favourites_count": (number * 11) % 23,
        "edited_at": None,
        "content": rendered.html,
        "reblog": None,
        "account": account.as_json(created),
        "media_attachments": [
            _media_of(kind, f"{number}-{index}", description)
            for index, (kind, description) in enumerate(spec.media)
        ],
        "mentions": [
            {
                "id": str(int(_digest(f"{user}@{domain}")[:12], 16)),
                "username": user,
                "url": f"https://{domain}/@{user}",
                "acct": user if domain == HOME else f"{user}@{domain}",
            }
            for user, domain in dict.fromkeys(rendered.mentions)
        ],
        "tags": [{"name": tag, "url": f"https://{HOME}/tags/{tag}"} for tag in dict.fromkeys(rendered.tags)],
        "emojis": [],
        "card": spec.card,
        "poll": poll_json(str(number), spec.poll, created) if spec.poll else None,
    }


def _media_of(kind: str, seed: str, description: str | None) -> dict[str, Any]:
    """``"gifv@40"`` is a 40 second gifv; a plain kind takes its usual length."""
    name, _, seconds = kind.partition("@")
    return media_json(name, seed, description, int(seconds) if seconds else None)


def split_of(number: int) -> str:
    """``tuning`` or ``holdout``: which part of the file the ``number``-th post belongs to."""
    start = len(DEVELOPMENT) + len(HOLDOUT)
    return "holdout" if start <= number < start + len(OTHERS_HOLDOUT) else "tuning"


def all_specs() -> list[Spec]:
    """Every post, in file order."""
    return [*DEVELOPMENT, *HOLDOUT, *OTHERS_HOLDOUT, *OTHERS_TUNING]


def write_jsonl(numbered: list[tuple[int, Spec]], path: Path) -> None:
    """One ``{"status", "labels", "split", "note"}`` object per line, for each ``(number, spec)``."""
    with path.open("w", encoding="utf-8") as out:
        for number, spec in numbered:
            line: dict[str, Any] = {
                "status": build_status(spec, number),
                "labels": spec.labels,
                "split": split_of(number),
            }
            if spec.note:
                line["note"] = spec.note
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("labelled_posts.jsonl"))
    parser.add_argument("--only", choices=["all", "tuning", "holdout"], default="all")
    args = parser.parse_args()
    numbered = list(enumerate(all_specs()))
    if args.only != "all":
        numbered = [(number, spec) for number, spec in numbered if split_of(number) == args.only]
    write_jsonl(numbered, args.out)


if __name__ == "__main__":
    main()
