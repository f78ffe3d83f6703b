/* SMA demo platform - X skin client. Plain ES2017, no frameworks.
 *
 * profile: #timeline[data-user-id] <- /x/i/api/graphql/UserTweets?userId=&count=20[&cursor=]
 *          VIRTUALISED like X: at most MAX_DOM cells are in the DOM; cells scrolled away are
 *          removed and two spacers keep the scroll height. A page without tweets ends the list
 *          (div[data-testid="timeline-end"], added once the last cell is on screen).
 * post:    #thread[data-tweet-id] <- TweetResultByRestId, then TweetDetail (first replies).
 *          Sensitive posts show an interstitial; TweetDetail is fetched only after "Toon".
 *          Replies beyond the first view: button[data-testid="showReplies"] -> TweetReplies
 *          (synchronous XHR, so a click returns with the replies in the DOM, as in mastodon.js).
 * Paths stay relative, so replay tools only rewrite what the browser requests.
 */
(function () {
  'use strict';

  var API = '/x/i/api/graphql/';
  var PAGE_SIZE = 20, MAX_DOM = 15, ESTIMATE = 220, OVERSCAN = 500;

  function esc(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (ch) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch];
    });
  }
  function pathOf(url) { var u = new URL(url, window.location.href); return u.pathname + u.search; }
  function fromHtml(html) {
    var tpl = document.createElement('template');
    tpl.innerHTML = html.trim();
    return tpl.content.firstElementChild;
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) { throw new Error('HTTP ' + res.status + ' for ' + url); }
        return res.json();
      });
  }
  function getJSONSync(url) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', url, false);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.send(null);
    if (xhr.status !== 200) { throw new Error('HTTP ' + xhr.status + ' for ' + url); }
    return JSON.parse(xhr.responseText);
  }
  function numberNl(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.'); }
  function dateShort(iso) {
    return new Date(iso).toLocaleDateString('nl-NL', { day: 'numeric', month: 'short', year: 'numeric' });
  }
  function tweetsOf(entries) {
    return entries.filter(function (e) { return e.content.entryType === 'TimelineTimelineItem'; })
      .map(function (e) { return e.content.itemContent.tweet_results.result; });
  }

  function userNameHtml(user) {
    var l = user.legacy;
    return '<div data-testid="User-Name" class="user-name"><a href="/x/' + esc(l.screen_name) + '">' +
      '<span class="name">' + esc(l.name) + '</span>' + (l.verified ? ' <span class="verified" aria-label="Geverifieerd account">✔</span>' : '') +
      '</a> <span class="screen-name">@' + esc(l.screen_name) + '</span></div>';
  }
  function avatarHtml(user) {
    var h = esc(user.legacy.screen_name);
    return '<div class="avatar" data-testid="Tweet-User-Avatar"><a href="/x/' + h + '"><img src="/x/avatars/' + h +
      '" alt="" width="40" height="40"></a></div>';
  }
  function mediaHtml(legacy) {
    var items = (legacy.extended_entities && legacy.extended_entities.media) || [];
    if (!items.length) { return ''; }
    return '<div class="media" data-testid="tweetPhoto">' + items.map(function (m) {
      if (m.type === 'video') {
        return '<div data-testid="videoPlayer"><video controls preload="metadata" src="' +
          esc(pathOf(m.video_info.variants[0].url)) + '" aria-label="' + esc(m.ext_alt_text) + '"></video></div>';
      }
      var small = esc(pathOf(m.preview_url_https)), large = esc(pathOf(m.media_url_https));
      return '<a href="' + large + '"><img loading="lazy" srcset="' + small + ' 400w, ' + large +
        ' 1200w" sizes="(max-width: 600px) 100vw, 520px" src="' + small + '" alt="' + esc(m.ext_alt_text) +
        '" width="400" height="225"></a>';
    }).join('') + '</div>';
  }
  function actionsHtml(legacy, count) {
    return '<div role="group" class="actions">' +
      '<span data-testid="reply" data-count="' + count + '" aria-label="' + count + ' antwoorden">💬 ' + numberNl(count) + '</span>' +
      '<span data-testid="retweet" data-count="' + legacy.retweet_count + '">🔁 ' + numberNl(legacy.retweet_count) + '</span>' +
      '<span data-testid="like" data-count="' + legacy.favorite_count + '">♡ ' + numberNl(legacy.favorite_count) + '</span></div>';
  }
  function textHtml(legacy) {
    return '<div data-testid="tweetText" lang="' + esc(legacy.lang) + '" dir="auto">' + esc(legacy.full_text) + '</div>';
  }
  function editedHtml(tweet) {
    // X marks edited posts with "Laatst bewerkt <tijd>".
    var at = tweet.legacy.edited_at;
    if (!at) { return ''; }
    return ' <span data-testid="editedIndicator" class="edited" data-edited-at="' + esc(at) + '">Laatst bewerkt ' +
      esc(new Date(at).toLocaleString('nl-NL', { dateStyle: 'medium', timeStyle: 'short' })) + '</span>';
  }
  function loginRequired() {
    // The server shows this prompt instead of the replies to visitors without a session.
    return document.querySelector('[data-login-required]') !== null;
  }
  function permalink(tweet) {
    return '/x/' + esc(tweet.core.user_results.result.legacy.screen_name) + '/status/' + esc(tweet.rest_id);
  }
  function timeHtml(tweet, link) {
    var t = '<time datetime="' + esc(tweet.legacy.created_at) + '">' + esc(dateShort(tweet.legacy.created_at)) + '</time>';
    return link ? '<a class="time" href="' + permalink(tweet) + '">' + t + '</a>' : '<span class="time">' + t + '</span>';
  }

  /* ---- profile: virtualised timeline -------------------------------------------------- */

  function cellHtml(tweet, index) {
    var l = tweet.legacy;
    var count = l.conversation_count != null ? l.conversation_count : l.reply_count;
    return '<div data-testid="cellInnerDiv" data-index="' + index + '"><article data-testid="tweet" role="article" tabindex="0">' +
      avatarHtml(tweet.core.user_results.result) + '<div class="body"><div class="head">' +
      userNameHtml(tweet.core.user_results.result) + ' · ' + timeHtml(tweet, true) + editedHtml(tweet) + '</div>' +
      textHtml(l) + mediaHtml(l) + actionsHtml(l, count) + '</div></article></div>';
  }

  function Timeline(root) {
    this.root = root;
    this.userId = root.getAttribute('data-user-id');
    this.tweets = [];
    this.heights = [];
    this.cursor = null;
    this.loading = false;
    this.done = false;
    this.first = 0;
    this.last = -1;
    root.innerHTML = '<div class="spacer" data-testid="spacer-top"></div><div class="cells"></div>' +
      '<div class="spacer" data-testid="spacer-bottom"></div>';
    this.top = root.children[0];
    this.cells = root.children[1];
    this.bottom = root.children[2];
    var self = this, ticking = false;
    window.addEventListener('scroll', function () {
      if (ticking) { return; }
      ticking = true;
      window.requestAnimationFrame(function () { ticking = false; self.render(); });
    }, { passive: true });
    window.addEventListener('resize', function () { self.render(); });
    this.load();
  }

  Timeline.prototype.offset = function (index) {
    var sum = 0;
    for (var i = 0; i < index; i += 1) { sum += this.heights[i]; }
    return sum;
  };

  Timeline.prototype.load = function () {
    if (this.loading || this.done) { return; }
    var self = this;
    this.loading = true;
    this.root.setAttribute('aria-busy', 'true');
    var url = API + 'UserTweets?userId=' + encodeURIComponent(this.userId) + '&count=' + PAGE_SIZE +
      (this.cursor ? '&cursor=' + encodeURIComponent(this.cursor) : '');
    getJSON(url).then(function (data) {
      var entries = data.data.user.result.timeline_v2.timeline.instructions[0].entries;
      var tweets = tweetsOf(entries);
      var bottom = entries.filter(function (e) { return e.content.cursorType === 'Bottom'; })[0];
      if (!tweets.length || !bottom) { self.done = true; }
      tweets.forEach(function (t) { self.tweets.push(t); self.heights.push(ESTIMATE); });
      if (bottom) { self.cursor = bottom.content.value; }
    }).catch(function (err) {
      console.error(err);
      self.error = true;
    }).then(function () {
      self.loading = false;
      self.root.setAttribute('aria-busy', 'false');
      self.render();
    });
  };

  Timeline.prototype.render = function () {
    // Two passes: the first draw measures real heights, the second fixes the window with them.
    this.place();
    this.place();
    var n = this.tweets.length, last = this.last;
    if (!this.done && !this.error && last >= n - 4) { this.load(); }
    if (this.done && last === n - 1 && !document.querySelector('[data-testid="timeline-end"]')) {
      this.root.parentNode.appendChild(fromHtml('<div data-testid="timeline-end" class="timeline-end">Je bent helemaal bij.</div>'));
    }
  };

  Timeline.prototype.place = function () {
    var n = this.tweets.length;
    var rect = this.root.getBoundingClientRect();
    var viewTop = -rect.top - OVERSCAN, viewBottom = -rect.top + window.innerHeight + OVERSCAN;
    var first = 0, pos = 0;
    while (first < n - 1 && pos + this.heights[first] < viewTop) { pos += this.heights[first]; first += 1; }
    var last = first, end = pos + (n ? this.heights[first] : 0);
    while (last < n - 1 && end < viewBottom && last - first + 1 < MAX_DOM) { last += 1; end += this.heights[last]; }
    if (!n) { last = -1; }
    this.draw(first, last);
  };

  Timeline.prototype.draw = function (first, last) {
    var self = this;
    Array.prototype.slice.call(this.cells.children).forEach(function (cell) {
      var i = Number(cell.getAttribute('data-index'));
      if (i < first || i > last) { cell.remove(); }
    });
    for (var i = first; i <= last; i += 1) {
      if (this.cells.querySelector('[data-index="' + i + '"]')) { continue; }
      var cell = fromHtml(cellHtml(this.tweets[i], i));
      var next = null;
      Array.prototype.some.call(this.cells.children, function (c) {
        if (Number(c.getAttribute('data-index')) > i) { next = c; return true; }
        return false;
      });
      this.cells.insertBefore(cell, next);
    }
    Array.prototype.forEach.call(this.cells.children, function (c) {
      self.heights[Number(c.getAttribute('data-index'))] = c.offsetHeight || ESTIMATE;
    });
    this.first = first;
    this.last = last;
    var total = this.offset(this.tweets.length);
    var before = this.offset(first);
    var shown = last >= first ? this.offset(last + 1) - before : 0;
    this.top.style.height = before + 'px';
    this.bottom.style.height = Math.max(0, total - before - shown) + 'px';
  };

  /* ---- post page: conversation -------------------------------------------------------- */

  function focalHtml(tweet, hidden) {
    var l = tweet.legacy;
    var body = hidden
      ? '<div data-testid="sensitive-warning" class="interstitial" role="alert"><p>Deze post kan gevoelige inhoud bevatten.</p>' +
        '<button type="button" role="button" data-testid="sensitive-show">Toon</button></div>'
      : textHtml(l) + mediaHtml(l);
    return '<div data-testid="focalTweet"><article data-testid="tweet" role="article" tabindex="-1" data-focal="true">' +
      '<div class="head">' + avatarHtml(tweet.core.user_results.result) + userNameHtml(tweet.core.user_results.result) + '</div>' +
      '<div class="focal-body">' + body + '</div><div class="meta">' + timeHtml(tweet, true) + editedHtml(tweet) + '</div>' +
      actionsHtml(l, l.conversation_count) + '</article></div>';
  }

  function replyHtml(tweet) {
    var l = tweet.legacy;
    return '<div data-testid="cellInnerDiv" class="reply-node" data-id="' + esc(tweet.rest_id) + '">' +
      '<article data-testid="tweet" role="article" tabindex="0" data-reply-to="' + esc(l.in_reply_to_status_id_str) + '" id="t' + esc(tweet.rest_id) + '">' +
      avatarHtml(tweet.core.user_results.result) + '<div class="body"><div class="head">' +
      userNameHtml(tweet.core.user_results.result) + ' · ' + timeHtml(tweet, false) + editedHtml(tweet) + '</div>' +
      textHtml(l) + '<div role="group" class="actions"><span data-testid="replyCount">💬 ' + l.reply_count + '</span></div>' +
      '</div></article><div class="replies" data-parent="' + esc(tweet.rest_id) + '"></div></div>';
  }

  function Conversation(root, focal) {
    this.root = root;
    this.focal = focal;
    this.expected = {};
    this.expected[focal.rest_id] = focal.legacy.reply_count;
  }

  Conversation.prototype.box = function (id) {
    return this.root.querySelector('.replies[data-parent="' + id + '"]');
  };

  Conversation.prototype.add = function (tweets) {
    var self = this;
    tweets.forEach(function (t) {
      if (self.root.querySelector('.reply-node[data-id="' + t.rest_id + '"]')) { return; }
      var box = self.box(t.legacy.in_reply_to_status_id_str);
      if (!box) { return; }
      self.expected[t.rest_id] = t.legacy.reply_count;
      box.appendChild(fromHtml(replyHtml(t)));
    });
    Object.keys(this.expected).forEach(function (id) { self.button(id); });
  };

  Conversation.prototype.button = function (id) {
    var box = this.box(id);
    if (!box) { return; }
    var holder = box.parentNode;
    var existing = holder.querySelector(':scope > [data-testid="showReplies"]');
    var missing = (this.expected[id] || 0) - box.children.length;
    if (missing <= 0) { if (existing) { existing.remove(); } return; }
    if (existing) { return; }
    var label = box.children.length ? 'Toon meer antwoorden' : 'Toon antwoorden';
    var button = fromHtml('<button type="button" role="button" data-testid="showReplies" class="show-replies" data-id="' +
      esc(id) + '" data-count="' + missing + '">' + label + '</button>');
    button.addEventListener('click', this.more.bind(this, id, button));
    holder.appendChild(button);
  };

  Conversation.prototype.more = function (id, button) {
    var data;
    try {
      data = getJSONSync(API + 'TweetReplies?tweetId=' + encodeURIComponent(id));
    } catch (err) { console.error(err); return; }
    button.remove();
    this.add(tweetsOf(data.data.replies.entries));
    this.expected[id] = Math.min(this.expected[id], this.box(id).children.length);
    this.button(id);
  };

  function showConversation(root, focal, detail) {
    var entries = detail.data.threaded_conversation_with_injections_v2.instructions[0].entries;
    var tweets = tweetsOf(entries).filter(function (t) { return t.rest_id !== focal.rest_id; });
    root.appendChild(fromHtml('<section aria-label="Gesprek" class="conversation"><div class="replies replies--root" data-parent="' +
      esc(focal.rest_id) + '"></div></section>'));
    new Conversation(root, focal).add(tweets);
  }

  function initThread(root) {
    var id = root.getAttribute('data-tweet-id');
    var detailUrl = API + 'TweetDetail?focalTweetId=' + encodeURIComponent(id);
    getJSON(API + 'TweetResultByRestId?tweetId=' + encodeURIComponent(id)).then(function (data) {
      var focal = data.data.tweetResult.result;
      var hidden = focal.legacy.possibly_sensitive, gated = loginRequired();
      root.innerHTML = '';
      root.appendChild(fromHtml(focalHtml(focal, hidden)));
      if (!hidden) {
        if (gated) { return null; }
        return getJSON(detailUrl).then(function (detail) { showConversation(root, focal, detail); });
      }
      root.querySelector('[data-testid="sensitive-show"]').addEventListener('click', function () {
        var detail = null;
        if (!gated) {
          try { detail = getJSONSync(detailUrl); } catch (err) { console.error(err); return; }
        }
        root.querySelector('.focal-body').innerHTML = textHtml(focal.legacy) + mediaHtml(focal.legacy);
        if (detail) { showConversation(root, focal, detail); }
      });
      return null;
    }).catch(function (err) {
      console.error(err);
      root.innerHTML = '<div class="error" role="alert">Er ging iets mis. Probeer het opnieuw.</div>';
    }).then(function () { root.setAttribute('aria-busy', 'false'); });
  }

  function start() {
    var timeline = document.getElementById('timeline');
    if (timeline) { new Timeline(timeline); }
    var thread = document.getElementById('thread');
    if (thread) { initThread(thread); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
