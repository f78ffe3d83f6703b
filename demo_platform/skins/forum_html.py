"""HTML of the forum skin, in the shape of Discourse's pages: `.topic-list` rows, a
`.post-stream` of `article.topic-post` boxes with `.cooked` bodies, "N antwoorden" buttons
that open `section.embedded-posts`, and numbered page links as in its crawler view."""

from __future__ import annotations

from html import escape
from typing import Any

from demo_platform.model import Account, Person, Post, iso
from demo_platform.skins.assets import number_nl

SITE = "Forum Digitale Overheid"


def layout(title: str, main: str, *, head: str = "", body_class: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Discourse (SMA demo)">
<title>{escape(title)}</title>
{head}<link rel="stylesheet" href="/static/forum.css">
<script src="/static/forum.js" defer></script>
</head>
<body class="docked {body_class}">
<section id="main" class="ember-application">
<header class="d-header"><div class="wrap"><div class="contents">
<a class="title" href="/forum/"><span class="d-header-logo">{SITE}</span></a>
<div class="panel"><a class="btn btn-primary sign-up-button" href="/forum/">Aanmelden</a>
<a class="btn login-button" href="/forum/">Inloggen</a></div>
</div></div></header>
<div id="main-outlet" class="wrap" role="main">
{main}
</div>
<footer class="noscript-footer-nav"><a href="/forum/">Home</a> · SMA demo · gegevens zijn fictief</footer>
</section>
</body>
</html>
"""


def avatar(handle: str, size: int) -> str:
    return (f'<img class="avatar" src="/forum/avatars/{escape(handle)}" width="{size}" height="{size}" '
            f'alt="" loading="lazy">')


def pagination(base: str, number: int, pages: int, next_label: str) -> str:
    if pages < 2:
        return ""
    links = []
    if number > 1:
        links.append(f'<a class="prev" rel="prev" href="{base}?page={number - 1}">Vorige</a>')
    for n in range(1, pages + 1):
        if n == number:
            links.append(f'<span class="page current" aria-current="page">{n}</span>')
        else:
            links.append(f'<a class="page" href="{base}?page={n}">{n}</a>')
    if number < pages:
        links.append(f'<a class="next" rel="next" href="{base}?page={number + 1}">{next_label}</a>')
    return f'<nav class="pagination" role="navigation" aria-label="Pagina\'s">{" ".join(links)}</nav>'


def title_of(post: Post) -> str:
    words = post.text.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


def topics_page(who: Account | Person, rows: list[tuple[Post, str, int]], number: int, pages: int,
                total: int) -> str:
    handle = escape(who.handle)
    body = "".join(
        f'<tr class="topic-list-item" data-topic-id="{p.id}"><td class="main-link">'
        f'<a class="title raw-link raw-topic-link" href="{escape(url)}">{escape(title_of(p))}</a></td>'
        f'<td class="posts"><span class="number" title="{count} antwoorden">{number_nl(count)}</span></td>'
        f'<td class="activity"><time datetime="{iso(p.created_at)}">{p.created_at:%d-%m-%Y}</time></td></tr>'
        for p, url, count in rows)
    base = f"/forum/u/{handle}"
    nxt = f'<link rel="next" href="{base}?page={number + 1}">\n' if number < pages else ""
    main = f"""<div class="user-main"><section class="user-primary-navigation">
{avatar(who.handle, 90)}<h1 class="username">{escape(who.name)}</h1><h2 class="full-name">@{handle}</h2>
<p class="user-stats"><span class="topic-count" data-count="{total}">{number_nl(total)} onderwerpen</span></p>
</section>
<table class="topic-list"><thead><tr><th>Onderwerp</th><th>Antwoorden</th><th>Activiteit</th></tr></thead>
<tbody>{body}</tbody></table>
{pagination(base, number, pages, "Meer onderwerpen")}
</div>"""
    return layout(f"Onderwerpen van {who.name} - {SITE}", main, head=nxt, body_class="user-activity-page")


def post_box(item: dict[str, Any]) -> str:
    """One reply (the JS renders the same shape from the JSON and socket messages)."""
    number = item.get("post_number")
    edited = (f' <span class="post-info edits" data-edited-at="{item["edited_at"]}">bewerkt</span>'
              if item.get("edited_at") else "")
    more = ""
    if item["reply_count"]:
        label = "1 antwoord" if item["reply_count"] == 1 else f'{item["reply_count"]} antwoorden'
        more = (f'<button class="widget-button btn-flat show-replies" type="button" aria-expanded="false"'
                f' data-post-id="{item["id"]}" data-count="{item["reply_count"]}">{label}</button>')
    anchor = f' id="post_{number}" data-post-number="{number}"' if number else ""
    return (f'<article class="boxed onscreen-post topic-post" role="article"{anchor} data-post-id="{item["id"]}"'
            f' data-parent="{item["parent"] or ""}"><div class="row"><div class="topic-avatar">'
            f'{avatar(item["username"], 45)}</div><div class="topic-body clearfix"><div class="topic-meta-data">'
            f'<span class="names"><span class="first username"><a href="/forum/u/{escape(item["username"])}">'
            f'{escape(item["name"])}</a></span></span><span class="post-date"><time datetime="{item["created_at"]}">'
            f'{item["created_at"][:10]}</time>{edited}</span></div>'
            f'<div class="cooked"><p>{escape(item["text"], quote=False)}</p></div>'
            f'<section class="post-menu-area clearfix"><nav class="post-controls">{more}</nav></section>'
            f'<section class="embedded-posts bottom" data-parent="{item["id"]}"></section></div></div></article>')


def topic_page(post: Post, url: str, number: int, pages: int, shown: list[dict[str, Any]],
               on_page: int, total: int) -> str:
    account = post.account
    edited = (f' <span class="post-info edits" data-edited-at="{iso(post.edited_at)}">bewerkt</span>'
              if post.edited_at else "")
    first = ""
    if number == 1:
        first = (f'<article class="boxed onscreen-post topic-post topic-owner" role="article" id="post_1"'
                 f' data-post-id="{post.id}" data-post-number="1"><div class="row"><div class="topic-avatar">'
                 f'{avatar(account.handle, 45)}</div><div class="topic-body clearfix"><div class="topic-meta-data">'
                 f'<span class="first username"><a href="/forum/u/{escape(account.handle)}">{escape(account.name)}'
                 f'</a></span><span class="post-date"><time datetime="{iso(post.created_at)}">'
                 f'{post.created_at:%d-%m-%Y}</time>{edited}</span></div>'
                 f'<div class="cooked"><p>{escape(post.text, quote=False)}</p></div></div></div></article>')
    stream = "".join(post_box(item) for item in shown)
    nxt = f'<link rel="next" href="{url}?page={number + 1}">\n' if number < pages else ""
    main = f"""<div id="topic-title"><h1 class="fancy-title" data-topic-id="{post.id}">{escape(title_of(post))}</h1>
<span class="topic-map"><span class="replies-count" data-count="{total}">{number_nl(total)} reacties</span></span></div>
<div class="post-stream" id="topic" data-topic-id="{post.id}" data-page="{number}" data-on-page="{on_page}">
{first}{stream}
</div>
<div class="post-stream-sentinel" aria-hidden="true"></div>
<div class="topic-footer">{pagination(url, number, pages, "Volgende")}</div>"""
    title = f"{title_of(post)} - {SITE}" + (f" - pagina {number}" if number > 1 else "")
    return layout(title, main, head=nxt, body_class="archetype-regular")


def landing_page(accounts: list[Account]) -> str:
    items = "".join(f'<li><a href="/forum/u/{escape(a.handle)}">{escape(a.name)}</a></li>' for a in accounts)
    return layout(SITE, f'<h1>{SITE}</h1><ul class="category-list">{items}</ul>')


def not_found_page() -> str:
    return layout(f"Niet gevonden - {SITE}", '<div class="page-not-found"><h1>Deze pagina bestaat niet '
                  'of is privé.</h1><a href="/forum/">Terug naar home</a></div>')
