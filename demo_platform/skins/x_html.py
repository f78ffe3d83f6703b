"""Server-rendered HTML of the X skin, with X's data-testid conventions.

Only the frame and the profile header are server-rendered; the timeline and conversations are
filled by /static/x.js from the GraphQL-style API.
"""

from __future__ import annotations

from html import escape

from demo_platform.model import Account, Person, Post
from demo_platform.skins.assets import number_nl

SITE = "X (SMA demo)"


def layout(title: str, main: str, *, meta: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:site_name" content="X">
<meta name="application-name" content="{SITE}">
<title>{escape(title)}</title>
{meta}<link rel="icon" href="/favicon.ico" type="image/png">
<link rel="stylesheet" href="/static/x.css">
<script src="/static/x.js" defer></script>
</head>
<body>
<div id="react-root"><div class="app">
<header role="banner" class="nav">
<a class="logo" href="/x" aria-label="X">𝕏</a>
<nav aria-label="Primaire"><a href="/x">Verkennen</a><a href="/x/ministerie-demo">Ministerie van Demo</a></nav>
<a class="login" href="/x">Inloggen</a>
</header>
<main role="main"><div data-testid="primaryColumn" class="primary">
{main}
</div></main>
<aside class="side" aria-label="Wat er gebeurt"><div class="box"><h2>Nieuw op X?</h2>
<p>Dit is een demo van SMA. Alle gegevens zijn fictief.</p></div></aside>
</div></div>
<noscript><div class="noscript">Schakel JavaScript in om X te gebruiken.</div></noscript>
</body>
</html>
"""


def top_bar(title: str, sub: str = "", back: str | None = None) -> str:
    link = f'<a class="back" href="{escape(back)}" aria-label="Terug">←</a>' if back else ""
    small = f"<div class=\"sub\">{escape(sub)}</div>" if sub else ""
    return (f'<div class="topbar">{link}<div><h2>{escape(title)}</h2>{small}</div></div>')


def profile_page(who: Account | Person, posts: int, header_src: str) -> str:
    handle, name = escape(who.handle), escape(who.name)
    badge = ('<svg data-testid="icon-verified" viewBox="0 0 24 24" aria-label="Geverifieerd '
             'account"><circle cx="12" cy="12" r="10"/></svg>') if isinstance(who, Account) else ""
    followers = who.followers if isinstance(who, Account) else int(who.id[-3:])
    following = who.following if isinstance(who, Account) else int(who.id[-5:-3])
    main = f"""{top_bar(who.name, f"{number_nl(posts)} posts")}
<div class="profile" data-testid="UserProfile" data-user-id="{who.id}">
<div class="banner"><img src="{header_src}" alt=""></div>
<div class="head"><a class="avatar" href="/x/{handle}/photo" data-testid="UserAvatar-Container-{handle}">
<img src="/x/avatars/{handle}" alt="{name}" width="134" height="134"></a>
<button type="button" class="follow" data-testid="follow">Volgen</button></div>
<div data-testid="UserName" class="username"><div class="name"><span>{name}</span>{badge}</div>
<div class="handle">@{handle}</div></div>
<div data-testid="UserDescription" class="bio">{escape(who.bio)}</div>
<div class="stats">
<span data-testid="UserPostCount" data-count="{posts}"><b>{number_nl(posts)}</b> posts</span>
<a href="/x/{handle}" data-testid="following" data-count="{following}"><b>{number_nl(following)}</b> Volgend</a>
<a href="/x/{handle}" data-testid="followers" data-count="{followers}"><b>{number_nl(followers)}</b> Volgers</a>
</div>
<nav role="tablist" class="tabs"><a role="tab" aria-selected="true" href="/x/{handle}">Posts</a>
<a role="tab" aria-selected="false" href="/x/{handle}">Antwoorden</a>
<a role="tab" aria-selected="false" href="/x/{handle}">Media</a></nav>
</div>
<section aria-label="Tijdlijn: posts van {name}" role="region">
<div id="timeline" data-user-id="{who.id}" data-handle="{handle}" aria-busy="true"></div>
</section>"""
    meta = (f'<meta property="og:title" content="{name} (@{handle}) op X">\n'
            f'<meta property="og:type" content="profile">\n')
    return layout(f"{who.name} (@{who.handle}) / X", main, meta=meta)


def post_page(post: Post) -> str:
    account = post.account
    main = f"""{top_bar("Post", back=f"/x/{account.handle}")}
<div id="thread" data-tweet-id="{post.id}" data-handle="{escape(account.handle)}" aria-busy="true">
<div class="loading" role="progressbar" aria-label="Laden">Laden…</div>
</div>"""
    meta = (f'<meta property="og:title" content="{escape(account.name)} op X">\n'
            f'<meta property="og:type" content="article">\n')
    snippet = post.text if len(post.text) <= 50 else post.text[:47] + "…"
    return layout(f'{account.name} op X: "{snippet}" / X', main, meta=meta)


def landing_page(accounts: list[Account]) -> str:
    items = "".join(
        f'<li><a href="/x/{escape(a.handle)}"><img src="/x/avatars/{escape(a.handle)}" alt="" '
        f'width="40" height="40"> {escape(a.name)} <span class="handle">@{escape(a.handle)}'
        f"</span></a></li>" for a in accounts)
    return layout("Verkennen / X", f'{top_bar("Verkennen")}<ul class="accounts">{items}</ul>')


def not_found_page() -> str:
    main = (f'{top_bar("Fout")}<div class="error" data-testid="error-detail"><h2>Deze pagina '
            f'bestaat niet.</h2><p><a href="/x">Zoek iets anders</a></p></div>')
    return layout("Pagina niet gevonden / X", main)
