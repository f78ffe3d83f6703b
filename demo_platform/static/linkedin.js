/* SMA demo platform - LinkedIn skin client. Plain ES2017, no frameworks.
 *
 * company: #updates[data-company-id] <- /linkedin/voyager/api/organization/updates?companyId=&start=&count=10
 *          next page when the sentinel nears the viewport; the last page appends .org-updates__end.
 *          Long texts are cut off behind button "…meer" (the full text stays in the JSON).
 * update:  #update[data-urn] <- .../feed/updates/<urn> and .../feed/comments?updateId=<urn>&start=0&count=5
 *          "Meer reacties laden" pages top-level comments (start=&count=20); replies not nested in a
 *          response get "Eerdere antwoorden weergeven", which fetches ...&parentComment=<id>.
 * The clicks load synchronously (see getJSONNow); scrolling loads asynchronously.
 * Paths are kept relative, so replay tools only have to rewrite what the browser requests.
 */
(function () {
  'use strict';

  var API = '/linkedin/voyager/api';
  var FEED_PAGE = 10, FIRST_COMMENTS = 5, MORE_COMMENTS = 20, CUT = 150;

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
    return fetch(url, { headers: { Accept: 'application/vnd.linkedin.normalized+json+2.1' }, credentials: 'same-origin' })
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

  function dateNl(ms) {
    return new Date(ms).toLocaleDateString('nl-NL', { day: 'numeric', month: 'short', year: 'numeric' });
  }

  function contentHtml(content) {
    if (!content) { return ''; }
    if (content.type === 'video') {
      return '<div class="update-components-linkedin-video"><video controls preload="metadata" src="' +
        esc(pathOf(content.url)) + '" aria-label="' + esc(content.alt) + '"></video></div>';
    }
    return '<div class="update-components-image update-components-image--' + content.images.length + '">' +
      content.images.map(function (img) {
        return '<img class="update-components-image__image" loading="lazy" srcset="' + esc(pathOf(img.thumbnail)) +
          ' 400w, ' + esc(pathOf(img.url)) + ' 1200w" sizes="(max-width: 600px) 100vw, 552px" src="' +
          esc(pathOf(img.thumbnail)) + '" alt="' + esc(img.alt) + '" width="400" height="225">';
      }).join('') + '</div>';
  }

  function editedHtml(ms) {
    // LinkedIn writes "Bewerkt" after the age of an edited post or comment.
    if (!ms) { return ''; }
    return ' • <span class="edited" data-edited-at="' + new Date(ms).toISOString() + '">Bewerkt</span>';
  }

  function loginRequired() {
    // The server shows this prompt instead of the comments to visitors without a session.
    return document.querySelector('[data-login-required]') !== null;
  }

  function cut(text) {
    if (text.length <= CUT) { return null; }
    var at = text.lastIndexOf(' ', CUT);
    return text.slice(0, at > 40 ? at : CUT);
  }

  function updateHtml(u) {
    var a = u.actor, counts = u.socialDetail.totalSocialActivityCounts, short = cut(u.commentary.text);
    var link = '/linkedin/feed/update/' + esc(u.urn) + '/';
    return '<div class="feed-shared-update-v2 artdeco-card" data-urn="' + esc(u.urn) + '" role="article">' +
      '<div class="update-components-actor"><a class="update-components-actor__image" href="' + esc(a.url) + '">' +
      '<img src="' + esc(pathOf(a.image)) + '" alt="' + esc(a.name) + '" width="48" height="48"></a>' +
      '<div class="update-components-actor__meta"><a class="update-components-actor__meta-link" href="' + esc(a.url) + '">' +
      '<span class="update-components-actor__title">' + esc(a.name) + '</span></a>' +
      '<span class="update-components-actor__description">' + esc(a.description) + '</span>' +
      '<a class="update-components-actor__sub-description-link" href="' + link + '">' +
      '<span class="update-components-actor__sub-description"><time datetime="' + u.createdAt + '">' +
      esc(dateNl(u.createdAt)) + '</time>' + editedHtml(u.editedAt) + ' • 🌐</span></a></div></div>' +
      '<div class="feed-shared-inline-show-more-text"><div class="update-components-text" dir="ltr">' +
      '<span class="break-words">' + esc(short || u.commentary.text) + '</span></div>' +
      (short ? '<button type="button" class="feed-shared-inline-show-more-text__see-more-less-toggle" ' +
        'aria-label="meer weergeven">…meer</button>' : '') + '</div>' + contentHtml(u.content) +
      '<div class="social-details-social-counts"><span class="social-details-social-counts__reactions-count" data-count="' +
      counts.numLikes + '">👍 ' + numberNl(counts.numLikes) + '</span>' +
      '<a class="social-details-social-counts__comments" href="' + link + '" data-counter="comments" data-count="' +
      counts.numComments + '">' + numberNl(counts.numComments) + ' reacties</a>' +
      '<span class="social-details-social-counts__shares">' + numberNl(counts.numShares) + ' keer gedeeld</span></div>' +
      '<div class="feed-shared-social-action-bar"><span>Interessant</span><span>Reageren</span>' +
      '<span>Repost</span><span>Verzenden</span></div></div>';
  }

  function renderUpdate(u) {
    var node = fromHtml(updateHtml(u));
    var more = node.querySelector('.feed-shared-inline-show-more-text__see-more-less-toggle');
    if (more) {
      more.addEventListener('click', function () {
        node.querySelector('.update-components-text .break-words').textContent = u.commentary.text;
        more.remove();
      });
    }
    return node;
  }

  /* ---- company page: paged feed -------------------------------------------------------- */

  function initFeed(feed) {
    var companyId = feed.getAttribute('data-company-id');
    var sentinel = document.querySelector('.scaffold-finite-scroll__sentinel') || feed;
    var start = 0, loading = false, done = false;

    function nearBottom() { return sentinel.getBoundingClientRect().top < window.innerHeight + 300; }

    function loadMore() {
      if (loading || done) { return; }
      loading = true;
      feed.setAttribute('aria-busy', 'true');
      var url = API + '/organization/updates?companyId=' + encodeURIComponent(companyId) +
        '&start=' + start + '&count=' + FEED_PAGE;
      getJSON(url).then(function (data) {
        data.elements.forEach(function (u) { feed.appendChild(renderUpdate(u)); });
        start += data.elements.length;
        if (!data.elements.length || start >= data.paging.total) {
          done = true;
          feed.appendChild(fromHtml('<div class="org-updates__end">Je bent helemaal bij.</div>'));
        }
      }).catch(function (err) {
        console.error(err);
        var box = fromHtml('<div class="feed-error">Laden mislukt. <button type="button">Opnieuw proberen</button></div>');
        box.querySelector('button').addEventListener('click', function () { box.remove(); loadMore(); });
        feed.appendChild(box);
      }).then(function () {
        loading = false;
        feed.setAttribute('aria-busy', 'false');
        if (!done && !feed.querySelector('.feed-error') && nearBottom()) { loadMore(); }
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

  /* ---- update page: comments with lazily loaded replies ------------------------------------ */

  function commentHtml(c) {
    var a = c.commenter;
    return '<article class="comments-comment-item' + (c.parentId ? ' comments-comment-item--reply' : '') +
      '" data-id="' + esc(c.id) + '" id="comment-' + esc(c.id) + '">' +
      '<a class="comments-post-meta__actor-link" href="' + esc(a.url) + '"><img src="' + esc(pathOf(a.image)) +
      '" alt="' + esc(a.name) + '" width="40" height="40"></a><div class="comments-comment-item__content">' +
      '<div class="comments-post-meta"><span class="comments-post-meta__name-text">' + esc(a.name) + '</span>' +
      '<span class="comments-post-meta__headline">' + esc(a.description) + '</span>' +
      '<time class="comments-comment-item__timestamp">' + esc(dateNl(c.createdAt)) + '</time>' + editedHtml(c.editedAt) + '</div>' +
      '<div class="comments-comment-item__main-content update-components-text" dir="ltr"><span dir="ltr">' +
      esc(c.commentary.text) + '</span></div><div class="comments-comment-social-bar">Interessant · Reageren' +
      (c.numReplies ? ' · ' + c.numReplies + (c.numReplies === 1 ? ' antwoord' : ' antwoorden') : '') +
      '</div></div><div class="comments-comment-item__nested-items">' +
      '<div class="comments-replies-list" data-parent="' + esc(c.id) + '"></div></div></article>';
  }

  function Thread(root, urn) {
    this.root = root;
    this.urn = urn;
    this.expected = {};
  }

  Thread.prototype.add = function (box, comments) {
    var self = this;
    comments.forEach(function (c) {
      var node = self.root.querySelector('article.comments-comment-item[data-id="' + c.id + '"]');
      if (!node) { node = fromHtml(commentHtml(c)); }
      box.appendChild(node); // an existing node moves, so the server's order wins
      self.expected[c.id] = c.numReplies;
      self.add(node.querySelector('.comments-replies-list'), c.replies || []);
      self.updateButton(c.id);
    });
  };

  Thread.prototype.updateButton = function (id) {
    var list = this.root.querySelector('.comments-replies-list[data-parent="' + id + '"]');
    var holder = list.parentNode;
    var button = holder.querySelector(':scope > .show-prev-replies');
    var missing = (this.expected[id] || 0) - list.children.length;
    if (missing <= 0) { if (button) { button.remove(); } return; }
    if (button) { return; }
    button = fromHtml('<button type="button" class="show-prev-replies" aria-label="Eerdere antwoorden weergeven" data-count="' +
      missing + '">Eerdere antwoorden weergeven</button>');
    button.addEventListener('click', this.loadReplies.bind(this, id, button));
    holder.insertBefore(button, list);
  };

  Thread.prototype.loadReplies = function (id, button) {
    var self = this;
    button.remove(); // gone at once; a failed request brings it back
    var list = this.root.querySelector('.comments-replies-list[data-parent="' + id + '"]');
    var data;
    try {
      data = getJSONNow(API + '/feed/comments?updateId=' + encodeURIComponent(this.urn) + '&parentComment=' + encodeURIComponent(id));
    } catch (err) { console.error(err); self.updateButton(id); return; }
    self.add(list, data.elements);
    self.expected[id] = Math.min(self.expected[id], list.children.length);
    self.updateButton(id);
  };

  Thread.prototype.setMore = function (start, total) {
    var old = this.root.querySelector('.comments-comments-list__load-more-comments-button');
    if (old) { old.remove(); }
    if (start >= total) { return; }
    var self = this;
    var button = fromHtml('<button type="button" class="comments-comments-list__load-more-comments-button artdeco-button">' +
      'Meer reacties laden</button>');
    button.addEventListener('click', function () {
      button.remove();
      var data;
      try {
        data = getJSONNow(API + '/feed/comments?updateId=' + encodeURIComponent(self.urn) + '&start=' + start + '&count=' + MORE_COMMENTS);
      } catch (err) { console.error(err); self.setMore(start, total); return; }
      self.add(self.root.querySelector('.comments-comments-list__comments'), data.elements);
      self.setMore(start + data.elements.length, data.paging.total);
    });
    this.root.querySelector('.comments-comments-list').appendChild(button);
  };

  function initUpdate(root) {
    var urn = root.getAttribute('data-urn');
    var gated = loginRequired();
    Promise.all([
      getJSON(API + '/feed/updates/' + encodeURIComponent(urn)),
      gated ? Promise.resolve(null)
        : getJSON(API + '/feed/comments?updateId=' + encodeURIComponent(urn) + '&start=0&count=' + FIRST_COMMENTS)
    ]).then(function (results) {
      var update = results[0], first = results[1];
      root.innerHTML = '';
      root.appendChild(renderUpdate(update));
      if (gated) { root.setAttribute('aria-busy', 'false'); return; }
      root.appendChild(fromHtml('<div class="comments-comments-list"><div class="comments-sort-order-toggle">' +
        'Meest relevant ▾</div><div class="comments-comments-list__comments"></div></div>'));
      var thread = new Thread(root, urn);
      thread.add(root.querySelector('.comments-comments-list__comments'), first.elements);
      thread.setMore(first.elements.length, first.paging.total);
      root.setAttribute('aria-busy', 'false');
    }).catch(function (err) {
      console.error(err);
      root.innerHTML = '<div class="feed-error">Deze update kon niet worden geladen.</div>';
      root.setAttribute('aria-busy', 'false');
    });
  }

  function start() {
    var feed = document.getElementById('updates');
    if (feed) { initFeed(feed); }
    var update = document.getElementById('update');
    if (update) { initUpdate(update); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
