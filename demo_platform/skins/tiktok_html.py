"""Server-rendered HTML of the TikTok skin, with TikTok's `data-e2e` test attributes.

The profile page ships an empty `user-post-item-list` and the video page a closed, empty comment
panel; /static/tiktok.js fills both from the web API, as on the real site.
"""

from __future__ import annotations

from html import escape

from demo_platform.model import Account, Post, iso


def number_nl(value: int) -> str:
    """TikTok's short counts, Dutch style: 950, 12,3K, 1,2M."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".", ",")
    if value >= 10_000:
        return f"{value / 1_000:.1f}K".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def layout(title: str, main: str, *, meta: str = "", page_kind: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="TikTok (SMA demo)">
<meta property="og:site_name" content="TikTok">
<title>{escape(title)}</title>
{meta}<link rel="icon" href="/favicon.ico" type="image/png">
<link rel="stylesheet" href="/static/tiktok.css">
<script src="/static/tiktok.js" defer></script>
</head>
<body>
<div id="app" data-page="{page_kind}">
<div class="DivHeaderContainer" data-e2e="top-bar">
<a data-e2e="tiktok-logo" href="/tiktok/" class="logo">♪ TikTok</a>
<input data-e2e="search-user-input" type="search" placeholder="Zoeken" aria-label="Zoeken" disabled>
<a data-e2e="top-login-button" class="login" href="/tiktok/">Inloggen</a>
</div>
<div class="DivBodyContainer">
<nav class="DivSideNav" data-e2e="nav"><a href="/tiktok/" data-e2e="nav-foryou">Voor jou</a>
<a href="/tiktok/" data-e2e="nav-explore">Ontdekken</a><a href="/tiktok/" data-e2e="nav-following">Volgend</a></nav>
<main class="DivMainContainer">
{main}
</main>
</div>
</div>
<noscript>Schakel JavaScript in om TikTok te gebruiken.</noscript>
</body>
</html>
"""


def profile_page(account: Account, avatar: str) -> str:
    handle, name = escape(account.handle), escape(account.name)
    count = len(account.live_posts())
    likes = sum(p.favourites for p in account.live_posts())
    main = f"""<div data-e2e="user-page" class="DivShareLayoutV2">
<div class="DivShareLayoutHeader">
<div class="DivShareInfo">
<img data-e2e="user-avatar" src="{avatar}" alt="{name}" width="116" height="116">
<div class="DivShareTitleContainer">
<h1 data-e2e="user-title">{handle}</h1><span class="verified" title="Geverifieerd account">✔</span>
<h2 data-e2e="user-subtitle">{name}</h2>
<button data-e2e="follow-button" type="button">Volgen</button>
</div>
</div>
<h3 class="H3CountInfos">
<div><strong data-e2e="following-count">{number_nl(account.following)}</strong> <span>Volgend</span></div>
<div><strong data-e2e="followers-count" title="{account.followers}">{number_nl(account.followers)}</strong>
<span>Volgers</span></div>
<div><strong data-e2e="likes-count">{number_nl(likes)}</strong> <span>Vind-ik-leuks</span></div>
</h3>
<h2 data-e2e="user-bio">{escape(account.bio)}</h2>
</div>
<div class="DivVideoFeedTab" role="tablist">
<p data-e2e="videos-tab" role="tab" aria-selected="true" data-video-count="{count}"><span>Video's</span></p>
<p data-e2e="liked-tab" role="tab" aria-selected="false"><span>Vind ik leuk</span></p>
</div>
<div data-e2e="user-post-item-list" class="DivVideoFeedV2" data-sec-uid="{account.id}"
 data-unique-id="{handle}">
<div class="DivLoadMore" role="progressbar" aria-label="Laden"><span class="spinner"></span></div>
</div>
</div>"""
    meta = (f'<meta property="og:title" content="{name} (@{handle}) | TikTok">\n'
            f'<meta property="og:type" content="profile">\n')
    return layout(f"{account.name} (@{account.handle}) | TikTok", main, meta=meta,
                  page_kind="profile")


def video_page(post: Post, avatar: str, comments: int) -> str:
    account = post.account
    handle, name = escape(account.handle), escape(account.name)
    date = post.created_at.strftime("%-d-%-m-%Y")
    main = f"""<div data-e2e="video-detail" class="DivVideoDetailContainer" data-video-id="{post.id}">
<div class="DivVideoContainer"><div class="DivPlayerContainer">
<video src="/tiktok/video/{post.id}.webm" poster="/tiktok/cover/{post.id}.png" autoplay muted playsinline
 preload="auto" controls aria-label="Video"></video>
</div></div>
<div class="DivContentContainer">
<div data-e2e="browse-video-info" class="DivAuthorContainer">
<a data-e2e="browse-user-avatar" href="/tiktok/@{handle}"><img src="{avatar}" alt="" width="40" height="40"></a>
<a href="/tiktok/@{handle}" class="StyledLink"><span data-e2e="browse-username">{handle}</span>
<span data-e2e="browser-nickname">{name} · {date}</span></a>
<button data-e2e="browse-follow" type="button">Volgen</button>
</div>
<h1 data-e2e="browse-video-desc" class="DivDescription"><span>{escape(post.text)}</span>{edited(post)}</h1>
<div class="DivActionBar">
<button type="button" aria-label="Vind ik leuk: {post.favourites}"><span data-e2e="like-icon">♥</span>
<strong data-e2e="like-count">{number_nl(post.favourites)}</strong></button>
<button type="button" aria-label="Reacties lezen of toevoegen. {comments} reacties"
 aria-controls="comment-panel" aria-expanded="false" class="ButtonComment">
<span data-e2e="comment-icon">💬</span>
<strong data-e2e="comment-count" data-count="{comments}">{number_nl(comments)}</strong>
</button>
<button type="button" aria-label="Delen: {post.boosts}"><span data-e2e="share-icon">↗</span>
<strong data-e2e="share-count">{number_nl(post.boosts)}</strong></button>
</div>
<div id="comment-panel" class="DivCommentContainer" hidden>
<p data-e2e="comment-title" class="PCommentTitle">{number_nl(comments)} reacties</p>
<div data-e2e="comment-list" class="DivCommentListContainer" data-aweme-id="{post.id}">
<div class="DivCommentLoadMore" role="progressbar" aria-label="Reacties laden"><span class="spinner"></span></div>
</div>
<div class="DivCommentFooter"><div data-e2e="comment-input" class="DivInputEditor">Log in om te reageren</div></div>
</div>
</div>
</div>"""
    title = post.text if len(post.text) <= 60 else post.text[:57].rstrip() + "…"
    meta = (f'<meta property="og:title" content="{escape(title)}">\n'
            f'<meta property="og:type" content="video.other">\n')
    return layout(f"{title} | TikTok", main, meta=meta, page_kind="video")


def edited(post: Post) -> str:
    """Only on an edited description: "Bewerkt" under it, with the time for machines."""
    if post.edited_at is None:
        return ""
    return (f' <small class="edited" data-e2e="video-edited" data-edited-at="{iso(post.edited_at)}">'
            f"Bewerkt</small>")


def landing_page(accounts: list[Account]) -> str:
    items = "".join(
        f'<li><a href="/tiktok/@{escape(a.handle)}" data-e2e="search-user-container">'
        f'{escape(a.name)} <span>@{escape(a.handle)}</span></a></li>' for a in accounts)
    main = f'<h2>Voorgestelde accounts</h2><ul class="UlAccounts">{items}</ul>'
    return layout("TikTok - Maak je dag", main, page_kind="home")


def not_found_page() -> str:
    main = """<div class="DivErrorContainer"><p class="PTitle">Deze pagina is niet beschikbaar</p>
<p>Misschien is de video verwijderd of is de link onjuist.</p><a href="/tiktok/">Ga naar Voor jou</a></div>"""
    return layout("Niet gevonden | TikTok", main, page_kind="error")
