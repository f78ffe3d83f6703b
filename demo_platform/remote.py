"""Client side of the clock: what `sma platform advance` sends to a running demo platform."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections import Counter
from typing import Any
from urllib.parse import urlencode

KINDS = (("post", "new"), ("post", "edited"), ("post", "deleted"),
         ("comment", "new"), ("comment", "edited"), ("comment", "deleted"))


class AdvanceError(Exception):
    """The platform could not be reached or refused the advance (message is one line)."""


def parse_amount(name: str, raw: str | None) -> float | None:
    """A positive, finite number of days/hours from the command line, or ValueError."""
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"--{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"--{name} must be more than 0, got {raw!r}")
    return value


def advance(url: str, days: float | None, hours: float | None,
            timeout: float = 60) -> dict[str, Any]:
    """POST /_clock/advance on the platform at `url`; its JSON answer."""
    query = urlencode({k: f"{v:g}" for k, v in (("days", days), ("hours", hours)) if v})
    request = urllib.request.Request(f"{url.rstrip('/')}/_clock/advance?{query}", data=b"",
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("error", exc.reason)
        except ValueError:
            message = exc.reason
        raise AdvanceError(f"the platform refused the advance ({exc.code}): {message}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AdvanceError(f"no demo platform at {url} ({reason})") from None


def summary_lines(answer: dict[str, Any]) -> list[str]:
    """One line per skin, counts by kind and change, after a line with the new time."""
    per_skin: dict[str, Counter[tuple[str, str]]] = {}
    for change in answer["changes"]:
        per_skin.setdefault(change["skin"], Counter())[(change["kind"], change["change"])] += 1
    lines = [f"now {answer['now']} (revision {answer['revision']}), "
             f"{len(answer['changes'])} changes"]
    for skin, counts in sorted(per_skin.items()):
        parts = []
        for kind in ("post", "comment"):
            found = [f"{counts[(kind, change)]} {change}" for k, change in KINDS if k == kind]
            parts.append(f"{kind}s {', '.join(found)}")
        lines.append(f"{skin}: {'; '.join(parts)}")
    return lines
