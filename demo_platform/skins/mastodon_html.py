"""Server-rendered HTML of the Mastodon skin, in Mastodon web-UI class names.

Only the frame and the profile header are rendered here; timelines and threads are left empty
on purpose and filled by /static/mastodon.js from the JSON API, as on the real platform.
"""

from __future__ import annotations

from html import escape

from demo_platform.model import Account, Person, Post, iso
from demo_platform.skins.assets import number_nl

GENERATOR = "Mastodon (SMA demo)"
INSTANCE = "demo.social"


def layout(title: str, main: str, *, meta: str = "", body_class: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{GENERATOR}">
<title>{escape(title)}</title>
{meta}<link rel="icon" href="/favicon.ico" type="image/png">
<link rel="stylesheet" href="/static/mastodon.css">
<script src="/static/mastodon.js" defer></script>
</head>
<body class="app-body theme-default {body_class}">
<div class="app-holder" id="mastodon">
<div class="ui">
<div class="columns-area__panels">
<div class="columns-area__panels__pane columns-area__panels__pane--compositional">
<div class="compose-panel">
<a class="logo" href="/" aria-label="{INSTANCE}"><span class="logo__mark">M</span> {INSTANCE}</a>
<div class="search"><input class="search__input" type="text" placeholder="Zoeken" disabled></div>
<div class="server-banner"><p>{INSTANCE} is een demo-server van SMA. Gegevens zijn fictief.</p></div>
<a class="button button--block" href="/about">Account aanmaken</a>
<a class="button button-secondary button--block" href="/about">Inloggen</a>
</div>
</div>
<div class="columns-area__panels__main">
<div class="columns-area columns-area--mobile">
<div class="column" role="region">
{main}
</div>
</div>
</div>
<div class="columns-area__panels__pane columns-area__panels__pane--navigational">
<nav class="navigation-panel">
<a class="column-link column-link--transparent" href="/">Verkennen</a>
<a class="column-link column-link--transparent" href="/@ministerie-demo">Ministerie van Demo</a>
<a class="column-link column-link--transparent" href="/about">Over deze server</a>
</nav>
</div>
</div>
</div>
</div>
<noscript><div class="noscript">Schakel JavaScript in om deze pagina te gebruiken.</div></noscript>
</body>
</html>
"""


def column_header(title: str, back: str | None = None) -> str:
    link = f'<a class="column-back-button" href="{escape(back)}">← Terug</a>' if back else ""
    return (f'<div class="column-header__wrapper"><h1 class="column-header">{link}'
            f'<span class="column-header__title">{escape(title)}</span></h1></div>')


def counter(kind: str, value: int, label: str) -> str:
    return (f'<span class="counter" data-counter="{kind}" data-count="{value}">'
            f'<strong>{number_nl(value)}</strong> {label}</span>')


def status_entry(post: Post, position: int) -> str:
    """One status of a server-rendered timeline page, in the classes the web UI's JS renders."""
    acct, pid = escape(post.account.handle), escape(post.id)
    permalink = f"/@{acct}/{pid}"
    replies = len(post.live_comments())
    when = iso(post.created_at)
    return (f'<article class="status" data-id="{pid}" aria-posinset="{position}" tabindex="0">'
            f'<div class="status__info"><a class="status__relative-time status__permalink" href="{permalink}">'
            f'<time datetime="{when}">{when[:10]}</time></a>'
            f'<a class="status__display-name" href="/@{acct}"><span class="display-name"><bdi>'
            f'<strong class="display-name__html">{escape(post.account.name)}</strong></bdi> '
            f'<span class="display-name__account">@{acct}</span></span></a></div>'
            f'<div class="status__content" lang="nl"><div class="status__content__text translate">'
            f'<p>{escape(post.text, quote=False)}</p></div></div>'
            f'<div class="status__action-bar"><a class="status__action-bar__button" href="{permalink}" '
            f'title="Reageren"><span class="counter" data-counter="replies" data-count="{replies}">'
            f'{number_nl(replies)}</span></a></div></article>')


def older_page(who: Account, entries: list[Post], *, posts: int, followers: int, following: int,
               header_src: str, older: str | None, offset: int) -> str:
    """`/@<handle>?max_id=<id>`: the statuses older than <id>, rendered by the server, as Mastodon's
    public account page did before the web UI took it over (accounts/show.html.haml: 20 statuses,
    `.entry > a.load-more.load-gap` "older" link to `?max_id=<last id>`, and `<link rel=next>`);
    no `#timeline`, so the page's script loads nothing more."""
    items = "".join(status_entry(p, offset + i + 1) for i, p in enumerate(entries))
    more = (f'<div class="entry"><a class="load-more load-gap" rel="next" href="{escape(older)}">'
            f"Oudere berichten</a></div>" if older else '<div class="timeline-end">Einde van de tijdlijn</div>')
    page_html = profile_page(who, posts=posts, followers=followers, following=following, header_src=header_src)
    stream = f'<div class="activity-stream" role="feed">{items}{more}</div>'
    page_html = page_html.replace(TIMELINE_MARKER.format(id=who.id, handle=escape(who.handle)), stream, 1)
    if older:
        page_html = page_html.replace("</head>", f'<link rel="next" href="{escape(older)}">\n</head>', 1)
    return page_html


TIMELINE_MARKER = """<div class="item-list" id="timeline" role="feed" aria-busy="false" data-account-id="{id}"
 data-acct="{handle}"></div>"""


def profile_page(who: Account | Person, *, posts: int, followers: int, following: int,
                 header_src: str) -> str:
    handle, name = escape(who.handle), escape(who.name)
    bio = escape(who.bio)
    fields = "".join(f"<dl><dt>{escape(k)}</dt><dd>{escape(v)}</dd></dl>"
                     for k, v in getattr(who, "fields", []))
    official = isinstance(who, Account)
    badge = '<span class="verified-badge" title="Geverifieerd">✔</span>' if official else ""
    header = f"""<div class="account__header" data-account-id="{who.id}">
<div class="account__header__image"><img src="{header_src}" alt=""></div>
<div class="account__header__bar">
<div class="account__header__tabs">
<a class="avatar" href="/@{handle}"><div class="account__avatar" style="width:92px;height:92px">
<img src="/avatars/{handle}" alt="{name}" width="92" height="92"></div></a>
<div class="account__header__tabs__buttons"><button class="button logo-button" type="button">Volgen</button></div>
</div>
<div class="account__header__tabs__name"><h1><span class="display-name__html">{name}</span> {badge}
<small><span class="display-name__account">@{handle}</span></small></h1></div>
<div class="account__header__extra">
<div class="account__header__bio">
<div class="account__header__content translate"><p>{bio}</p></div>
<div class="account__header__fields">{fields}</div>
</div>
<div class="account__header__extra__links">
<a href="/@{handle}">{counter("posts", posts, "berichten")}</a>
<a href="/@{handle}">{counter("following", following, "volgend")}</a>
<a href="/@{handle}">{counter("followers", followers, "volgers")}</a>
</div>
</div>
</div>
</div>"""
    main = f"""{column_header(who.name)}
<div class="scrollable account-timeline">
{header}
<div class="account__section-headline">
<a class="active" href="/@{handle}">Berichten</a><a href="/@{handle}">Berichten en reacties</a>
<a href="/@{handle}">Media</a>
</div>
{TIMELINE_MARKER.format(id=who.id, handle=handle)}
<div class="load-more-sentinel" aria-hidden="true"></div>
</div>"""
    meta = (f'<meta property="og:title" content="{name} (@{handle}@{INSTANCE})">\n'
            f'<meta property="og:description" content="{bio}">\n'
            f'<meta property="og:type" content="profile">\n')
    title = f"{who.name} (@{who.handle}@{INSTANCE}) - {INSTANCE}"
    return layout(title, main, meta=meta, body_class="page-profile")


def post_page(post: Post) -> str:
    account = post.account
    text = escape(post.text)
    main = f"""{column_header("Bericht", back=f"/@{account.handle}")}
<div class="scrollable thread-view">
<div class="thread" id="thread" data-status-id="{post.id}" data-acct="{escape(account.handle)}" aria-busy="true">
<div class="loading-indicator">Laden…</div>
</div>
</div>"""
    meta = (f'<meta property="og:title" content="{escape(account.name)} (@{escape(account.handle)}'
            f'@{INSTANCE})">\n<meta property="og:description" content="{text}">\n'
            f'<meta property="og:type" content="article">\n')
    snippet = post.text if len(post.text) <= 60 else post.text[:57] + "…"
    title = f'{account.name}: "{snippet}" - {INSTANCE}'
    return layout(title, main, meta=meta, body_class="page-status")


def about_page() -> str:
    main = f"""{column_header("Over deze server")}
<div class="scrollable about">
<div class="about__header"><h2>{INSTANCE}</h2>
<p>Gedecentraliseerd sociaal netwerk, aangedreven door Mastodon (SMA demo).</p></div>
<div class="about__section"><h3>Over</h3>
<p>Deze server is onderdeel van SMA, een archiveringssysteem voor sociale media. Alle accounts,
berichten en persoonsgegevens zijn verzonnen en worden per seed deterministisch gegenereerd.</p></div>
<div class="about__section"><h3>Serverregels</h3><ol class="rules-list">
<li>Geen racisme, seksisme, homofobie, transfobie of xenofobie.</li>
<li>Deel geen persoonsgegevens van anderen.</li>
<li>Geen spam of reclame.</li></ol></div>
<div class="about__section"><h3>Contact</h3><p>Beheerd door het SMA-team.</p></div>
</div>"""
    return layout(f"Over - {INSTANCE}", main, body_class="page-about")


def landing_page(accounts: list[Account]) -> str:
    items = "".join(
        f'<li class="account-card"><a href="/@{escape(a.handle)}"><img src="/avatars/'
        f'{escape(a.handle)}" alt="" width="46" height="46"> <span class="display-name__html">'
        f'{escape(a.name)}</span> <span class="display-name__account">@{escape(a.handle)}'
        f"</span></a></li>" for a in accounts)
    main = f"""{column_header("Verkennen")}
<div class="scrollable explore"><p class="explore__intro">Populaire accounts op {INSTANCE}</p>
<ul class="account-list">{items}</ul></div>"""
    return layout(f"Verkennen - {INSTANCE}", main, body_class="page-explore")


def not_found_page(what: str) -> str:
    main = f"""{column_header("Niet gevonden")}
<div class="scrollable"><div class="regeneration-indicator error-page">
<h2>404</h2><p>{escape(what)}</p><p><a href="/">Terug naar {INSTANCE}</a></p></div></div>"""
    return layout(f"Niet gevonden - {INSTANCE}", main, body_class="page-error")
