"""The gateway's own HTML: sign-in form, landing pages, error pages. Every error page is fixed text:
nothing of the request (path, query, user name) is ever echoed into it."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from replay.gateway_types import CSRF_FIELD
from replay.pywb_runner import COLLECTION

_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ccc;margin-bottom:1rem}
form.inline{display:inline}label{display:block;margin:.5rem 0}input{font:inherit;padding:.3rem}
button{font:inherit;padding:.3rem 1rem}.error{color:#a00}li{margin:.2rem 0}.ts{color:#555;font-size:.9em}"""

ROLE_TITLES = {
    "archivist": "Archivaris: de authentieke opname",
    "researcher": "Onderzoeker: de gepseudonimiseerde toegangskopie",
    "woo-officer": "Woo-behandelaar",
    "public": "Openbaar: gepubliceerde pagina's",
}

ERRORS = {
    400: ("Bad request", "The request was not understood."),
    401: ("Sign-in required", "Sign in to open this archive."),
    403: ("Not allowed", "Your role may not open this."),
    404: ("Not found", "There is nothing at this address for your role."),
    405: ("Method not allowed", "This address takes no such request."),
    429: ("Too many attempts", "Too many sign-in attempts for this name; wait and try again."),
    502: ("Replay unavailable", "The replay service did not answer."),
}


def _page(title: str, body: str, who: str = "", csrf: str = "") -> bytes:
    bar = ""
    if who:
        bar = (f'<header><span id="sma-user">{escape(who)}</span>'
               f'<form class="inline" method="post" action="/_sma/logout">'
               f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf)}">'
               f'<button id="sma-logout" type="submit">Afmelden</button></form></header>')
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width"><style>{_STYLE}</style></head>'
            f"<body>{bar}{body}</body></html>").encode()


def error_page(status: int, note: str = "") -> bytes:
    title, text = ERRORS.get(status, ("Error", "The request could not be served."))
    extra = f"<p>{escape(note)}</p>" if note else ""
    return _page(title, f'<h1 id="sma-error" data-status="{status}">{title}</h1><p>{text}</p>{extra}'
                        f'<p><a href="/">Home</a></p>')


def login_page(csrf: str, failed: bool = False, wait: float = 0.0) -> bytes:
    message = ""
    if wait > 0:
        message = f'<p class="error" id="sma-login-error">Too many attempts: wait {wait:.0f} s.</p>'
    elif failed:
        message = '<p class="error" id="sma-login-error">Wrong name or password.</p>'
    body = f"""<h1>SMA archief: aanmelden</h1>{message}
<form method="post" action="/_sma/login" id="sma-login">
<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf)}">
<label>Naam <input name="user" id="user" autocomplete="username" required></label>
<label>Wachtwoord <input name="password" id="password" type="password" autocomplete="current-password" required>
</label>
<label><input type="checkbox" name="end_other_sessions" id="end-other-sessions" value="1">
Mijn andere sessies afmelden (bijvoorbeeld op een gedeelde of kwijtgeraakte computer)</label>
<button type="submit" id="sign-in">Aanmelden</button></form>"""
    return _page("Aanmelden", body)


def replay_href(url: str, ts: str) -> str:
    # The archived URL goes into the path as pywb expects it; quote only what would break the href.
    return f"/{COLLECTION}/{ts}/" + quote(url, safe=":/?&=%#@!$'()*+,;~-._") if ts else \
        f"/{COLLECTION}/" + quote(url, safe=":/?&=%#@!$'()*+,;~-._")


def landing_page(role: str, user: str, csrf: str, pages: list[dict[str, str]], note: str = "",
                 woo_link: bool = False, signed_in: bool = True, extra: str = "") -> bytes:
    """`extra`: HTML placed under the heading (the overview, replay/overview.py)."""
    items = "\n".join(
        f'<li><a class="sma-page" href="{escape(replay_href(p["url"], p["ts"]))}">{escape(p["title"])}</a>'
        f' <span class="ts">{escape(p["ts"])}</span></li>'
        for p in pages
    )
    parts = [f'<h1 id="sma-landing" data-role="{escape(role)}">{escape(ROLE_TITLES.get(role, role))}</h1>']
    if woo_link:
        parts.append('<p><a id="sma-woo" href="/_sma/woo/">Woo-verzoeken behandelen</a></p>')
    if extra:
        parts.append(extra)
    if note:
        parts.append(f'<p id="sma-note">{escape(note)}</p>')
    if pages:
        parts.append(f'<p>{len(pages)} pagina\'s</p><ul id="sma-pages">{items}</ul>')
    elif not woo_link:
        parts.append('<p id="sma-empty">Er zijn (nog) geen pagina\'s om te tonen.</p>')
    if not signed_in:
        parts.append('<p><a id="sma-sign-in" href="/_sma/login">Aanmelden</a></p>')
    who = f"{user} ({role})" if signed_in else ""
    return _page(ROLE_TITLES.get(role, role), "\n".join(parts), who, csrf)
