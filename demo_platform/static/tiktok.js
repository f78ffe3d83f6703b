/* SMA demo platform - TikTok skin client. Plain ES2017, no frameworks.
 *
 *   profile: [data-e2e="user-post-item-list"][data-sec-uid] <- /tiktok/api/post/item_list/
 *            ?secUid=<id>&cursor=<createTime ms>&count=30; the next page loads when the
 *            .DivLoadMore spinner nears the viewport; hasMore=false => the spinner is removed.
 *   video:   the comment panel is closed; the comment button opens it and only then
 *            /tiktok/api/comment/list/?aweme_id=<id>&cursor=<n>&count=10 is fetched, more
 *            level-1 comments as its spinner nears the viewport. "N antwoorden weergeven"
 *            (p[data-e2e=view-more-1]) and "Nog N weergeven" (view-more-2) fetch
 *            /tiktok/api/comment/list/reply/?item_id=&comment_id=&cursor=&count= synchronously,
 *            like the Mastodon skin, so click-until-gone automation cannot race the network.
 *   every page: a login nag (modal) until it is closed once; closing is remembered.
 */
(function () {
  'use strict';

  var API = '/tiktok/api/';
  var NAG_KEY = 'sma-tiktok-login-nag';

  function esc(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (ch) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch];
    });
  }

  function fromHtml(html) {
    var tpl = document.createElement('template');
    tpl.innerHTML = html.trim();
    return tpl.content.firstElementChild;
  }

  function short(n) {
    if (n >= 1000000) { return (n / 1000000).toFixed(1).replace('.', ',') + 'M'; }
    if (n >= 10000) { return (n / 1000).toFixed(1).replace('.', ',') + 'K'; }
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  }

  function dateNl(seconds) {
    var d = new Date(seconds * 1000);
    return d.getDate() + '-' + (d.getMonth() + 1) + '-' + d.getFullYear();
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

  /* Calls load() whenever `sentinel` is near the viewport, until load() resolves false. */
  function whenNear(sentinel, margin, load) {
    var busy = false, done = false, observer = null;
    function near() {
      return sentinel.isConnected && sentinel.offsetParent !== null &&
        sentinel.getBoundingClientRect().top < window.innerHeight + margin;
    }
    function run() {
      if (busy || done) { return; }
      busy = true;
      load().then(function (more) {
        busy = false;
        if (!more) { done = true; if (observer) { observer.disconnect(); } return; }
        if (near()) { run(); } // an observer does not fire again while the sentinel stays in view
      }).catch(function (err) { busy = false; console.error(err); });
    }
    observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { run(); }
    }, { rootMargin: '0px 0px ' + margin + 'px 0px' });
    observer.observe(sentinel);
    window.addEventListener('scroll', function () { if (near()) { run(); } }, { passive: true });
  }

  /* ---- login nag ------------------------------------------------------------------------- */

  function loginNag() {
    try { if (localStorage.getItem(NAG_KEY) === 'closed') { return; } } catch (e) { /* private mode */ }
    var mask = fromHtml('<div class="DivModalMask" data-e2e="modal-mask"><div class="DivModalContainer" ' +
      'role="dialog" aria-modal="true" aria-labelledby="login-modal-title" data-e2e="login-modal">' +
      '<button type="button" data-e2e="modal-close-inner-button" aria-label="Sluiten">×</button>' +
      '<h2 id="login-modal-title">Inloggen bij TikTok</h2><p>Beheer je account, bekijk meldingen, ' +
      'reageer op video\'s en meer.</p><div class="login-option">Telefoon / e-mail / gebruikersnaam</div>' +
      '<div class="login-option">Doorgaan met Google</div></div></div>');
    mask.querySelector('[data-e2e="modal-close-inner-button"]').addEventListener('click', function () {
      mask.remove();
      try { localStorage.setItem(NAG_KEY, 'closed'); } catch (e) { /* private mode */ }
    });
    document.body.appendChild(mask);
  }

  /* ---- profile: video grid ---------------------------------------------------------------- */

  function itemHtml(item) {
    var href = '/tiktok/@' + encodeURIComponent(item.author.uniqueId) + '/video/' + encodeURIComponent(item.id);
    return '<div data-e2e="user-post-item" class="DivItemContainerV2" data-video-id="' + esc(item.id) + '">' +
      '<div class="DivWrapper"><a href="' + esc(href) + '" tabindex="-1"><div class="DivPlayerContainer">' +
      '<img loading="lazy" src="' + esc(item.video.cover) + '" alt="' + esc(item.desc) + '">' +
      '<div class="DivCardFooter"><strong data-e2e="video-views">▷ ' + short(item.stats.playCount) +
      '</strong></div></div></a></div><div data-e2e="user-post-item-desc" class="DivDesc">' +
      '<a href="' + esc(href) + '" title="' + esc(item.desc) + '"><span>' + esc(item.desc) +
      '</span></a></div></div>';
  }

  function initProfile(list) {
    var sentinel = list.querySelector('.DivLoadMore');
    var secUid = list.getAttribute('data-sec-uid');
    var cursor = '0';
    whenNear(sentinel, 500, function () {
      var url = API + 'post/item_list/?secUid=' + encodeURIComponent(secUid) + '&cursor=' +
        encodeURIComponent(cursor) + '&count=30';
      return getJSON(url).then(function (data) {
        data.itemList.forEach(function (item) { list.insertBefore(fromHtml(itemHtml(item)), sentinel); });
        cursor = data.cursor;
        if (!data.hasMore) { sentinel.remove(); }
        return data.hasMore;
      });
    });
  }

  /* ---- video page: comment panel ----------------------------------------------------------- */

  function loginRequired() {
    // The server shows this prompt instead of the comments to visitors without a session.
    return document.querySelector('[data-login-required]') !== null;
  }

  function commentHtml(c, level) {
    var to = c.reply_to_username ? ' <span class="reply-to">▸ ' + esc(c.reply_to_username) + '</span>' : '';
    return '<div class="DivCommentContentWrapper" data-cid="' + esc(c.cid) + '">' +
      '<a data-e2e="comment-avatar-' + level + '" href="/tiktok/@' + esc(c.user.unique_id) + '">' +
      '<img src="' + esc(c.user.avatar_thumb) + '" alt="" width="' + (level === 1 ? 40 : 24) + '"></a>' +
      '<div class="DivCommentContent"><a data-e2e="comment-username-' + level + '" href="/tiktok/@' +
      esc(c.user.unique_id) + '"><span>' + esc(c.user.nickname) + '</span></a>' + to +
      '<p data-e2e="comment-level-' + level + '" class="PCommentText"><span dir="">' + esc(c.text) +
      '</span></p><p class="PCommentSubContent"><span data-e2e="comment-time-' + level + '">' +
      dateNl(c.create_time) + '</span>' + (c.edited_at ? ' <span class="edited" data-e2e="comment-edited-' + level +
      '" data-edited-at="' + new Date(c.edited_at * 1000).toISOString() + '">· Bewerkt</span>' : '') +
      ' <span data-e2e="comment-reply-' + level +
      '">Beantwoorden</span></p></div><div class="DivLikeWrapper"><span data-e2e="comment-like-count">' +
      (c.digg_count || '') + '</span></div></div>';
  }

  function viewMore(level, label) {
    return fromHtml('<div class="DivViewRepliesContainer"><p data-e2e="view-more-' + level +
      '" role="button" tabindex="0" class="PReplyAction">' + esc(label) + ' ⌄</p></div>');
  }

  function threadHtml(c) {
    return '<div class="DivCommentItemWrapper" data-cid="' + esc(c.cid) + '">' + commentHtml(c, 1) +
      '<div class="DivReplyContainer"></div></div>';
  }

  function wireReplies(videoId, item, total) {
    var box = item.querySelector('.DivReplyContainer');
    var cursor = 0;
    function add(control) {
      box.appendChild(control);
      control.querySelector('p').addEventListener('click', function () {
        var data;
        try {
          data = getJSONSync(API + 'comment/list/reply/?item_id=' + encodeURIComponent(videoId) +
            '&comment_id=' + encodeURIComponent(item.getAttribute('data-cid')) + '&cursor=' + cursor +
            '&count=' + (cursor ? 10 : 3));
        } catch (err) {
          console.error(err);
          return; // it stays; another click retries
        }
        control.remove();
        data.comments.forEach(function (r) { box.appendChild(fromHtml(commentHtml(r, 2))); });
        cursor = data.cursor;
        if (data.has_more) { add(viewMore(2, 'Nog ' + (total - cursor) + ' weergeven')); }
      });
    }
    if (total) { add(viewMore(1, total === 1 ? '1 antwoord weergeven' : total + ' antwoorden weergeven')); }
  }

  function initVideo(detail) {
    var button = detail.querySelector('button[aria-controls="comment-panel"]');
    var panel = document.getElementById('comment-panel');
    var list = panel.querySelector('[data-e2e="comment-list"]');
    var sentinel = list.querySelector('.DivCommentLoadMore');
    var videoId = list.getAttribute('data-aweme-id');
    var cursor = 0, started = false;

    function loadPage() {
      var url = API + 'comment/list/?aweme_id=' + encodeURIComponent(videoId) + '&cursor=' + cursor + '&count=10';
      return getJSON(url).then(function (data) {
        data.comments.forEach(function (c) {
          var item = fromHtml(threadHtml(c));
          list.insertBefore(item, sentinel);
          wireReplies(videoId, item, c.reply_comment_total);
        });
        cursor = data.cursor;
        if (!data.has_more) { sentinel.remove(); }
        return Boolean(data.has_more);
      });
    }

    button.addEventListener('click', function () {
      var open = panel.hidden;
      panel.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      if (open && !started && !loginRequired()) {
        started = true; // nothing is requested before the panel is opened
        whenNear(sentinel, 400, loadPage);
      }
    });
  }

  function start() {
    var list = document.querySelector('[data-e2e="user-post-item-list"][data-sec-uid]');
    if (list) { initProfile(list); }
    var detail = document.querySelector('[data-e2e="video-detail"]');
    if (detail) { initVideo(detail); }
    loginNag();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
