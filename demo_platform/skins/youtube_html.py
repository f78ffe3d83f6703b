"""Server-rendered HTML of the YouTube skin, with YouTube's custom element names.

The channel page ships an empty `ytd-rich-grid-renderer` and the watch page an empty
`ytd-comments` section; /static/youtube.js fills both from the JSON API, as on the real site.
"""

from __future__ import annotations

from html import escape

from demo_platform.model import Account, Post
from demo_platform.skins.assets import number_nl

SITE = "YouTube"


def layout(title: str, main: str, *, meta: str = "", page_subtype: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl" dark="false">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="YouTube (SMA demo)">
<meta property="og:site_name" content="{SITE}">
<title>{escape(title)}</title>
{meta}<link rel="icon" href="/favicon.ico" type="image/png">
<link rel="stylesheet" href="/static/youtube.css">
<script src="/static/youtube.js" defer></script>
</head>
<body>
<ytd-app page-subtype="{page_subtype}">
<div id="masthead-container"><ytd-masthead id="masthead">
<a id="logo" href="/youtube/" title="YouTube-startpagina"><span class="logo-mark">▶</span> YouTube <sup>NL</sup></a>
<div id="center"><input id="search" type="text" placeholder="Zoeken" aria-label="Zoeken" disabled></div>
<div id="end"><a class="sign-in" href="/youtube/">Inloggen</a></div>
</ytd-masthead></div>
<div id="page-manager">
{main}
</div>
</ytd-app>
<noscript><div class="noscript">Schakel JavaScript in om YouTube te gebruiken.</div></noscript>
</body>
</html>
"""


def channel_page(account: Account, avatar: str, banner: str) -> str:
    handle, name = escape(account.handle), escape(account.name)
    count = len(account.live_posts())
    main = f"""<ytd-browse page-subtype="channels" role="main">
<div id="page-header" class="page-header-view-model">
<div class="banner"><img src="{banner}" alt=""></div>
<div class="header-row">
<yt-decorated-avatar-view-model>
<img id="avatar" src="{avatar}" alt="{name}" width="160" height="160"></yt-decorated-avatar-view-model>
<div class="header-meta">
<h1 id="channel-name"><span class="yt-core-attributed-string">{name}</span>
<span class="badge-verified" title="Geverifieerd">✔</span></h1>
<div id="channel-handle-row"><span id="channel-handle">@{handle}</span> •
<span id="subscriber-count" data-count="{account.followers}">{number_nl(account.followers)} abonnees</span> •
<span id="videos-count" data-count="{count}">{number_nl(count)} video's</span></div>
<p id="channel-description">{escape(account.bio)}</p>
<button class="subscribe" type="button">Abonneren</button>
</div>
</div>
<div id="tabs" role="tablist">
<a role="tab" href="/youtube/@{handle}/videos">Home</a>
<a role="tab" aria-selected="true" class="selected" href="/youtube/@{handle}/videos">Video's</a>
<a role="tab" href="/youtube/@{handle}/videos">Shorts</a>
<a role="tab" href="/youtube/@{handle}/videos">Playlists</a>
</div>
</div>
<ytd-rich-grid-renderer id="grid" data-channel-id="{account.id}">
<div id="contents">
<ytd-continuation-item-renderer class="grid-continuation">
<div class="spinner" role="progressbar" aria-label="Laden"></div></ytd-continuation-item-renderer>
</div>
</ytd-rich-grid-renderer>
</ytd-browse>"""
    meta = (f'<meta property="og:title" content="{name}">\n'
            f'<meta property="og:type" content="profile">\n'
            f'<link rel="canonical" href="/youtube/@{handle}">\n')
    return layout(f"{account.name} - YouTube", main, meta=meta, page_subtype="channels")


def watch_page(post: Post, avatar: str, published: str, view_count: int,
               edited_at: str | None = None) -> str:
    account = post.account
    handle, name = escape(account.handle), escape(account.name)
    title = post.text if len(post.text) <= 70 else post.text[:67].rstrip() + "…"
    main = f"""<ytd-watch-flexy video-id="{post.id}" role="main">
<div id="columns"><div id="primary">
<div id="player"><div class="html5-video-player">
<video class="html5-main-video" src="/youtube/videoplayback/{post.id}.webm" poster="/youtube/vi/{post.id}/hqdefault.png"
 controls preload="auto" autoplay muted playsinline aria-label="Videospeler"></video>
</div></div>
<div id="above-the-fold">
<h1 id="title"><yt-formatted-string>{escape(title)}</yt-formatted-string></h1>
<div id="top-row">
<ytd-video-owner-renderer>
<a href="/youtube/@{handle}/videos"><img class="owner-avatar" src="{avatar}" alt="" width="40" height="40"></a>
<div id="upload-info"><a id="channel-name" href="/youtube/@{handle}/videos">{name}</a>
<span id="owner-sub-count">{number_nl(account.followers)} abonnees</span></div>
<button class="subscribe" type="button">Abonneren</button>
</ytd-video-owner-renderer>
<div id="actions"><span class="like-count" data-count="{post.favourites}">👍 {number_nl(post.favourites)}</span>
<span class="share">Delen</span></div>
</div>
<div id="description"><div id="info">
<span class="view-count" data-count="{view_count}">{number_nl(view_count)} weergaven</span>
<span class="date">{escape(published)}</span>{edited_marker(edited_at)}</div>
<yt-attributed-string id="description-text"><span>{escape(post.text)}</span></yt-attributed-string>
</div>
</div>
<ytd-comments id="comments" data-video-id="{post.id}">
<ytd-item-section-renderer id="sections">
<div id="header"></div>
<div id="contents">
<ytd-continuation-item-renderer class="comments-continuation">
<div class="spinner" role="progressbar" aria-label="Reacties laden"></div>
</ytd-continuation-item-renderer>
</div>
</ytd-item-section-renderer>
</ytd-comments>
</div></div>
</ytd-watch-flexy>"""
    meta = (f'<meta property="og:title" content="{escape(title)}">\n'
            f'<meta property="og:type" content="video.other">\n'
            f'<meta property="og:video" content="/youtube/videoplayback/{post.id}.webm">\n')
    return layout(f"{title} - YouTube", main, meta=meta, page_subtype="watch")


def edited_marker(edited_at: str | None) -> str:
    """Only on an edited video: YouTube itself does not mark these, the demo does for tests."""
    if edited_at is None:
        return ""
    return f' <span class="edited" data-edited-at="{escape(edited_at)}">(bewerkt)</span>'


def landing_page(accounts: list[Account]) -> str:
    items = "".join(
        f'<li><a href="/youtube/@{escape(a.handle)}/videos">{escape(a.name)} '
        f'<span class="handle">@{escape(a.handle)}</span></a></li>' for a in accounts)
    main = f"""<ytd-browse page-subtype="home" role="main"><h2 class="shelf-title">Kanalen</h2>
<ul class="channel-list">{items}</ul></ytd-browse>"""
    return layout("YouTube", main, page_subtype="home")


def not_found_page() -> str:
    main = """<div class="error-page"><h2>Deze pagina is niet beschikbaar.</h2>
<p>Sorry. Probeer iets anders te zoeken.</p><p><a href="/youtube/">Naar de startpagina</a></p></div>"""
    return layout("404 Niet gevonden - YouTube", main, page_subtype="error")
