"""Server-rendered HTML of the Facebook skin: ARIA roles as on facebook.com, Dutch UI.

The frame, the profile header and the cookie dialog are server-rendered; the feed and comments
come from /static/facebook.js and the GraphQL-style API.
"""

from __future__ import annotations

from html import escape

from demo_platform.model import Account, Person, Post
from demo_platform.skins.assets import number_nl

COOKIE_DIALOG = """<div class="cookie-layer" id="cookie-layer" hidden>
<div role="dialog" aria-modal="true" class="cookie-dialog"
 aria-label="Het gebruik van cookies van Facebook toestaan in deze browser?">
<h2>Het gebruik van cookies van Facebook toestaan in deze browser?</h2>
<p>We gebruiken cookies om inhoud te personaliseren, advertenties af te stemmen en te meten en om
een veiligere ervaring te bieden. Dit is een demo van SMA; er worden geen gegevens verwerkt.</p>
<div class="cookie-buttons">
<div role="button" tabindex="0" aria-label="Optionele cookies weigeren" data-cookie="decline">
Optionele cookies weigeren</div>
<div role="button" tabindex="0" aria-label="Alle cookies toestaan" data-cookie="allow" class="primary">
Alle cookies toestaan</div>
</div></div></div>"""


def layout(title: str, main: str, *, meta: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl" id="facebook">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:site_name" content="Facebook">
<meta name="application-name" content="Facebook (SMA demo)">
<title>{escape(title)}</title>
{meta}<link rel="icon" href="/favicon.ico" type="image/png">
<link rel="stylesheet" href="/static/facebook.css">
<script src="/static/facebook.js" defer></script>
</head>
<body>
<div role="banner" class="topnav"><a class="logo" href="/facebook" aria-label="Facebook">f</a>
<input type="search" placeholder="Zoeken op Facebook" aria-label="Zoeken op Facebook" disabled>
<a class="login" href="/facebook">Aanmelden</a></div>
<div role="main" class="main">
{main}
</div>
{COOKIE_DIALOG}
<noscript><div class="noscript">Schakel JavaScript in om Facebook te gebruiken.</div></noscript>
</body>
</html>
"""


def profile_page(who: Account | Person, posts: int, header_src: str) -> str:
    handle, name = escape(who.handle), escape(who.name)
    followers = who.followers if isinstance(who, Account) else int(who.id[-3:])
    main = f"""<div class="profile-header" data-pagelet="ProfileTilesFeed">
<div class="cover"><img src="{header_src}" alt="Omslagfoto van {name}"></div>
<div class="identity">
<img class="profile-picture" src="/facebook/avatars/{handle}" alt="{name}" width="168" height="168">
<div><h1 class="profile-name">{name}</h1>
<div class="profile-handle">@{handle}</div>
<div class="profile-stats">
<span data-counter="followers" data-count="{followers}">{number_nl(followers)} volgers</span> ·
<span data-counter="posts" data-count="{posts}">{number_nl(posts)} berichten</span></div></div></div>
<div class="intro"><h2>Intro</h2><p>{escape(who.bio)}</p></div>
<div role="tablist" class="tabs"><a role="tab" aria-selected="true" href="/facebook/{handle}">Berichten</a>
<a role="tab" aria-selected="false" href="/facebook/{handle}">Info</a>
<a role="tab" aria-selected="false" href="/facebook/{handle}">Foto's</a></div>
</div>
<div class="column"><h2 class="feed-title">Berichten</h2>
<div role="feed" id="feed" data-profile-id="{who.id}" data-handle="{handle}" aria-busy="true"></div>
<div class="feed-sentinel" aria-hidden="true"></div></div>"""
    meta = f'<meta property="og:title" content="{name}">\n<meta property="og:type" content="profile">\n'
    return layout(f"{who.name} | Facebook", main, meta=meta)


def post_page(post: Post) -> str:
    account = post.account
    main = f"""<div class="column">
<div id="post" data-post-id="{post.id}" data-handle="{escape(account.handle)}" aria-busy="true">
<div class="loading" role="progressbar" aria-label="Laden...">Laden...</div></div></div>"""
    meta = (f'<meta property="og:title" content="{escape(account.name)}">\n'
            f'<meta property="og:type" content="article">\n')
    snippet = post.text if len(post.text) <= 50 else post.text[:47] + "..."
    return layout(f"{account.name} - {snippet} | Facebook", main, meta=meta)


def landing_page(accounts: list[Account]) -> str:
    items = "".join(f'<li><a href="/facebook/{escape(a.handle)}">{escape(a.name)}</a></li>'
                    for a in accounts)
    return layout("Facebook", f'<div class="column"><h2>Pagina\'s</h2><ul>{items}</ul></div>')


def not_found_page() -> str:
    main = ('<div class="column error"><h2>Deze content is momenteel niet beschikbaar</h2>'
            '<p><a href="/facebook">Ga naar het nieuwsoverzicht</a></p></div>')
    return layout("Pagina niet gevonden | Facebook", main)
