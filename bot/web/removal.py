"""Authors remove their own posts from the archive.

Every archive item links to ``/remove/<post id>``. The author proves the post is theirs by signing in
with the Mastodon account that wrote it (OAuth on that account's own instance, see
:mod:`bot.web.mastodon_oauth`), or by replying ``optout`` to the bot (handled by
:mod:`bot.consent.optout_requests`). A confirmed removal deletes the stored post, so it leaves the
archive's pages, its search index and its feeds at once, and records its URI so it is never stored or
featured again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.web.archive import path_id
from bot.web.mastodon_oauth import MastodonSignIn, SignedIn, SignInError, instance_of
from bot.web.security import csrf_valid
from bot.web.threads import in_thread, in_thread_with_form
from storage import archive_queries as queries
from storage import digests as digest_repo
from storage import repository as repo
from storage.db import session_scope
from storage.models import Post as PostRow

FLOW = "removal_flow"
VERIFIED = "removal_verified"
# How long a sign-in may take, and how long after it the author may still confirm.
FLOW_SECONDS = 15 * 60


def is_author(author_acct: str, author_url: str, signed_in: SignedIn) -> bool:
    """Whether the account an instance vouched for wrote a post by ``author_acct`` at ``author_url``.

    The sign-in happened on the instance that serves ``author_url`` (so it speaks for that URL); the
    username and the profile URL must both be the post author's. Pure.

    >>> is_author("maria@school.example", "https://school.example/@maria",
    ...           SignedIn("Maria", "https://school.example/@maria"))
    True
    >>> is_author("maria@school.example", "https://school.example/@maria",
    ...           SignedIn("mallory", "https://school.example/@mallory"))
    False
    """
    return signed_in.username.casefold() == author_acct.split("@")[0].casefold() and _same_url(
        signed_in.url, author_url
    )


def _same_url(first: str, second: str) -> bool:
    def key(url: str) -> tuple[str, str, str]:
        try:
            parts = urlsplit(url.strip())
            return parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/").casefold()
        except ValueError:
            return ("", "", url)

    return bool(first) and key(first) == key(second)


def removal_routes(
    engine: Engine,
    settings: Settings,
    templates: Jinja2Templates,
    clock: Callable[[], datetime],
    sign_in: MastodonSignIn | None = None,
) -> list[Route]:
    base = settings.public_url
    oauth = sign_in or MastodonSignIn(
        engine=engine,
        redirect_uri=f"{base}/remove/callback",
        clock=clock,
        client_name=f"Exemplar · #{settings.digest_hashtag} archive",
        website=base,
    )
    bot_account = _bot_account(settings)

    def shown_post(post_id: int) -> PostRow:
        with session_scope(engine) as session:
            post = queries.post_with_digest(session, post_id)
        if post is None:
            raise HTTPException(404, "That post is not in the archive (perhaps it was removed already)")
        return post

    def render(request: Request, context: dict[str, Any], status: int = 200) -> Response:
        headers = {}
        if context.get("step") == "start" and context.get("instance"):
            headers["content-security-policy"] = _policy_allowing_form_to(str(context["instance"]))
        return templates.TemplateResponse(
            request,
            "removal.html",
            {"bot_account": bot_account, **context},
            status_code=status,
            headers=headers,
        )

    def post_context(post: PostRow) -> dict[str, Any]:
        instance = instance_of(post.author_url) if post.source == "mastodon" else None
        return {
            "post": {
                "id": post.id,
                "author_name": post.author_name or post.author_acct,
                "author_acct": post.author_acct,
                "excerpt": _excerpt(post.text),
            },
            "instance": instance,
            "instance_host": urlsplit(instance).netloc if instance else None,
        }

    def start(request: Request) -> Response:
        post = shown_post(path_id(request, "post_id"))
        return render(request, {**post_context(post), "step": "start"})

    def begin_sign_in(request: Request, form: FormData) -> Response:
        post_id = path_id(request, "post_id")
        check_csrf(request, form)
        post = shown_post(post_id)
        instance = instance_of(post.author_url) if post.source == "mastodon" else None
        if instance is None:
            raise HTTPException(400, "This post's author cannot sign in with Mastodon here")
        try:
            authorization = oauth.authorization(instance)
        except SignInError as error:
            return render(request, {**post_context(post), "step": "start", "error": str(error)}, 502)
        request.session[FLOW] = {
            "state": authorization.state,
            "verifier": authorization.code_verifier,
            "post_id": post.id,
            "instance": instance,
            "started": time.time(),
        }
        return RedirectResponse(authorization.url, status_code=303)

    def callback(request: Request) -> Response:
        flow = request.session.pop(FLOW, None)
        state = request.query_params.get("state", "")
        if not isinstance(flow, dict) or not state or state != flow.get("state"):
            raise HTTPException(400, "This sign-in was not started here, or was already used: start again")
        post = shown_post(int(flow["post_id"]))
        if time.time() - float(flow.get("started", 0)) > FLOW_SECONDS:
            return render(
                request, {**post_context(post), "step": "start", "error": "That took too long."}, 400
            )
        code = request.query_params.get("code", "")
        if not code:
            denied = "The sign-in was cancelled, so nothing was removed."
            return render(request, {**post_context(post), "step": "start", "error": denied}, 400)
        try:
            signed_in = oauth.account(str(flow["instance"]), code, str(flow["verifier"]))
        except SignInError as error:
            return render(request, {**post_context(post), "step": "start", "error": str(error)}, 502)
        if not is_author(post.author_acct, post.author_url, signed_in):
            refused = (
                f"You signed in as {signed_in.username}, but this post is by {post.author_acct}: "
                "only its author can remove it."
            )
            return render(request, {**post_context(post), "step": "start", "error": refused}, 403)
        request.session[VERIFIED] = {"post_id": post.id, "acct": post.author_acct, "at": time.time()}
        return render(request, {**post_context(post), "step": "confirm"})

    def confirm(request: Request, form: FormData) -> Response:
        post_id = path_id(request, "post_id")
        check_csrf(request, form)
        verified = request.session.get(VERIFIED)
        post = shown_post(post_id)
        if (
            not isinstance(verified, dict)
            or verified.get("post_id") != post.id
            or verified.get("acct") != post.author_acct
            or time.time() - float(verified.get("at", 0)) > FLOW_SECONDS
        ):
            raise HTTPException(403, "Sign in as this post's author first")
        everything = form.get("everything") == "yes"
        now = clock()
        with session_scope(engine) as session:
            row = session.get(PostRow, post.id)
            if row is not None:
                queries.record_removal(session, row, via="mastodon sign-in", now=now)
            if everything:
                digest_repo.suppress_author(
                    session,
                    post.author_acct,
                    via="archive sign-in",
                    reason="removed from the archive",
                    now=now,
                )
                repo.delete_posts_by_author(session, post.author_acct)
        request.session.pop(VERIFIED, None)
        return render(request, {**post_context(post), "step": "done", "everything": everything})

    def check_csrf(request: Request, form: FormData) -> None:
        submitted = form.get("csrf")
        token = submitted if isinstance(submitted, str) and submitted.isascii() else None
        if not csrf_valid(request, token):
            raise HTTPException(403, "This form has expired: reload the page and try again")

    return [
        Route("/remove/callback", in_thread(callback), name="removal_callback"),
        Route("/remove/{post_id}", in_thread(start), name="removal"),
        Route(
            "/remove/{post_id}/mastodon",
            in_thread_with_form(begin_sign_in),
            methods=["POST"],
            name="removal_sign_in",
        ),
        Route(
            "/remove/{post_id}/confirm",
            in_thread_with_form(confirm),
            methods=["POST"],
            name="removal_confirm",
        ),
    ]


def _policy_allowing_form_to(instance: str) -> str:
    """The site's Content-Security-Policy, letting the sign-in form lead on to ``instance``: browsers
    apply ``form-action`` to the redirect a form submission answers with."""
    from bot.web.app import CONTENT_SECURITY_POLICY  # the app imports these routes

    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {instance}")


def _bot_account(settings: Settings) -> str | None:
    """The instance of the account that publishes digests (where replying ``optout`` works), if any."""
    publisher = settings.publish_mastodon
    if publisher is None:
        return None
    return urlsplit(publisher.base_url).netloc or None


def _excerpt(text: str, limit: int = 280) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"
