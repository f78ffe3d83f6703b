"""The platform clock: moving `world.now` on makes the accounts live.

`advance(world, delta)` grows and changes every official account on every skin, the way a
government account changes between two captures: new posts on the platform's cadence, late
comments (mostly on the youngest posts), edited post and comment texts, deleted posts and
comments. Deleted items stay in the world (`deleted=True`, `deleted_at`), so the ground truth can
say what happened; every change is also recorded in `world.changes`.

Determinism: each step draws from `generator.rng("clock/<step>/<skin>/<account>/<hours>")`, so
the same seed and the same sequence of advances always give the same world. Day 0 never runs any
of this: a server that was never advanced serves exactly what the generator built.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from demo_platform import texts
from demo_platform.model import Account, Change, Comment, Post, World

MAX_ADVANCE = timedelta(days=365)
# From this long an advance on, every account gets at least one change of each kind (new post,
# new comment, edited post, edited comment, deleted post, deleted comment): tests rely on it.
GUARANTEED_FROM = timedelta(days=3)
# Changes per account per day. Real government accounts delete and edit rarely; these are higher
# so that a few days already show every kind of change, but low enough to stay plausible.
RATES = {"comments": 8.0, "edited_posts": 0.1, "edited_comments": 0.4,
         "deleted_posts": 0.07, "deleted_comments": 0.4}
# Newest day-0 posts and the video posts are never deleted: capture tests at day 0 use them, and
# a recapture test wants stable anchors.
PROTECTED_ORDINALS = 3
POST_EDITS = (
    "Update: de informatie is aangevuld.",
    "Correctie: de datum in dit bericht is aangepast.",
    "Update: aanmelden kan nu ook via de website.",
    "Aanvulling: kijk voor vragen op rijksoverheid.nl.",
)
COMMENT_EDITS = ("(typfout verbeterd)", "Edit: bedankt voor de reacties.", "(aangevuld)",
                 "Edit: inmiddels opgelost.")

T = TypeVar("T")


def advance(world: World, delta: timedelta) -> list[Change]:
    """Move the world's clock on by `delta` (0 < delta <= MAX_ADVANCE) and return its changes,
    oldest first. The caller holds no lock: this takes `world.lock` itself."""
    if not timedelta(0) < delta <= MAX_ADVANCE:
        raise ValueError(f"an advance must be more than 0 and at most {MAX_ADVANCE.days} days")
    with world.lock:
        start, end = world.now, world.now + delta
        world.clock_steps += 1
        world.now = end
        changes: list[Change] = []
        from demo_platform.skins import SKINS  # late: skins import the model

        for skin in sorted(s for s in world.accounts if s in SKINS):  # other kinds stay at day 0
            for handle in sorted(world.accounts[skin]):
                account = world.accounts[skin][handle]
                rng = world.generator.rng(
                    f"clock/{world.clock_steps}/{skin}/{handle}/{delta.total_seconds():.0f}")
                changes += AccountStep(world, account, rng, start, end).run()
        changes.sort(key=lambda c: (c.at, c.skin, c.account.handle, c.status.id))
        world.changes += changes
        world.reindex()  # bumps world.revision
        return changes


class AccountStep:
    """One account's share of one clock step, over the window (start, end]."""

    def __init__(self, world: World, account: Account, rng: random.Random, start: datetime,
                 end: datetime) -> None:
        self.world, self.account, self.rng = world, account, rng
        self.start, self.end = start, end
        self.days = (end - start).total_seconds() / 86400
        self.guaranteed = end - start >= GUARANTEED_FROM
        self.changes: list[Change] = []
        self.touched: set[str] = set()  # ids edited or created in this step

    def run(self) -> list[Change]:
        # Targets for edits and deletions are chosen before anything new appears, so they are
        # always items an earlier capture could have seen.
        old_posts = [p for p in self.account.live_posts() if p.created_at <= self.start]
        self._new_posts()
        self._new_comments()
        self._edit_posts(old_posts)
        self._edit_comments(old_posts)
        self._delete_comments(old_posts)
        self._delete_posts(old_posts)
        return self.changes

    # --- helpers ------------------------------------------------------------------------
    def _count(self, rate: float) -> int:
        expected = rate * self.days
        count = int(expected) + (1 if self.rng.random() < expected - int(expected) else 0)
        return max(count, 1) if self.guaranteed else count

    def _moment(self, after: datetime | None = None) -> datetime:
        """A random moment in the window, later than `after` when that is inside it."""
        low = max(self.start, after) if after else self.start
        span = int((self.end - low).total_seconds())
        return low + timedelta(seconds=self.rng.randint(1, span)) if span > 1 else self.end

    def _record(self, kind: str, change: str, status: Post | Comment, post: Post,
                at: datetime) -> None:
        self.changes.append(Change(self.account.skin, self.account, kind, change, status, post, at))

    def _pick_young(self, items: Sequence[T], age: Callable[[T], datetime]) -> T:
        """Favour recent items: weight 1/(1 + rank by age), newest first."""
        ranked = sorted(items, key=age, reverse=True)
        return self.rng.choices(ranked, weights=[1 / (1 + i) for i in range(len(ranked))])[0]

    # --- new content --------------------------------------------------------------------
    def _new_posts(self) -> None:
        """Posts on the generator's office cadence: one every 1-3 days after the newest one."""
        account, rng = self.account, self.rng
        used = {p.text for p in account.posts}
        newest = max((p.created_at for p in account.posts), default=self.start)
        moments = []
        moment = newest + timedelta(days=rng.randint(1, 3), minutes=rng.randint(-90, 90))
        while moment <= self.end:
            if moment > self.start:
                moments.append(moment)
            moment += timedelta(days=rng.randint(1, 3), minutes=rng.randint(-90, 90))
        if not moments and self.guaranteed:
            moments.append(self._moment())
        ordinal = min((p.ordinal for p in account.posts), default=0)
        for moment in moments:
            template = rng.choice(texts.POSTS)
            post = self.world.generator.make_post(account, moment, rng, template, used)
            ordinal -= 1
            post.ordinal = ordinal
            if rng.random() < 0.2:
                post.media = self.world.generator.images(post, rng)
            account.posts.insert(0, post)
            account.posts.sort(key=lambda p: p.created_at, reverse=True)
            self.touched.add(post.id)
            self._record("post", "new", post, post, moment)

    def _new_comments(self) -> None:
        """Late comments, in time order (so a reply never predates its parent), mostly on the
        youngest posts; the first few right after a new post appears."""
        count = self._count(RATES["comments"])
        moments = sorted(self._moment() for _ in range(count))
        commented_old = False
        for index, moment in enumerate(moments):
            candidates = [p for p in self.account.live_posts()
                          if p.created_at < moment - timedelta(minutes=1)]
            old = [p for p in candidates if p.created_at <= self.start]
            # The guarantee covers a new comment on a post that existed before the step.
            must_be_old = self.guaranteed and not commented_old and index == len(moments) - 1
            pool = old if must_be_old and old else candidates
            if not pool:
                continue
            post = self._pick_young(pool, lambda p: p.created_at)
            commented_old |= post.created_at <= self.start
            comment = self.world.generator.add_comment(self.world, post, self.rng, at=moment)
            self.touched.add(comment.id)
            self._record("comment", "new", comment, post, comment.created_at)

    # --- edits --------------------------------------------------------------------------
    def _edit_posts(self, old_posts: list[Post]) -> None:
        for _ in range(self._count(RATES["edited_posts"])):
            pool = [p for p in old_posts if p.id not in self.touched and not p.deleted]
            if not pool:
                return
            post = self._pick_young(pool, lambda p: p.created_at)
            note = self.rng.choice([n for n in POST_EDITS if n not in post.text] or POST_EDITS)
            post.text = f"{post.text} {note}"
            post.edited_at = self._moment(post.edited_at)
            self.touched.add(post.id)
            self._record("post", "edited", post, post, post.edited_at)

    def _old_comments(self, old_posts: list[Post]) -> list[tuple[Comment, Post]]:
        return [(c, p) for p in old_posts if not p.deleted for c in p.live_comments()
                if c.created_at <= self.start and c.id not in self.touched]

    def _edit_comments(self, old_posts: list[Post]) -> None:
        for _ in range(self._count(RATES["edited_comments"])):
            pool = self._old_comments(old_posts)
            if not pool:
                return
            comment, post = self._pick_young(pool, lambda pair: pair[1].created_at)
            # Appending keeps every piece of personal data in the text, so `pii` stays true.
            comment.text = f"{comment.text} {self.rng.choice(COMMENT_EDITS)}"
            comment.edited_at = self._moment(comment.edited_at)
            self.touched.add(comment.id)
            self._record("comment", "edited", comment, post, comment.edited_at)

    # --- deletions ----------------------------------------------------------------------
    def _delete_comments(self, old_posts: list[Post]) -> None:
        """Only comments without live replies go, so no thread is left with orphans."""
        for _ in range(self._count(RATES["deleted_comments"])):
            pool = [(c, p) for c, p in self._old_comments(old_posts) if not p.children(c.id)]
            if not pool:
                return
            comment, post = self._pick_young(pool, lambda pair: pair[1].created_at)
            comment.deleted = True
            comment.deleted_at = self._moment()
            self.touched.add(comment.id)
            self._record("comment", "deleted", comment, post, comment.deleted_at)

    def _delete_posts(self, old_posts: list[Post]) -> None:
        for _ in range(self._count(RATES["deleted_posts"])):
            pool = [p for p in old_posts if p.id not in self.touched and not p.deleted
                    and not 0 <= p.ordinal < PROTECTED_ORDINALS
                    and not any(m.kind == "video" for m in p.media)]
            if not pool:
                return
            post = self._pick_young(pool, lambda p: p.created_at)
            latest = max([c.created_at for c in post.live_comments()], default=None)
            post.deleted = True
            post.deleted_at = self._moment(latest)
            self._record("post", "deleted", post, post, post.deleted_at)
