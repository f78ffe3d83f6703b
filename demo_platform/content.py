"""Deterministic content generation shared by all skins.

Every random choice comes from a `random.Random` seeded with a *string* (seed + purpose), which
Python hashes with SHA-512, so output is identical across runs and independent of
PYTHONHASHSEED. Each account gets its own stream, so adding a skin or an account later never
changes the content of existing ones. The building blocks (`make_post`, `add_comment`) are public
so the clock (clock.py) grows the world with the same generator.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from datetime import UTC, datetime, timedelta

from demo_platform import pii, texts
from demo_platform.model import Account, Comment, Media, Person, Pii, Post, World, snowflake

# The world's fixed "now": content must not depend on the wall clock (byte-identical pages).
EPOCH = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
CITIZEN_COUNT = 40
REPEATS_BEFORE_NUMBERING = 1000  # attempts at a fresh post text before a repeat is numbered
# A comment is in the first thread response only up to this depth and, below the top level,
# only the first MAX_INLINE_CHILDREN siblings; the rest needs "Show more replies" clicks.
MAX_INLINE_DEPTH = 3
MAX_INLINE_CHILDREN = 2
PII_WEIGHTS = {"bsn": 2, "phone": 3, "email": 3, "iban": 2, "postcode": 2, "name": 3, "mention": 3,
               **{kind: weight for kind, (_, weight) in pii.EXTRA_PII.items()}}


def new_world(seed: int, skins: list[str] | None = None) -> World:
    """The initial world for `seed`, populated by the given skins (default: all registered)."""
    from demo_platform.skins import ALL_SKINS  # late: skins import this module

    world = World(seed=seed, now=EPOCH, generator=ContentGenerator(seed))
    world.citizens = world.generator.citizens(CITIZEN_COUNT)
    for name in skins if skins is not None else list(ALL_SKINS):
        ALL_SKINS[name].populate(world)
    world.reindex()
    return world


class ContentGenerator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._ids: set[str] = set()

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"sma-demo/{self.seed}/{purpose}")

    def digest(self, purpose: str, length: int = 12) -> str:
        return hashlib.sha1(f"sma-demo/{self.seed}/{purpose}".encode()).hexdigest()[:length]

    def new_id(self, moment: datetime, rng: random.Random) -> str:
        while True:
            candidate = snowflake(moment, rng.randrange(1 << 16))
            if candidate not in self._ids:
                self._ids.add(candidate)
                return candidate

    # --- people -------------------------------------------------------------------------
    def citizens(self, count: int) -> list[Person]:
        rng = self.rng("citizens")
        taken: set[str] = set()
        names: set[str] = set()
        people = []
        while len(people) < count:
            name = pii.full_name(rng)
            if name in names:
                continue
            names.add(name)
            people.append(Person(
                id=str(rng.randrange(10**17, 10**18)), name=name,
                handle=pii.handle_for(name, rng, taken), email=pii.email_for(name, rng),
                bio=rng.choice(texts.CITIZEN_BIOS)))
        return people

    # --- accounts and posts -------------------------------------------------------------
    def official_account(self, world: World, skin: str, handle: str, name: str,
                         post_count: int) -> Account:
        """A government account with `post_count` posts and comment threads, newest first."""
        rng = self.rng(f"account/{skin}/{handle}")
        account = Account(
            id=str(rng.randrange(10**17, 10**18)), skin=skin, handle=handle, name=name,
            bio=texts.ACCOUNT_BIO, followers=rng.randint(12_000, 95_000),
            following=rng.randint(15, 180), created_at=world.now - timedelta(days=2400),
            fields=[("Website", "rijksoverheid.nl"), ("Contact", "1400 (gratis)")])
        sizes = self._thread_sizes(rng, post_count)
        moment = world.now - timedelta(hours=3)
        used: set[str] = set()
        templates = list(texts.POSTS)
        rng.shuffle(templates)
        for index in range(post_count):
            post = self.make_post(account, moment, rng, templates[index % len(templates)], used)
            post.ordinal = index
            if index % 5 == 2:
                post.media = self.images(post, rng)
            elif index in (6, 31):  # two posts carry the video clip
                post.media = [Media("video", "clip.webm", "Korte uitlegvideo (2 seconden).")]
            for _ in range(sizes[index]):
                self.add_comment(world, post, rng)
            account.posts.append(post)
            # Office-hours cadence, one post every 1-3 days, going back in time.
            moment -= timedelta(days=rng.randint(1, 3), minutes=rng.randint(-90, 90))
        return account

    def _thread_sizes(self, rng: random.Random, count: int) -> list[int]:
        """Comment counts: some 0, many 2-15, a few 25+ (shuffled deterministically)."""
        big = max(3, count // 16)
        zero = max(2, count // 8)
        sizes = [rng.randint(25, 40) for _ in range(big)] + [0] * zero + [1, 1]
        sizes += [rng.randint(2, 15) for _ in range(max(0, count - len(sizes)))]
        rng.shuffle(sizes)
        return sizes[:count]

    def make_post(self, account: Account, moment: datetime, rng: random.Random,
                  template: tuple[str, str], used: set[str]) -> Post:
        hashtag, body = template
        for attempt in itertools.count():
            slots = {
                "city": rng.choice(texts.CITIES), "n": rng.randint(3, 95),
                "pct": rng.randint(4, 45), "amount": rng.choice((50, 75, 100, 150, 300, 1300)),
                "day": rng.choice(texts.WEEKDAYS), "hour": rng.choice((10, 12, 14, 16)),
                "date": f"{rng.randint(1, 28)} {rng.choice(texts.MONTHS)}",
                "year": account.created_at.year + 7, "road": rng.choice((1, 2, 12, 27, 28)),
            }
            parts = [body.format(**slots), rng.choice(texts.CLOSINGS), hashtag]
            text = " ".join(part for part in parts if part)
            if attempt >= REPEATS_BEFORE_NUMBERING:
                # A long account (bench/memory.py's 2,000 posts) exhausts a template's slot values:
                # number the repeat. Never reached by the skins' own 64-post accounts.
                text = f"{text} ({attempt - REPEATS_BEFORE_NUMBERING + 2})"
            if text not in used:
                used.add(text)
                break
        return Post(id=self.new_id(moment, rng), account=account, text=text, created_at=moment,
                    boosts=rng.randint(0, 250), favourites=rng.randint(0, 900))

    def images(self, post: Post, rng: random.Random) -> list[Media]:
        return [Media("image", self.digest(f"media/{post.id}/{i}"),
                      rng.choice(texts.IMAGE_CAPTIONS)) for i in range(rng.choice((1, 1, 2)))]

    # --- comments -----------------------------------------------------------------------
    def add_comment(self, world: World, post: Post, rng: random.Random,
                    parent: Comment | None | str = "auto", at: datetime | None = None) -> Comment:
        """Append one comment to `post` (parent chosen at random among the live comments unless
        given) and keep the thread in depth-first order with inline/lazy flags up to date.
        `at` fixes the time (the clock's late comments); by default it follows the parent."""
        existing = post.comments
        if parent == "auto":
            parent = self._pick_parent(post.live_comments(), rng)
        assert parent is None or isinstance(parent, Comment)
        author = rng.choice([p for p in world.citizens
                             if parent is None or p is not parent.author])
        start = parent.created_at if parent else post.created_at
        if at is not None:
            moment = max(at, start + timedelta(seconds=30))
        else:
            moment = start + timedelta(minutes=int(rng.expovariate(1 / 240)) + 1)
            moment = min(moment, world.now - timedelta(seconds=rng.randint(60, 3600)))
            moment = max(moment, start + timedelta(seconds=30))
        text, found = self.comment_text(world, author, parent.author if parent else None, rng)
        comment = Comment(id=self.new_id(moment, rng), post_id=post.id,
                          parent=parent.id if parent else None, author=author, text=text,
                          pii=found, created_at=moment, depth=parent.depth + 1 if parent else 1)
        post.comments = thread_order(existing + [comment])
        mark_inline(post)
        return comment

    def _pick_parent(self, existing: list[Comment], rng: random.Random) -> Comment | None:
        if not existing:
            return None
        # The first comments usually form a chain, so most sizeable threads go 4 deep;
        # after that, favour recent comments, which is how real discussions drift deeper.
        roll = rng.random()
        if 1 <= len(existing) <= 3 and roll < 0.7:
            return max(existing, key=lambda c: c.depth)
        if roll < 0.4:
            return None
        # Capped at depth 6: deep enough for repeated "more replies" clicks, not absurd.
        open_ = [c for c in existing if c.depth < 6]
        recent = sorted(open_, key=lambda c: c.created_at)[-4:]
        return rng.choice(recent if roll < 0.75 else open_)

    def comment_text(self, world: World, author: Person, replying_to: Person | None,
                     rng: random.Random) -> tuple[str, list[Pii]]:
        """Build a reply out of sentences, recording each piece of personal data in order."""
        sentences: list[str] = []
        found: list[Pii] = []

        def fill(template: str) -> str:
            out = template
            for kind in PII_WEIGHTS:
                slot = "{" + kind + "}"
                if slot in out:
                    value = self._pii_value(world, kind, author, rng)
                    out = out.replace(slot, value, 1)
                    found.append(Pii(kind, value))
            return out.replace("{city}", rng.choice(texts.CITIES))

        if replying_to is not None and rng.random() < 0.6:
            # Mastodon prefills replies with the parent's handle.
            sentences.append(f"@{replying_to.handle}")
            found.append(Pii("mention", f"@{replying_to.handle}"))
        pool = texts.REPLY_SENTENCES if replying_to else texts.OPENERS
        sentences.append(rng.choice(pool))
        kinds = list(PII_WEIGHTS)
        weights = list(PII_WEIGHTS.values())
        if rng.random() < 0.7:
            first = rng.choices(kinds, weights)[0]
            sentences.append(fill(rng.choice(texts.PII_SENTENCES[first])))
            if rng.random() < 0.25:
                second = rng.choice([k for k in kinds if k != first])
                sentences.append(fill(rng.choice(texts.PII_SENTENCES[second])))
        if rng.random() < 0.4:
            sentences.append(fill(rng.choice(texts.CLOSERS)))
        return " ".join(sentences), found

    def _pii_value(self, world: World, kind: str, author: Person, rng: random.Random) -> str:
        if kind in pii.EXTRA_PII:
            return pii.EXTRA_PII[kind][0](rng)
        if kind == "bsn":
            return pii.bsn(rng)
        if kind == "phone":
            return pii.phone(rng)
        if kind == "email":
            return author.email if rng.random() < 0.7 else pii.email_for(pii.full_name(rng), rng)
        if kind == "iban":
            return pii.iban(rng)
        if kind == "postcode":
            return pii.postcode(rng)
        if kind == "name":
            return pii.full_name(rng)
        other = rng.choice([p for p in world.citizens if p is not author])
        return f"@{other.handle}"


def thread_order(comments: list[Comment]) -> list[Comment]:
    """Depth-first, siblings oldest first: the order a thread reads on the page."""
    by_parent: dict[str | None, list[Comment]] = {}
    for comment in sorted(comments, key=lambda c: (c.created_at, c.id)):
        by_parent.setdefault(comment.parent, []).append(comment)
    ordered: list[Comment] = []

    def walk(parent: str | None) -> None:
        for child in by_parent.get(parent, []):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


def mark_inline(post: Post) -> None:
    """Decide which comments the first thread response includes (see MAX_INLINE_*)."""
    inline: dict[str | None, bool] = {None: True}
    rank: dict[str | None, int] = {}
    for comment in post.live_comments():  # depth-first: parents come before their children
        position = rank.get(comment.parent, 0)
        rank[comment.parent] = position + 1
        comment.inline = (inline.get(comment.parent, False)
                          and comment.depth <= MAX_INLINE_DEPTH
                          and (comment.depth == 1 or position < MAX_INLINE_CHILDREN))
        inline[comment.id] = comment.inline
