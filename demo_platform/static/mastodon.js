/* SMA demo platform - Mastodon skin client. Plain ES2017, no frameworks.
 *
 * The server sends empty containers; everything a crawler must capture arrives here via the
 * JSON API, the way the real Mastodon web UI works:
 *   profile: #timeline[data-account-id] <- /api/v1/accounts/<id>/statuses?limit=20[&max_id=]&_=<now>
 *            next page when the .load-more-sentinel nears the viewport; [] => div.timeline-end
 *   post:    #thread[data-status-id] <- /api/v1/statuses/<id> + /api/v1/statuses/<id>/context
 *            replies not in the context get button.load-more-replies; a click fetches
 *            /api/v1/statuses/<parent>/replies?limit=40&_=<now> (synchronously, see loadMore)
 * Paths are kept relative (never the absolute URLs in the JSON), so replay tools only have to
 * rewrite what the browser requests.
 */
(function () {
  'use strict';

  var PAGE_SIZE = 20;
  var ICONS = {
    reply: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11z"/></svg>',
    boost: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7 7h10v3l4-4-4-4v3H5v6h2V7zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2v4z"/></svg>',
    star: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 17.3l6.2 3.7-1.6-7 5.4-4.7-7.2-.6L12 2 9.2 8.7 2 9.3l5.4 4.7-1.6 7z"/></svg>'
  };

  function esc(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (ch) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch];
    });
  }

  function pathOf(url) {
    // "http://host/media/x.png" -> "/media/x.png"
    var parsed = new URL(url, window.location.href);
    return parsed.pathname + parsed.search;
  }

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

  function dateShort(iso) {
    return new Date(iso).toLocaleDateString('nl-NL', { day: 'numeric', month: 'short', year: 'numeric' });
  }

  function dateLong(iso) {
    return new Date(iso).toLocaleString('nl-NL', { dateStyle: 'long', timeStyle: 'short' });
  }

  function numberNl(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  }

  function avatarHtml(acct, size) {
    return '<div class="account__avatar" style="width:' + size + 'px;height:' + size + 'px">' +
      '<img src="/avatars/' + encodeURIComponent(acct) + '" alt="" width="' + size +
      '" height="' + size + '"></div>';
  }

  function displayNameHtml(account, size) {
    return '<a class="status__display-name" href="/@' + esc(account.acct) + '">' +
      '<div class="status__avatar">' + avatarHtml(account.acct, size) + '</div>' +
      '<span class="display-name"><bdi><strong class="display-name__html">' +
      esc(account.display_name) + '</strong></bdi> <span class="display-name__account">@' +
      esc(account.acct) + '</span></span></a>';
  }

  function mediaHtml(status) {
    var items = status.media_attachments || [];
    if (!items.length) { return ''; }
    var parts = items.map(function (m) {
      if (m.type === 'video') {
        return '<div class="video-player"><video controls preload="metadata" src="' +
          esc(pathOf(m.url)) + '" aria-label="' + esc(m.description) + '"></video></div>';
      }
      var small = esc(pathOf(m.preview_url)), large = esc(pathOf(m.url));
      return '<div class="media-gallery__item"><a class="media-gallery__item-thumbnail" href="' +
        large + '" target="_blank" rel="noopener"><img loading="lazy" srcset="' + small +
        ' 400w, ' + large + ' 1200w" sizes="(max-width: 600px) 100vw, 560px" src="' + small +
        '" alt="' + esc(m.description) + '" width="400" height="225"></a></div>';
    });
    return '<div class="media-gallery media-gallery--' + items.length + '">' + parts.join('') + '</div>';
  }

  function editedHtml(status, long) {
    // Mastodon marks edited statuses: "bewerkt op <datum>" in the detailed view, "bewerkt" elsewhere.
    if (!status.edited_at) { return ''; }
    var when = dateLong(status.edited_at);
    return ' <span class="' + (long ? 'detailed-status__edited' : 'status__edited') + '" data-edited-at="' +
      esc(status.edited_at) + '" title="Bewerkt op ' + esc(when) + '">' +
      (long ? 'bewerkt op ' + esc(when) : 'bewerkt') + '</span>';
  }

  function loginRequired() {
    // The server shows this prompt instead of the comments to visitors without a session.
    return document.querySelector('[data-login-required]') !== null;
  }

  function contentHtml(status) {
    // status.content is server-generated, escaped HTML (one <p>, mention links).
    return '<div class="status__content" lang="' + esc(status.language || 'nl') + '">' +
      '<div class="status__content__text translate">' + status.content + '</div></div>';
  }

  /* ---- profile: infinite-scroll timeline --------------------------------------------- */

  function timelineStatusHtml(status, position) {
    var permalink = '/@' + esc(status.account.acct) + '/' + esc(status.id);
    var replies = status.comments_count != null ? status.comments_count : status.replies_count;
    return '<article class="status" data-id="' + esc(status.id) + '" aria-posinset="' + position +
      '" tabindex="0"><div class="status__info">' +
      '<a class="status__relative-time status__permalink" href="' + permalink + '">' +
      '<time datetime="' + esc(status.created_at) + '" title="' + esc(dateLong(status.created_at)) +
      '">' + esc(dateShort(status.created_at)) + '</time></a>' + editedHtml(status, false) +
      displayNameHtml(status.account, 46) + '</div>' + contentHtml(status) + mediaHtml(status) +
      '<div class="status__action-bar">' +
      '<a class="status__action-bar__button" href="' + permalink + '" title="Reageren">' + ICONS.reply +
      '<span class="counter" data-counter="replies" data-count="' + replies + '">' + numberNl(replies) + '</span></a>' +
      '<span class="status__action-bar__button" title="Boosten">' + ICONS.boost +
      '<span class="status__reblogs" data-count="' + status.reblogs_count + '">' + numberNl(status.reblogs_count) + '</span></span>' +
      '<span class="status__action-bar__button" title="Favoriet">' + ICONS.star +
      '<span class="status__favourites" data-count="' + status.favourites_count + '">' + numberNl(status.favourites_count) + '</span></span>' +
      '</div></article>';
  }

  function initTimeline(timeline) {
    var accountId = timeline.getAttribute('data-account-id');
    var sentinel = document.querySelector('.load-more-sentinel') || timeline;
    var maxId = null, loading = false, done = false, rendered = 0;
    var indicator = fromHtml('<div class="loading-indicator" role="status">Laden…</div>');
    var observer = null;

    function nearBottom() {
      return sentinel.getBoundingClientRect().top < window.innerHeight + 300;
    }

    function finish() {
      done = true;
      timeline.appendChild(fromHtml('<div class="timeline-end">Einde van de tijdlijn</div>'));
      if (observer) { observer.disconnect(); }
      window.removeEventListener('scroll', onScroll);
    }

    function loadMore() {
      if (loading || done) { return; }
      loading = true;
      timeline.setAttribute('aria-busy', 'true');
      timeline.parentNode.insertBefore(indicator, sentinel);
      var url = '/api/v1/accounts/' + encodeURIComponent(accountId) + '/statuses?limit=' + PAGE_SIZE +
        (maxId ? '&max_id=' + encodeURIComponent(maxId) : '') + '&_=' + Date.now();
      getJSON(url).then(function (items) {
        if (!items.length) { finish(); return; }
        items.forEach(function (status) {
          rendered += 1;
          timeline.appendChild(fromHtml(timelineStatusHtml(status, rendered)));
        });
        maxId = items[items.length - 1].id;
      }).catch(function (err) {
        var box = fromHtml('<div class="timeline-error">Laden mislukt. ' +
          '<button type="button" class="load-retry">Opnieuw proberen</button></div>');
        box.querySelector('button').addEventListener('click', function () { box.remove(); loadMore(); });
        timeline.appendChild(box);
        console.error(err);
      }).then(function () {
        loading = false;
        timeline.setAttribute('aria-busy', 'false');
        indicator.remove();
        // Short pages (or a tall window) may leave the sentinel visible: keep going, since an
        // IntersectionObserver will not fire again while it stays in view.
        if (!done && !timeline.querySelector('.timeline-error') && nearBottom()) { loadMore(); }
      });
    }

    var ticking = false;
    function onScroll() {
      if (ticking) { return; }
      ticking = true;
      window.requestAnimationFrame(function () {
        ticking = false;
        if (nearBottom()) { loadMore(); }
      });
    }

    if ('IntersectionObserver' in window) {
      observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { loadMore(); }
      }, { rootMargin: '0px 0px 300px 0px' });
      observer.observe(sentinel);
    }
    window.addEventListener('scroll', onScroll, { passive: true });
    loadMore();
  }

  /* ---- post page: thread with lazily loaded replies ----------------------------------- */

  function detailedStatusHtml(status) {
    var count = status.comments_count != null ? status.comments_count : status.replies_count;
    return '<article class="detailed-status" data-id="' + esc(status.id) + '">' +
      '<div class="detailed-status__header">' + displayNameHtml(status.account, 48) + '</div>' +
      contentHtml(status) + mediaHtml(status) +
      '<div class="detailed-status__meta">' +
      '<a class="detailed-status__datetime status__relative-time" href="/@' + esc(status.account.acct) +
      '/' + esc(status.id) + '"><time datetime="' + esc(status.created_at) + '">' +
      esc(dateLong(status.created_at)) + '</time></a>' + editedHtml(status, true) + ' · ' +
      '<span class="counter" data-counter="replies" data-count="' + count + '"><strong>' +
      numberNl(count) + '</strong> reacties</span> · ' +
      '<span class="detailed-status__reblogs" data-count="' + status.reblogs_count + '"><strong>' +
      numberNl(status.reblogs_count) + '</strong> boosts</span> · ' +
      '<span class="detailed-status__favorites" data-count="' + status.favourites_count + '"><strong>' +
      numberNl(status.favourites_count) + '</strong> favorieten</span></div></article>';
  }

  function replyNodeHtml(status, parentId) {
    return '<div class="thread-node" data-id="' + esc(status.id) + '">' +
      '<article class="status reply" data-id="' + esc(status.id) + '" data-parent="' + esc(parentId) +
      '" id="' + esc(status.id) + '"><div class="status__info">' +
      '<span class="status__relative-time"><time datetime="' + esc(status.created_at) + '" title="' +
      esc(dateLong(status.created_at)) + '">' + esc(dateShort(status.created_at)) + '</time></span>' +
      editedHtml(status, false) + displayNameHtml(status.account, 36) + '</div>' + contentHtml(status) +
      '<div class="status__action-bar"><span class="status__action-bar__button status__replies-count" title="Reacties">' +
      ICONS.reply + '<span>' + status.replies_count + '</span></span></div></article>' +
      '<div class="replies" data-parent="' + esc(status.id) + '"></div></div>';
  }

  function Thread(root, postId) {
    this.root = root;
    this.postId = postId;
    this.expected = {}; // status id -> number of direct replies the server reports
  }

  Thread.prototype.container = function (parentId) {
    return this.root.querySelector('.replies[data-parent="' + parentId + '"]');
  };

  Thread.prototype.addReplies = function (parentId, statuses, byParent) {
    var self = this;
    var box = this.container(parentId);
    statuses.forEach(function (status) {
      if (self.root.querySelector('.thread-node[data-id="' + status.id + '"]')) { return; }
      self.expected[status.id] = status.replies_count;
      box.appendChild(fromHtml(replyNodeHtml(status, parentId)));
      if (byParent) { self.addReplies(status.id, byParent[status.id] || [], byParent); }
      self.updateButton(status.id);
    });
  };

  Thread.prototype.updateButton = function (parentId) {
    // A parent whose reply count exceeds its rendered replies gets a "more" button.
    var box = this.container(parentId);
    var holder = box.parentNode;
    var button = holder.querySelector(':scope > .load-more-replies');
    var missing = (this.expected[parentId] || 0) - box.children.length;
    if (missing <= 0) { if (button) { button.remove(); } return; }
    if (button) { return; }
    button = fromHtml('<button type="button" class="load-more-replies" data-id="' + esc(parentId) +
      '" data-count="' + missing + '">Show more replies</button>');
    button.addEventListener('click', this.loadMore.bind(this, parentId, button));
    holder.appendChild(button);
  };

  Thread.prototype.loadMore = function (parentId, button) {
    // Deliberately a synchronous request: when the click event returns, the replies are in the
    // DOM and the button is gone (or replaced by the next level's buttons). Automation that
    // clicks "every visible button until none is left" cannot race the network then; with an
    // async fetch a button vanishing between "count" and "click" makes such loops hang or stop
    // early. The request still happens only after the click, like on the real platform.
    var url = '/api/v1/statuses/' + encodeURIComponent(parentId) + '/replies?limit=40&_=' + Date.now();
    var statuses;
    try {
      var xhr = new XMLHttpRequest();
      xhr.open('GET', url, false);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.send(null);
      if (xhr.status !== 200) { throw new Error('HTTP ' + xhr.status + ' for ' + url); }
      statuses = JSON.parse(xhr.responseText);
    } catch (err) {
      console.error(err);
      return; // the button stays, a later click retries
    }
    button.remove();
    this.addReplies(parentId, statuses, null);
    this.expected[parentId] = Math.min(this.expected[parentId], this.container(parentId).children.length);
    this.updateButton(parentId);
  };

  function initThread(root) {
    var postId = root.getAttribute('data-status-id');
    var base = '/api/v1/statuses/' + encodeURIComponent(postId);
    var gated = loginRequired();
    var context = gated ? Promise.resolve(null) : getJSON(base + '/context');
    Promise.all([getJSON(base), context]).then(function (results) {
      var status = results[0], context = results[1];
      root.innerHTML = '';
      root.appendChild(fromHtml(detailedStatusHtml(status)));
      if (gated) { root.setAttribute('aria-busy', 'false'); return; }
      var wrapper = fromHtml('<div class="thread-root"><div class="replies replies--root" data-parent="' +
        esc(postId) + '"></div></div>');
      root.appendChild(wrapper);
      var byParent = {};
      context.descendants.forEach(function (s) {
        (byParent[s.in_reply_to_id] = byParent[s.in_reply_to_id] || []).push(s);
      });
      var thread = new Thread(root, postId);
      thread.expected[postId] = status.replies_count;
      thread.addReplies(postId, byParent[postId] || [], byParent);
      thread.updateButton(postId);
      root.setAttribute('aria-busy', 'false');
    }).catch(function (err) {
      console.error(err);
      root.innerHTML = '<div class="timeline-error">Dit bericht kon niet worden geladen.</div>';
      root.setAttribute('aria-busy', 'false');
    });
  }

  function start() {
    var timeline = document.getElementById('timeline');
    if (timeline) { initTimeline(timeline); }
    var thread = document.getElementById('thread');
    if (thread) { initThread(thread); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
