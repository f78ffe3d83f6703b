"""HTML of the server-rendered timeline skin: `h-entry` articles with `e-content` and
permalinks (Mastodon's public pages, microformats), Nitter-like `timeline-item` rows and
`show-more` links; no script."""

from __future__ import annotations

from html import escape

from demo_platform.model import Account, Comment, Person, Post, Status, iso
from demo_platform.skins.assets import number_nl

SITE = "overheid.social"


def layout(title: str, main: str, *, head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{head}<link rel="stylesheet" href="/static/timeline.css">
</head>
<body class="public-layout">
<nav class="top-nav"><a class="brand" href="/timeline/">{SITE}</a> <a href="/timeline/">Verkennen</a></nav>
<main class="container timeline-container">
{main}
</main>
<footer class="footer">SMA demo · gegevens zijn fictief</footer>
</body>
</html>
"""


def author_of(status: Status) -> Account | Person:
    return status.account if isinstance(status, Post) else status.author


def entry(post: Post, status: Status, *, kind: str, replies: int = 0, inline: bool = False,
          parent: str | None = None) -> str:
    who = author_of(status)
    handle = escape(who.handle)
    link = f"/timeline/{escape(post.account.handle)}/status/{status.id}"
    edited = (f' <span class="edited" data-edited-at="{iso(status.edited_at)}">bewerkt</span>'
              if status.edited_at else "")
    counter = ""
    if replies:
        label = "1 antwoord" if replies == 1 else f"{number_nl(replies)} antwoorden"
        counter = f'<a class="tweet-stat replies-count" href="{link}">{label}</a>'
    reply_to = f' data-in-reply-to="{parent}"' if parent else ""
    return (f'<article class="entry h-entry timeline-item {kind}{" thread-line" if inline else ""}" role="article"'
            f' id="s{status.id}" data-status-id="{status.id}"{reply_to}>'
            f'<header class="tweet-header"><img class="avatar u-photo" src="/timeline/avatars/{handle}" alt=""'
            f' width="48" height="48"> <a class="fullname p-author h-card" href="/timeline/{handle}">'
            f'{escape(who.name)}</a> <span class="username">@{handle}</span> '
            f'<a class="tweet-date u-url" href="{link}"><time class="dt-published" datetime="{iso(status.created_at)}">'
            f'{status.created_at:%d-%m-%Y %H:%M}</time></a>{edited}</header>'
            f'<div class="tweet-content e-content"><p>{escape(status.text, quote=False)}</p></div>'
            f'<footer class="tweet-stats">{counter}</footer></article>')


def profile_page(who: Account | Person, posts: list[Post], older: str | None, total: int,
                 paged: bool) -> str:
    handle = escape(who.handle)
    items = "".join(entry(p, p, kind="status", replies=len(p.live_comments())) for p in posts)
    more = ""
    head = ""
    if older:
        href = f"/timeline/{handle}?max_id={older}"
        more = f'<div class="show-more"><a class="load-more" rel="next" href="{href}">Oudere berichten</a></div>'
        head = f'<link rel="next" href="{href}">\n'
    newer = (f'<div class="show-more top"><a href="/timeline/{handle}">Nieuwste berichten</a></div>'
             if paged else "")
    main = f"""<div class="profile-card h-card"><img class="profile-card-avatar" src="/timeline/avatars/{handle}"
 alt="" width="96" height="96"><h1 class="profile-card-fullname p-name">{escape(who.name)}</h1>
<p class="profile-card-username">@{handle}@{SITE}</p>
<p class="profile-statlist"><span class="posts" data-count="{total}">{number_nl(total)} berichten</span></p></div>
<div class="timeline h-feed" role="feed">{newer}{items}{more}</div>"""
    return layout(f"{who.name} (@{who.handle}) - {SITE}", main, head=head)


def status_page(post: Post, status: Status, ancestors: list[Comment],
                shown: list[tuple[Comment, int, bool]], number: int, pages: int, total: int) -> str:
    base = f"/timeline/{escape(post.account.handle)}/status/{status.id}"
    parts = []
    if isinstance(status, Comment):
        parts.append(entry(post, post, kind="status ancestor", replies=total))
        parts += [entry(post, a, kind="reply ancestor") for a in ancestors]
    main_kind = "status main-tweet" if isinstance(status, Post) else "reply main-tweet"
    parts.append(entry(post, status, kind=main_kind, replies=total if isinstance(status, Post) else 0))
    replies = []
    for comment, below, inline in shown:
        more = ""
        if below and (inline or below > 3):
            link = f"/timeline/{escape(post.account.handle)}/status/{comment.id}"
            label = "Toon 1 antwoord" if below == 1 else f"Toon {below} antwoorden"
            more = f'<div class="more-replies"><a class="more-replies-text" href="{link}">{label}</a></div>'
        replies.append(entry(post, comment, kind="reply", replies=below, inline=inline,
                             parent=comment.parent or post.id) + more)
    nav = []
    if number > 1:
        nav.append(f'<a class="prev" rel="prev" href="{base}?page={number - 1}">Vorige</a>')
    if number < pages:
        nav.append(f'<a class="next" rel="next" href="{base}?page={number + 1}">Volgende</a>')
    head = f'<link rel="next" href="{base}?page={number + 1}">\n' if number < pages else ""
    heading = f'<h2 class="replies-heading">Reacties <span class="count">({number_nl(total)})</span></h2>' \
        if isinstance(status, Post) else '<h2 class="replies-heading">Antwoorden</h2>'
    main = (f'<div class="conversation main-thread">{"".join(parts)}</div>'
            f'<section class="replies" aria-label="Reacties">{heading}{"".join(replies)}'
            f'<nav class="show-more pager">{" ".join(nav)}</nav></section>')
    text = status.text if len(status.text) <= 60 else status.text[:57] + "…"
    return layout(f'{author_of(status).name}: "{text}" - {SITE}', main, head=head)


def landing_page(accounts: list[Account]) -> str:
    items = "".join(f'<li><a href="/timeline/{escape(a.handle)}">{escape(a.name)}</a></li>' for a in accounts)
    return layout(SITE, f'<h1>{SITE}</h1><ul class="accounts">{items}</ul>')


def not_found_page() -> str:
    return layout(f"Niet gevonden - {SITE}", '<div class="error-panel"><h1>Niet gevonden</h1>'
                  '<p>Deze pagina bestaat niet.</p><a href="/timeline/">Terug</a></div>')
