/* SMA demo platform - Instagram skin client. Plain ES2017, no frameworks.
 *
 * profile: #grid[data-user-id] <- /instagram/api/v1/feed/user/<id>/?count=12[&max_id=]
 *          next page when .grid-sentinel nears the viewport; after two pages a login nag
 *          (div[role=dialog], close button with svg[aria-label=Sluiten]) opens, and no further
 *          page loads until it is closed. The last page appends div.feed-end.
 * post:    #post[data-media-id] <- /instagram/api/v1/media/<id>/info/ and .../comments/
 *          (top-level only, paged: "Meer reacties laden" fetches .../comments/?min_id=<last>),
 *          "Antwoorden bekijken (N)" fetches .../comments/<id>/child_comments/ (one flat level).
 * The clicks load synchronously (see getJSONNow); scrolling loads asynchronously.
 * Paths are kept relative, so replay tools only have to rewrite what the browser requests.
 */
(function () {
  'use strict';

  var API = '/instagram/api/v1';
  var PAGES_BEFORE_NAG = 2;
  var CLOSE_ICON = '<svg aria-label="Sluiten" role="img" viewBox="0 0 24 24" width="18" height="18">' +
    '<title>Sluiten</title><path d="M4 4l16 16M20 4L4 20" stroke="currentColor" stroke-width="2"/></svg>';
  var PLUS_ICON = '<svg aria-label="Meer reacties laden" role="img" viewBox="0 0 24 24" width="24" height="24">' +
    '<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2"/>' +
    '<path d="M12 7v10M7 12h10" stroke="currentColor" stroke-width="2"/></svg>';

  function esc(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (ch) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch];
    });
  }

  function pathOf(url) {
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

  function getJSONNow(url) {
    // Deliberately synchronous, as in the Mastodon skin: when a click event returns, what it
    // loads is in the DOM, so automation that clicks "every visible button until none is left"
    // cannot race the network. The request still happens only after the click.
    var xhr = new XMLHttpRequest();
    xhr.open('GET', url, false);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.send(null);
    if (xhr.status !== 200) { throw new Error('HTTP ' + xhr.status + ' for ' + url); }
    return JSON.parse(xhr.responseText);
  }

  function numberNl(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.'); }

  function dateNl(epoch) {
    return new Date(epoch * 1000).toLocaleDateString('nl-NL', { day: 'numeric', month: 'long', year: 'numeric' });
  }

  function imageUrl(versions, width) {
    var found = versions.candidates.filter(function (c) { return c.width === width; })[0];
    return pathOf((found || versions.candidates[0]).url);
  }

  /* ---- profile: grid with a login nag ------------------------------------------------ */

  function tileHtml(item) {
    var kind = item.media_type === 8 ? '<span class="tile-badge" aria-label="Carrousel">▣</span>' :
      item.media_type === 2 ? '<span class="tile-badge" aria-label="Video">▶</span>' : '';
    return '<div class="grid-item" data-media-id="' + esc(item.pk) + '"><a class="grid-link" href="/instagram/p/' +
      esc(item.code) + '/"><img loading="lazy" src="' + esc(imageUrl(item.image_versions2, 400)) +
      '" alt="' + esc(item.caption ? item.caption.text : '') + '" width="400" height="225">' + kind +
      '<span class="tile-hover"><span>♥ ' + numberNl(item.like_count) + '</span><span>💬 ' +
      numberNl(item.comment_count) + '</span></span></a></div>';
  }

  function initGrid(grid) {
    var userId = grid.getAttribute('data-user-id');
    var sentinel = document.querySelector('.grid-sentinel') || grid;
    var maxId = null, loading = false, done = false, pages = 0, nag = null, nagShown = false;

    function nearBottom() { return sentinel.getBoundingClientRect().top < window.innerHeight + 300; }

    function closeNag() {
      if (!nag) { return; }
      nag.remove();
      nag = null;
      document.body.classList.remove('modal-open');
      if (nearBottom()) { loadMore(); }
    }

    function showNag() {
      nagShown = true;
      nag = fromHtml('<div class="nag-backdrop" role="presentation"><div class="nag" role="dialog" aria-modal="true" aria-labelledby="nag-title">' +
        '<div class="nag-top"><button type="button" class="nag-close">' + CLOSE_ICON + '</button></div>' +
        '<div class="nag-body"><h2 id="nag-title">Bekijk meer van ' + esc(grid.closest('main').querySelector('.profile-username').textContent) +
        '</h2><p>Meld je aan om foto\'s en video\'s van je vrienden te zien.</p>' +
        '<a class="nag-login" href="/instagram/accounts/login/">Inloggen</a>' +
        '<a class="nag-signup" href="/instagram/accounts/login/">Registreren</a></div></div></div>');
      nag.querySelector('.nag-close').addEventListener('click', closeNag);
      document.body.appendChild(nag);
      document.body.classList.add('modal-open');
    }

    function loadMore() {
      if (loading || done || nag) { return; }
      if (pages >= PAGES_BEFORE_NAG && !nagShown) { showNag(); return; }
      loading = true;
      grid.setAttribute('aria-busy', 'true');
      var url = API + '/feed/user/' + encodeURIComponent(userId) + '/?count=12' +
        (maxId ? '&max_id=' + encodeURIComponent(maxId) : '');
      getJSON(url).then(function (data) {
        pages += 1;
        data.items.forEach(function (item) { grid.appendChild(fromHtml(tileHtml(item))); });
        maxId = data.next_max_id;
        if (!data.more_available) {
          done = true;
          grid.parentNode.insertBefore(fromHtml('<div class="feed-end" aria-hidden="true"></div>'), sentinel);
        }
      }).catch(function (err) {
        console.error(err);
        var box = fromHtml('<div class="grid-error">Laden mislukt. <button type="button">Opnieuw proberen</button></div>');
        box.querySelector('button').addEventListener('click', function () { box.remove(); loadMore(); });
        grid.parentNode.insertBefore(box, sentinel);
      }).then(function () {
        loading = false;
        grid.setAttribute('aria-busy', 'false');
        if (!done && !document.querySelector('.grid-error') && nearBottom()) { loadMore(); }
      });
    }

    var ticking = false;
    window.addEventListener('scroll', function () {
      if (ticking) { return; }
      ticking = true;
      window.requestAnimationFrame(function () { ticking = false; if (nearBottom()) { loadMore(); } });
    }, { passive: true });
    loadMore();
  }

  /* ---- post page: carousel, comments, replies ------------------------------------------ */

  function slideHtml(slide, index) {
    var img = '<img loading="lazy" srcset="' + esc(imageUrl(slide.image_versions2, 400)) + ' 400w, ' +
      esc(imageUrl(slide.image_versions2, 1200)) + ' 1200w" sizes="(max-width: 700px) 100vw, 600px" src="' +
      esc(imageUrl(slide.image_versions2, 400)) + '" alt="' + esc(slide.accessibility_caption) +
      '" width="400" height="225">';
    if (slide.video_versions) {
      img = '<video controls preload="metadata" poster="' + esc(imageUrl(slide.image_versions2, 400)) +
        '" src="' + esc(pathOf(slide.video_versions[0].url)) + '" aria-label="' + esc(slide.accessibility_caption) + '"></video>';
    }
    return '<li class="slide" data-index="' + index + '">' + img + '</li>';
  }

  function mediaHtml(item) {
    var slides = item.carousel_media || [item];
    var nav = slides.length < 2 ? '' :
      '<button type="button" class="carousel-prev" aria-label="Vorige" disabled>‹</button>' +
      '<button type="button" class="carousel-next" aria-label="Volgende">›</button>' +
      '<div class="carousel-dots">' + slides.map(function (s, i) {
        return '<span class="dot' + (i === 0 ? ' active' : '') + '"></span>';
      }).join('') + '</div>';
    return '<div class="post-media carousel" data-slides="' + slides.length + '" data-current="0">' +
      '<ul class="carousel-slides">' + slides.map(slideHtml).join('') + '</ul>' + nav + '</div>';
  }

  function initCarousel(box) {
    var count = Number(box.getAttribute('data-slides'));
    var prev = box.querySelector('.carousel-prev'), next = box.querySelector('.carousel-next');
    if (!next) { return; }
    function go(delta) {
      var current = Math.max(0, Math.min(count - 1, Number(box.getAttribute('data-current')) + delta));
      box.setAttribute('data-current', String(current));
      box.querySelector('.carousel-slides').style.transform = 'translateX(' + (-100 * current) + '%)';
      prev.disabled = current === 0;
      next.disabled = current === count - 1;
      box.querySelectorAll('.dot').forEach(function (d, i) { d.classList.toggle('active', i === current); });
    }
    prev.addEventListener('click', function () { go(-1); });
    next.addEventListener('click', function () { go(1); });
  }

  function editedHtml(epoch) {
    // Instagram marks an edited caption or comment with "Bewerkt".
    if (!epoch) { return ''; }
    return ' · <span class="edited" data-edited-at="' + new Date(epoch * 1000).toISOString() + '">Bewerkt</span>';
  }

  function loginRequired() {
    // The server shows this prompt instead of the comments to visitors without a session.
    return document.querySelector('[data-login-required]') !== null;
  }

  function commentHtml(c, isReply) {
    var replies = '';
    if (!isReply && c.child_comment_count > 0) {
      replies = '<button type="button" class="view-replies" data-comment-id="' + esc(c.pk) + '">' +
        '<span class="line"></span>Antwoorden bekijken (' + c.child_comment_count + ')</button>' +
        '<ul class="replies" hidden></ul>';
    }
    return '<li class="comment' + (isReply ? ' reply' : '') + '" data-comment-id="' + esc(c.pk) + '">' +
      '<div class="comment-body"><a class="comment-avatar" href="/instagram/' + esc(c.user.username) + '/">' +
      '<img src="' + esc(pathOf(c.user.profile_pic_url)) + '" alt="Profielfoto van ' + esc(c.user.username) +
      '" width="32" height="32"></a><div class="comment-main"><a class="username" href="/instagram/' +
      esc(c.user.username) + '/">' + esc(c.user.username) + '</a> <span class="comment-text">' + esc(c.text) +
      '</span><div class="comment-meta"><time datetime="' + c.created_at + '">' + esc(dateNl(c.created_at)) +
      '</time>' + editedHtml(c.edited_at) + ' · ' + c.comment_like_count + ' vind-ik-leuks · <span>Beantwoorden</span></div></div></div>' +
      replies + '</li>';
  }

  function Comments(root, mediaId) {
    this.root = root;
    this.list = root.querySelector('ul.comments-list');
    this.mediaId = mediaId;
  }

  Comments.prototype.add = function (comments) {
    var self = this;
    comments.forEach(function (c) {
      if (self.list.querySelector('li.comment[data-comment-id="' + c.pk + '"]')) { return; }
      var li = fromHtml(commentHtml(c, false));
      var button = li.querySelector('.view-replies');
      if (button) { button.addEventListener('click', self.loadReplies.bind(self, c, li, button)); }
      self.list.insertBefore(li, self.list.querySelector(':scope > li.load-more'));
    });
  };

  Comments.prototype.setMore = function (cursor) {
    var old = this.list.querySelector(':scope > li.load-more');
    if (old) { old.remove(); }
    if (!cursor) { return; }
    var li = fromHtml('<li class="load-more"><button type="button" class="load-more-comments" aria-label="Meer reacties laden">' +
      PLUS_ICON + '</button></li>');
    li.querySelector('button').addEventListener('click', this.loadMore.bind(this, cursor, li));
    this.list.appendChild(li);
  };

  Comments.prototype.loadMore = function (cursor, li) {
    var self = this;
    li.remove(); // gone at once: a reader (or crawler) never clicks the same page twice
    var data;
    try {
      data = getJSONNow(API + '/media/' + encodeURIComponent(this.mediaId) + '/comments/?min_id=' + encodeURIComponent(cursor));
    } catch (err) { console.error(err); self.setMore(cursor); return; }
    self.add(data.comments);
    self.setMore(data.has_more_comments ? data.next_min_id : null);
  };

  Comments.prototype.loadReplies = function (comment, li, button) {
    var list = li.querySelector('ul.replies');
    if (button.classList.contains('hide-replies')) {
      list.hidden = !list.hidden;
      button.lastChild.textContent = list.hidden ? 'Antwoorden bekijken (' + comment.child_comment_count + ')' : 'Antwoorden verbergen';
      return;
    }
    var data;
    try {
      data = getJSONNow(API + '/media/' + encodeURIComponent(this.mediaId) + '/comments/' +
        encodeURIComponent(comment.pk) + '/child_comments/');
    } catch (err) { console.error(err); return; } // the button stays, a later click retries
    data.child_comments.forEach(function (c) { list.appendChild(fromHtml(commentHtml(c, true))); });
    list.hidden = false;
    button.classList.remove('view-replies');
    button.classList.add('hide-replies');
    button.lastChild.textContent = 'Antwoorden verbergen';
  };

  function postHtml(item) {
    var user = item.user;
    return '<div class="post-layout">' + mediaHtml(item) + '<div class="post-side">' +
      '<header class="post-header"><a href="/instagram/' + esc(user.username) + '/"><img class="post-avatar" src="' +
      esc(pathOf(user.profile_pic_url)) + '" alt="Profielfoto van ' + esc(user.username) + '" width="32" height="32"></a>' +
      '<a class="username" href="/instagram/' + esc(user.username) + '/">' + esc(user.username) + '</a>' +
      (user.is_verified ? '<span class="verified" aria-label="Geverifieerd">✔</span>' : '') + '</header>' +
      '<div class="post-comments"><div class="caption"><a class="username" href="/instagram/' + esc(user.username) + '/">' +
      esc(user.username) + '</a> <h1 class="caption-text">' + esc(item.caption.text) + '</h1></div>' +
      '<ul class="comments-list"></ul></div>' +
      '<section class="post-actions"><span class="likes" data-count="' + item.like_count + '">' + numberNl(item.like_count) +
      ' vind-ik-leuks</span> · <span class="comment-count" data-counter="comments" data-count="' + item.comment_count + '">' +
      numberNl(item.comment_count) + ' reacties</span><time datetime="' + item.taken_at + '">' + esc(dateNl(item.taken_at)) +
      '</time>' + editedHtml(item.caption.edited_at) + '</section></div></div>';
  }

  function initPost(root) {
    var mediaId = root.getAttribute('data-media-id');
    var base = API + '/media/' + encodeURIComponent(mediaId);
    var gated = loginRequired();
    var firstComments = gated ? Promise.resolve(null) : getJSON(base + '/comments/');
    Promise.all([getJSON(base + '/info/'), firstComments]).then(function (results) {
      var item = results[0].items[0], first = results[1];
      root.innerHTML = postHtml(item);
      initCarousel(root.querySelector('.post-media'));
      if (gated) { root.setAttribute('aria-busy', 'false'); return; }
      var comments = new Comments(root, mediaId);
      comments.add(first.comments);
      comments.setMore(first.has_more_comments ? first.next_min_id : null);
      root.setAttribute('aria-busy', 'false');
    }).catch(function (err) {
      console.error(err);
      root.innerHTML = '<div class="post-error">Dit bericht kon niet worden geladen.</div>';
      root.setAttribute('aria-busy', 'false');
    });
  }

  function start() {
    var grid = document.getElementById('grid');
    if (grid) { initGrid(grid); }
    var post = document.getElementById('post');
    if (post) { initPost(post); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
