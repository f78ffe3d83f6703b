/* SMA demo platform - YouTube skin client. Plain ES2017, no frameworks.
 *
 *   channel: ytd-rich-grid-renderer[data-channel-id] <- /youtube/youtubei/v1/browse?channelId=<id>
 *            [&continuation=<token>]; the next page loads when the grid's
 *            ytd-continuation-item-renderer nears the viewport; no token => it is removed.
 *   watch:   ytd-comments#comments loads nothing until it is scrolled into view
 *            (IntersectionObserver), then /youtubei/v1/next?videoId=<id> (header + 6 threads),
 *            more threads as its continuation item nears the viewport.
 *            "N antwoorden" (#more-replies) and "Meer antwoorden weergeven" fetch
 *            /youtubei/v1/replies?videoId=&commentId=<top>[&continuation=] (synchronously, like
 *            the Mastodon skin, so click-until-gone automation cannot race the network).
 */
(function () {
  'use strict';

  var API = '/youtube/youtubei/v1/';

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

  function numberNl(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  }

  function query(params) {
    return Object.keys(params).filter(function (k) { return params[k]; }).map(function (k) {
      return k + '=' + encodeURIComponent(params[k]);
    }).join('&');
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
      return sentinel.isConnected && sentinel.getBoundingClientRect().top < window.innerHeight + margin;
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

  /* ---- channel: video grid --------------------------------------------------------------- */

  function gridItemHtml(item) {
    return '<ytd-rich-item-renderer data-video-id="' + esc(item.videoId) + '"><div id="content">' +
      '<a id="thumbnail" href="' + esc(item.url) + '" tabindex="-1"><img loading="lazy" src="' +
      esc(item.thumbnail) + '" alt="" width="400" height="225">' +
      '<span class="badge-duration">' + esc(item.lengthText) + '</span></a>' +
      '<div id="details"><h3><a id="video-title-link" href="' + esc(item.url) + '" title="' +
      esc(item.title) + '"><yt-formatted-string id="video-title">' + esc(item.title) +
      '</yt-formatted-string></a></h3><div id="metadata-line"><span class="views">' +
      numberNl(item.viewCount) + ' weergaven</span> • <span class="published">' +
      esc(item.publishedTimeText) + '</span> • <span class="comments" data-count="' +
      item.commentCount + '">' + numberNl(item.commentCount) + ' reacties</span></div></div>' +
      '</div></ytd-rich-item-renderer>';
  }

  function initGrid(grid) {
    var contents = grid.querySelector('#contents');
    var sentinel = grid.querySelector('ytd-continuation-item-renderer');
    var channelId = grid.getAttribute('data-channel-id');
    var continuation = null;
    whenNear(sentinel, 400, function () {
      var url = API + 'browse?' + query({ channelId: channelId, continuation: continuation });
      return getJSON(url).then(function (data) {
        data.items.forEach(function (item) {
          contents.insertBefore(fromHtml(gridItemHtml(item)), sentinel);
        });
        continuation = data.continuation;
        if (!continuation) { sentinel.remove(); }
        return Boolean(continuation);
      });
    });
  }

  /* ---- watch page: lazy comments --------------------------------------------------------- */

  function loginRequired() {
    // The server shows this prompt instead of the comments to visitors without a session.
    return document.querySelector('[data-login-required]') !== null;
  }

  function commentHtml(c, reply) {
    return '<ytd-comment-view-model id="comment" class="' + (reply ? 'reply' : 'top-level') +
      '" data-comment-id="' + esc(c.commentId) + '">' +
      '<div id="author-thumbnail"><img src="' + esc(c.author.avatar) + '" alt="" width="' +
      (reply ? 24 : 40) + '" height="' + (reply ? 24 : 40) + '"></div><div id="main">' +
      '<div id="header-author"><a id="author-text" title="' + esc(c.author.channelName) + '">' +
      esc(c.author.displayName) + '</a> <span id="published-time-text">' + esc(c.publishedTimeText) +
      '</span>' + (c.editedAt ? ' <span class="edited" data-edited-at="' + esc(c.editedAt) + '">(bewerkt)</span>' : '') +
      '</div><yt-attributed-string id="content-text"><span>' + esc(c.content) +
      '</span></yt-attributed-string><div id="toolbar"><span id="vote-count-middle">' +
      (c.likeCount || '') + '</span> <span class="reply-button">Antwoorden</span></div></div>' +
      '</ytd-comment-view-model>';
  }

  function threadHtml(c) {
    var replies = '';
    if (c.replyCount) {
      var label = c.replyCount === 1 ? '1 antwoord' : numberNl(c.replyCount) + ' antwoorden';
      replies = '<ytd-comment-replies-renderer><div id="expander"><div id="expander-header">' +
        '<ytd-button-renderer id="more-replies"><button type="button" aria-label="' + label +
        '">▾ ' + label + '</button></ytd-button-renderer>' +
        '<ytd-button-renderer id="less-replies" hidden><button type="button">▴ ' + label +
        '</button></ytd-button-renderer></div><div id="expander-contents"></div></div>' +
        '</ytd-comment-replies-renderer>';
    }
    return '<ytd-comment-thread-renderer data-comment-id="' + esc(c.commentId) + '">' +
      commentHtml(c, false) + replies + '</ytd-comment-thread-renderer>';
  }

  function loadReplies(videoId, thread, continuation) {
    var commentId = thread.getAttribute('data-comment-id');
    var box = thread.querySelector('#expander-contents');
    var data;
    try {
      data = getJSONSync(API + 'replies?' + query({ videoId: videoId, commentId: commentId,
        continuation: continuation }));
    } catch (err) {
      console.error(err);
      return false; // the button stays; another click retries
    }
    data.replies.forEach(function (r) { box.appendChild(fromHtml(commentHtml(r, true))); });
    if (data.continuation) {
      var more = fromHtml('<ytd-continuation-item-renderer class="replies-continuation">' +
        '<ytd-button-renderer><button type="button">↳ Meer antwoorden weergeven</button>' +
        '</ytd-button-renderer></ytd-continuation-item-renderer>');
      more.querySelector('button').addEventListener('click', function () {
        if (loadReplies(videoId, thread, data.continuation)) { more.remove(); }
      });
      box.appendChild(more);
    }
    return true;
  }

  function wireReplies(videoId, thread) {
    var moreBtn = thread.querySelector('#more-replies');
    if (!moreBtn) { return; }
    var lessBtn = thread.querySelector('#less-replies');
    var box = thread.querySelector('#expander-contents');
    var loaded = false;
    moreBtn.querySelector('button').addEventListener('click', function () {
      if (!loaded) {
        if (!loadReplies(videoId, thread, null)) { return; }
        loaded = true;
      }
      box.hidden = false;
      moreBtn.hidden = true;
      lessBtn.hidden = false;
    });
    lessBtn.querySelector('button').addEventListener('click', function () {
      box.hidden = true;
      lessBtn.hidden = true;
      moreBtn.hidden = false;
    });
  }

  function initComments(section) {
    var videoId = section.getAttribute('data-video-id');
    var header = section.querySelector('#header');
    var contents = section.querySelector('#contents');
    var sentinel = contents.querySelector('ytd-continuation-item-renderer');
    var continuation = null;

    function loadPage() {
      var url = API + 'next?' + query({ videoId: videoId, continuation: continuation });
      return getJSON(url).then(function (data) {
        if (data.header) {
          header.innerHTML = '<ytd-comments-header-renderer><h2 id="count">' +
            '<span class="count-text" data-count="' + data.header.count + '">' +
            esc(data.header.countText) + '</span></h2><span class="sort-menu">Sorteren op: ' +
            'Nieuwste eerst</span></ytd-comments-header-renderer>';
        }
        data.comments.forEach(function (c) {
          var thread = fromHtml(threadHtml(c));
          contents.insertBefore(thread, sentinel);
          wireReplies(videoId, thread);
        });
        continuation = data.continuation;
        if (!continuation) { sentinel.remove(); }
        return Boolean(continuation);
      });
    }

    // Nothing is requested until the section itself comes into view, as on YouTube.
    var first = new IntersectionObserver(function (entries) {
      if (!entries.some(function (e) { return e.isIntersecting; })) { return; }
      first.disconnect();
      loadPage().then(function (more) {
        if (more) { whenNear(sentinel, 300, loadPage); }
      }).catch(function (err) {
        console.error(err);
        header.innerHTML = '<div class="error">Reacties konden niet worden geladen.</div>';
      });
    });
    first.observe(section);
  }

  function start() {
    var grid = document.querySelector('ytd-rich-grid-renderer[data-channel-id]');
    if (grid) { initGrid(grid); }
    var comments = document.querySelector('ytd-comments#comments[data-video-id]');
    if (comments && !loginRequired()) { initComments(comments); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
