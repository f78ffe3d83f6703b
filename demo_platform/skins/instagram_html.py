"""Server-rendered HTML of the Instagram skin: the frame, the profile header and empty
containers that /static/instagram.js fills from the JSON API, as on the real site."""

from __future__ import annotations

from html import escape

from demo_platform.model import Account, Person, Post
from demo_platform.skins.assets import number_nl

SITE = "Instagram"


def layout(title: str, main: str, *, meta: str = "", body_class: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl" class="ig">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:site_name" content="{SITE}">
<meta name="application-name" content="{SITE} (SMA demo)">
<title>{escape(title)}</title>
{meta}<link rel="icon" href="/favicon.ico" type="image/png">
<link rel="stylesheet" href="/static/instagram.css">
<script src="/static/instagram.js" defer></script>
</head>
<body class="{body_class}">
<div id="react-root">
<div class="ig-shell">
<nav class="ig-nav" aria-label="Hoofdnavigatie">
<a class="ig-logo" href="/instagram/">Instagram</a>
<a href="/instagram/">Startpagina</a>
<a href="/instagram/ministerie-demo/">Ministerie van Demo</a>
<a class="ig-login" href="/instagram/accounts/login/">Inloggen</a>
</nav>
<main class="ig-main" role="main">
{main}
</main>
</div>
<footer class="ig-footer">Instagram (SMA demo) · Gegevens zijn fictief · Nederlands</footer>
</div>
<noscript><div class="noscript">Schakel JavaScript in om Instagram te gebruiken.</div></noscript>
</body>
</html>
"""


def stat(kind: str, value: int, label: str) -> str:
    return (f'<li><span class="stat" data-counter="{kind}" data-count="{value}">'
            f'<span class="stat-value">{number_nl(value)}</span> {label}</span></li>')


def profile_page(who: Account | Person, avatar: str, *, posts: int, followers: int,
                 following: int) -> str:
    handle, name = escape(who.handle), escape(who.name)
    verified = ('<span class="verified" title="Geverifieerd" aria-label="Geverifieerd">✔</span>'
                if isinstance(who, Account) else "")
    main = f"""<header class="profile-header" data-user-id="{who.id}" data-username="{handle}">
<div class="profile-pic"><img src="{avatar}" alt="Profielfoto van {handle}" width="150" height="150"></div>
<section class="profile-info">
<div class="profile-title"><h2 class="profile-username">{handle}</h2>{verified}
<button type="button" class="follow-button">Volgen</button></div>
<ul class="profile-stats">
{stat("posts", posts, "berichten")}
{stat("followers", followers, "volgers")}
{stat("following", following, "volgend")}
</ul>
<div class="profile-bio"><h1 class="profile-fullname">{name}</h1>
<p>{escape(who.bio)}</p></div>
</section>
</header>
<div class="profile-tabs" role="tablist"><a class="active" role="tab" href="/instagram/{handle}/">Berichten</a>
<a role="tab" href="/instagram/{handle}/">Getagd</a></div>
<div class="post-grid" id="grid" role="feed" aria-busy="false" data-user-id="{who.id}"></div>
<div class="grid-sentinel" aria-hidden="true"></div>"""
    meta = (f'<meta property="og:title" content="{name} (@{handle}) • Instagram-foto\'s en -video\'s">\n'
            f'<meta property="og:type" content="profile">\n')
    return layout(f"{who.name} (@{who.handle}) • Instagram-foto's en -video's", main, meta=meta,
                  body_class="page-profile")


def post_page(post: Post, code: str, avatar: str) -> str:
    handle = escape(post.account.handle)
    main = f"""<article class="post-view" id="post" data-media-id="{post.id}" data-code="{code}"
 data-username="{handle}" aria-busy="true">
<div class="post-loading" role="status">Laden…</div>
</article>"""
    snippet = post.text if len(post.text) <= 60 else post.text[:57] + "…"
    meta = (f'<meta property="og:title" content="{escape(post.account.name)} op Instagram">\n'
            f'<meta property="og:type" content="article">\n'
            f'<meta property="og:image" content="{avatar}">\n')
    return layout(f'{post.account.name} op Instagram: "{snippet}"', main, meta=meta,
                  body_class="page-post")


def landing_page(accounts: list[Account]) -> str:
    items = "".join(f'<li><a href="/instagram/{escape(a.handle)}/">{escape(a.name)} '
                    f'(@{escape(a.handle)})</a></li>' for a in accounts)
    return layout("Instagram", f'<section class="landing"><h1>Ontdek accounts</h1><ul>{items}</ul>'
                  "</section>", body_class="page-landing")


def login_page() -> str:
    main = """<section class="login"><h1>Instagram</h1>
<form id="loginForm" method="post" action="/instagram/accounts/login/">
<input name="username" aria-label="Telefoonnummer, gebruikersnaam of e-mailadres">
<input name="password" type="password" aria-label="Wachtwoord">
<button type="submit" disabled>Inloggen</button></form></section>"""
    return layout("Inloggen • Instagram", main, body_class="page-login")


def not_found_page() -> str:
    main = """<section class="error-page"><h2>Deze pagina is niet beschikbaar.</h2>
<p>De link die je hebt gevolgd, werkt mogelijk niet of de pagina is verwijderd.
<a href="/instagram/">Ga terug naar Instagram.</a></p></section>"""
    return layout("Pagina niet gevonden • Instagram", main, body_class="page-error")
