"""Server-rendered HTML of the LinkedIn skin, in LinkedIn's class names. The feed and the
comments are left empty and filled by /static/linkedin.js from the voyager JSON API."""

from __future__ import annotations

from html import escape

from demo_platform.model import Account, Person, Post
from demo_platform.skins.assets import number_nl

SITE = "LinkedIn"


def layout(title: str, main: str, *, meta: str = "", body_class: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:site_name" content="{SITE}">
<meta name="application-name" content="{SITE} (SMA demo)">
<title>{escape(title)}</title>
{meta}<link rel="icon" href="/favicon.ico" type="image/png">
<link rel="stylesheet" href="/static/linkedin.css">
<script src="/static/linkedin.js" defer></script>
</head>
<body class="render-mode-BIGPIPE {body_class}">
<header class="global-nav" role="banner"><div class="global-nav__content">
<a class="global-nav__logo" href="/linkedin/" aria-label="LinkedIn">in</a>
<input class="search-global-typeahead__input" placeholder="Zoeken" disabled>
<nav class="global-nav__nav"><a href="/linkedin/">Home</a><a href="/linkedin/company/ministerie-demo/">Bedrijven</a>
<a class="global-nav__signin" href="/linkedin/">Aanmelden</a></nav></div></header>
<div class="application-outlet"><main class="scaffold-layout__main" id="main" role="main">
{main}
</main></div>
<footer class="global-footer">LinkedIn (SMA demo) · Gegevens zijn fictief · Nederlands</footer>
<noscript><div class="noscript">Schakel JavaScript in om LinkedIn te gebruiken.</div></noscript>
</body>
</html>
"""


def company_page(account: Account, logo: str, banner: str) -> str:
    slug, name = escape(account.handle), escape(account.name)
    posts = len(account.live_posts())
    main = f"""<section class="org-top-card artdeco-card" data-company-id="{account.id}">
<div class="org-top-card__cover"><img src="{banner}" alt=""></div>
<div class="org-top-card-primary-content__logo-container"><img class="org-top-card-primary-content__logo"
 src="{logo}" alt="Logo van {name}" width="112" height="112"></div>
<div class="org-top-card-summary">
<h1 class="org-top-card-summary__title" title="{name}">{name}</h1>
<p class="org-top-card-summary__tagline">{escape(account.bio)}</p>
<div class="org-top-card-summary-info-list">
<span class="org-top-card-summary-info-list__info-item">Overheidsbestuur</span>
<span class="org-top-card-summary-info-list__info-item">Den Haag, Zuid-Holland</span>
<span class="org-top-card-summary-info-list__info-item" data-counter="followers"
 data-count="{account.followers}">{number_nl(account.followers)} volgers</span>
</div>
<p class="org-top-card-summary__slug">linkedin.com/company/<span class="org-slug">{slug}</span></p>
<button type="button" class="follow artdeco-button artdeco-button--primary">+ Volgen</button>
</div>
<nav class="org-page-navigation"><a href="/linkedin/company/{slug}/">Home</a>
<a class="active" href="/linkedin/company/{slug}/">Berichten
 <span class="org-page-posts-count" data-counter="posts" data-count="{posts}">({number_nl(posts)})</span></a></nav>
</section>
<div class="org-updates scaffold-finite-scroll" id="updates" role="feed" aria-busy="false"
 data-company-id="{account.id}"></div>
<div class="scaffold-finite-scroll__sentinel" aria-hidden="true"></div>"""
    meta = (f'<meta property="og:title" content="{name} | LinkedIn">\n'
            f'<meta property="og:type" content="company">\n')
    return layout(f"{account.name} | LinkedIn", main, meta=meta, body_class="page-company")


def update_page(post: Post) -> str:
    urn = f"urn:li:activity:{post.id}"
    main = f"""<div class="feed-update-detail" id="update" data-urn="{urn}" aria-busy="true">
<div class="artdeco-loader" role="status">Laden…</div></div>"""
    snippet = post.text if len(post.text) <= 60 else post.text[:57] + "…"
    meta = (f'<meta property="og:title" content="{escape(post.account.name)} op LinkedIn">\n'
            f'<meta property="og:type" content="article">\n')
    return layout(f'{post.account.name} op LinkedIn: "{snippet}"', main, meta=meta,
                  body_class="page-update")


def member_page(person: Person, avatar: str) -> str:
    main = f"""<section class="pv-top-card artdeco-card"><img class="pv-top-card-profile-picture__image"
 src="{avatar}" alt="{escape(person.name)}" width="120" height="120">
<h1 class="text-heading-xlarge">{escape(person.name)}</h1>
<div class="text-body-medium">{escape(person.bio)}</div></section>"""
    return layout(f"{person.name} | LinkedIn", main, body_class="page-member")


def landing_page(accounts: list[Account]) -> str:
    items = "".join(f'<li><a href="/linkedin/company/{escape(a.handle)}/">{escape(a.name)}</a></li>'
                    for a in accounts)
    return layout("LinkedIn", f'<section class="artdeco-card landing"><h1>Bedrijven</h1>'
                  f"<ul>{items}</ul></section>", body_class="page-landing")


def not_found_page() -> str:
    main = """<section class="artdeco-card error-page"><h1>Deze pagina bestaat niet</h1>
<p>Controleer de URL of ga terug naar de <a href="/linkedin/">LinkedIn-startpagina</a>.</p></section>"""
    return layout("Pagina niet gevonden | LinkedIn", main, body_class="page-error")
