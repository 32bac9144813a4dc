"""A realistic digest for renderer tests, with the hard cases in it."""

from __future__ import annotations

from datetime import UTC, datetime

from digests.model import Answer, Digest, DigestItem

HOSTILE_HTML = (
    '<p>Our parents&#39; guide <script>alert(\'x\')</script><img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a> <a href="https://youtu.be/Xc4ZsXq1a2Y">the video</a></p>'
)
FRENCH = "Notre première réunion inversée : une vidéo de 3 minutes, puis 20 minutes de discussion. 🎬"
QUESTION = "First term as a deputy head. Anyone tried flipping a whole-staff INSET day? Tips welcome!"


def item(post_id: int, section: str, position: int, **fields: object) -> DigestItem:
    defaults: dict[str, object] = {
        "url": f"https://school.example/@maria/{post_id}",
        "uri": f"https://school.example/users/maria/statuses/{post_id}",
        "author_name": "María López",
        "author_acct": "maria@school.example",
        "author_url": "https://school.example/@maria",
        "text": "Our flipped staff briefing this week #fliplead",
        "html": "<p>Our flipped staff briefing this week #fliplead</p>",
        "created_at": datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
    }
    defaults.update(fields)
    return DigestItem(post_id=post_id, section=section, position=position, **defaults)  # type: ignore[arg-type]


SAMPLE = Digest(
    id=7,
    status="approved",
    period_start=datetime(2026, 11, 16, tzinfo=UTC),
    period_end=datetime(2026, 11, 23, tzinfo=UTC),
    timezone="UTC",
    hashtag="fliplead",
    intro="Three short videos, two tools and an open question from @sam@school.example's team this week.",
    items=(
        item(
            1,
            "video",
            0,
            text="Parents' guide to flipped homework, four minutes: https://youtu.be/Xc4ZsXq1a2Y #fliplead",
            html=HOSTILE_HTML,
            blurb="Clear, short and warm: a model for any school.",
            links=("https://youtu.be/Xc4ZsXq1a2Y",),
        ),
        item(
            2,
            "video",
            1,
            author_name="Claire Dubois @claire@ecole.example",
            author_acct="claire@ecole.example",
            author_url="https://ecole.example/@claire",
            url="https://ecole.example/@claire/2",
            uri="https://ecole.example/users/claire/statuses/2",
            text=FRENCH,
            html=f"<p>{FRENCH}</p>",
        ),
        item(
            3,
            "video",
            2,
            author_name="Tomás Ibarra",
            author_acct="tomas@instituto.example",
            url="https://instituto.example/@tomas/3",
            uri="https://instituto.example/users/tomas/statuses/3",
            spoiler_text="Conflicto escolar",
            text="Hemos grabado con OBS un recorrido por el nuevo protocolo de convivencia para familias.",
            html="<p>Hemos grabado con OBS un recorrido por el nuevo protocolo de convivencia.</p>",
        ),
        item(
            4,
            "tool",
            0,
            author_name="Priya Natarajan",
            author_acct="priya@coach.example",
            url="https://coach.example/@priya/4",
            uri="https://coach.example/users/priya/statuses/4",
            text="We collect staff questions on a Padlet wall before every flipped meeting. " * 12,
            html="<p>We collect staff questions on a Padlet wall before every flipped meeting.</p>",
            tool_names=("Padlet",),
        ),
        item(
            5,
            "question",
            0,
            author_name="Jamie Chen",
            author_acct="jamie@school.example",
            url="https://school.example/@jamie/5",
            uri="https://school.example/users/jamie/statuses/5",
            text=QUESTION,
            html=f"<p>{QUESTION}</p>",
            answers=(Answer("Sam Okafor", "https://school.example/@sam/51"),),
        ),
    ),
)
