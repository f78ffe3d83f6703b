/* SMA demo platform - Facebook skin client. Plain ES2017, no frameworks.
 *
 * Every page first asks for cookie consent (div[role="dialog"]); nothing loads until it is
 * answered (the answer is kept in a cookie).
 * profile: div[role="feed"] <- /facebook/api/graphql/ProfileTimeline?id=&cursor= (infinite scroll,
 *          div.feed-end at the end). Long texts are cut, with a "Meer weergeven" button.
 * post:    #post <- StoryQuery, then CommentsList?order=RANKED ("Meest relevant": hides some
 *          comments). The menu (div[aria-haspopup="menu"]) switches to "Alle reacties" (ALL).
 *          "Meer reacties weergeven" pages top-level comments; "N antwoorden weergeven" loads
 *          replies. Clicks use synchronous XHR, so the DOM is complete when a click returns.
 * Paths stay relative, so replay tools only rewrite what the browser requests.
 */
(function () {
  'use strict';

  var API = '/facebook/api/graphql/';
  var CUT = 140;
  var ORDERS = [
    { key: 'RANKED', label: 'Meest relevant', help: 'Toon eerst de reacties met de meeste interactie. Sommige reacties worden mogelijk weggefilterd.' },
    { key: 'ALL', label: 'Alle reacties', help: 'Toon alle reacties, de nieuwste eerst.' }
  ];

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
  function dateNl(iso) {
    return new Date(iso).toLocaleDateString('nl-NL', { day: 'numeric', month: 'long', year: 'numeric' });
  }

  /* Long texts: the start plus a "Meer weergeven" button that swaps in the whole text. */
  function textHtml(text, cls) {
    if (text.length <= CUT) { return '<div class="' + cls + '" dir="auto">' + esc(text) + '</div>'; }
    var cut = text.lastIndexOf(' ', CUT);
    return '<div class="' + cls + ' is-truncated" dir="auto" data-full="' + esc(text) + '">' +
      esc(text.slice(0, cut > 40 ? cut : CUT)) + '… <div role="button" tabindex="0" class="see-more">Meer weergeven</div></div>';
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('.see-more');
    if (!button) { return; }
    var box = button.parentNode;
    box.textContent = box.getAttribute('data-full');
    box.removeAttribute('data-full');
    box.classList.remove('is-truncated');
  });

  function mediaHtml(story) {
    var items = story.attachments || [];
    if (!items.length) { return ''; }
    return '<div class="attachments">' + items.map(function (m) {
      if (m.type === 'Video') {
        return '<video controls preload="metadata" src="' + esc(pathOf(m.playable_url)) + '" aria-label="' + esc(m.description) + '"></video>';
      }
      var small = esc(pathOf(m.preview.uri)), large = esc(pathOf(m.image.uri));
      return '<a href="' + large + '"><img loading="lazy" srcset="' + small + ' 400w, ' + large +
        ' 1200w" sizes="(max-width: 600px) 100vw, 500px" src="' + small + '" alt="' + esc(m.description) + '" width="400" height="225"></a>';
    }).join('') + '</div>';
  }

  function editedHtml(at) {
    // Facebook shows "Bewerkt" next to the time of an edited post or comment.
    if (!at) { return ''; }
    return ' · <span class="edited" data-edited-at="' + esc(at) + '" title="Bewerkt op ' + esc(dateNl(at)) + '">Bewerkt</span>';
  }

  function loginRequired() {
    // The server shows this prompt instead of the comments to visitors without a session.
    return document.querySelector('[data-login-required]') !== null;
  }

  function storyHtml(story, full) {
    var actor = story.actors[0], count = story.feedback.comment_count.total_count;
    var link = '/facebook/' + esc(actor.handle) + '/posts/' + esc(story.post_id);
    return '<div role="article" class="story" data-post-id="' + esc(story.post_id) + '">' +
      '<div class="story-header"><img src="/facebook/avatars/' + esc(actor.handle) + '" alt="" width="40" height="40">' +
      '<div><h3><a href="/facebook/' + esc(actor.handle) + '"><strong>' + esc(actor.name) + '</strong></a></h3>' +
      '<a class="timestamp" href="' + link + '"><time datetime="' + esc(story.creation_time) + '">' + esc(dateNl(story.creation_time)) + '</time></a>' + editedHtml(story.edited_time) + '</div></div>' +
      '<div data-ad-preview="message">' + (full ? '<div class="message" dir="auto">' + esc(story.message.text) + '</div>'
        : textHtml(story.message.text, 'message')) + '</div>' +
      mediaHtml(story) + '<div class="story-footer"><span data-counter="reactions" data-count="' +
      story.feedback.reaction_count.count + '">👍 ' + numberNl(story.feedback.reaction_count.count) + '</span>' +
      '<a href="' + link + '" data-counter="comments" data-count="' + count + '">' + numberNl(count) + ' reacties</a>' +
      '<span data-counter="shares" data-count="' + story.feedback.share_count.count + '">' +
      numberNl(story.feedback.share_count.count) + ' keer gedeeld</span></div></div>';
  }

  /* ---- profile: feed with infinite scroll -------------------------------------------- */

  function initFeed(feed) {
    var id = feed.getAttribute('data-profile-id'), cursor = null, loading = false, done = false, n = 0;
    var sentinel = document.querySelector('.feed-sentinel');
    function near() { return sentinel.getBoundingClientRect().top < window.innerHeight + 400; }
    function load() {
      if (loading || done) { return; }
      loading = true;
      feed.setAttribute('aria-busy', 'true');
      getJSON(API + 'ProfileTimeline?id=' + encodeURIComponent(id) + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''))
        .then(function (data) {
          var units = data.data.node.timeline_feed_units;
          units.edges.forEach(function (edge) {
            n += 1;
            var unit = fromHtml('<div class="feed-unit" aria-posinset="' + n + '"></div>');
            unit.appendChild(fromHtml(storyHtml(edge.node, false)));
            feed.appendChild(unit);
          });
          cursor = units.page_info.end_cursor;
          if (!units.page_info.has_next_page) {
            done = true;
            feed.parentNode.appendChild(fromHtml('<div class="feed-end" role="status">Geen andere berichten</div>'));
          }
        }).catch(function (err) { console.error(err); done = true; })
        .then(function () {
          loading = false;
          feed.setAttribute('aria-busy', 'false');
          if (!done && near()) { load(); }
        });
    }
    window.addEventListener('scroll', function () { if (near()) { load(); } }, { passive: true });
    load();
  }

  /* ---- post page: comments ------------------------------------------------------------ */

  function commentHtml(c) {
    var a = c.author;
    return '<li class="comment-node" data-id="' + esc(c.id) + '">' +
      '<div role="article" aria-label="Comment by ' + esc(a.name) + '" tabindex="-1" class="comment">' +
      '<a href="/facebook/' + esc(a.handle) + '"><img src="/facebook/avatars/' + esc(a.handle) + '" alt="" width="32" height="32"></a>' +
      '<div class="bubble"><a class="author" href="/facebook/' + esc(a.handle) + '">' + esc(a.name) + '</a>' +
      textHtml(c.body.text, 'comment-body') + '</div>' +
      '<ul class="comment-actions"><li>Vind ik leuk</li><li>Reageren</li><li><time datetime="' + esc(c.created_time) + '">' +
      esc(dateNl(c.created_time)) + '</time></li>' + (c.edited_time ? '<li>' + editedHtml(c.edited_time).slice(3) + '</li>' : '') +
      '</ul></div>' +
      '<ul class="replies" data-parent="' + esc(c.id) + '"></ul></li>';
  }

  function Comments(root, story) {
    this.root = root;
    this.postId = story.post_id;
    this.order = 'RANKED';
    this.cursor = null;
    this.gen = 0; // bumped on reorder: a slower answer for the previous order is dropped
    root.appendChild(fromHtml('<div class="comments" role="region" aria-label="Reacties" aria-busy="true">' +
      '<div class="comment-order" role="button" tabindex="0" ' +
      'aria-haspopup="menu" aria-expanded="false">Meest relevant ▾</div>' +
      '<ul class="comment-list replies" data-parent="' + esc(story.post_id) + '"></ul></div>'));
    this.box = root.querySelector('.comments');
    this.list = root.querySelector('.comment-list');
    this.opener = root.querySelector('.comment-order');
    this.opener.addEventListener('click', this.menu.bind(this));
  }

  Comments.prototype.menu = function () {
    var self = this, open = this.box.querySelector('[role="menu"]');
    if (open) { open.remove(); this.opener.setAttribute('aria-expanded', 'false'); return; }
    var menu = fromHtml('<div role="menu" class="menu">' + ORDERS.map(function (o) {
      return '<div role="menuitem" tabindex="0" data-order="' + o.key + '"><strong>' + o.label + '</strong><br><small>' + o.help + '</small></div>';
    }).join('') + '</div>');
    menu.addEventListener('click', function (event) {
      var item = event.target.closest('[role="menuitem"]');
      if (!item) { return; }
      menu.remove();
      self.opener.setAttribute('aria-expanded', 'false');
      self.reorder(item.getAttribute('data-order'));
    });
    this.opener.setAttribute('aria-expanded', 'true');
    this.opener.insertAdjacentElement('afterend', menu);
  };

  Comments.prototype.reorder = function (order) {
    this.order = order;
    this.gen += 1;
    this.cursor = null;
    this.list.innerHTML = '';
    var label = ORDERS.filter(function (o) { return o.key === order; })[0].label;
    this.opener.textContent = label + ' ▾';
    this.page(true);
  };

  Comments.prototype.page = function (sync) {
    var self = this, gen = this.gen;
    var url = API + 'CommentsList?postId=' + encodeURIComponent(this.postId) + '&order=' + this.order +
      (this.cursor ? '&cursor=' + encodeURIComponent(this.cursor) : '');
    function show(data) {
      if (gen !== self.gen) { return; }
      self.box.setAttribute('aria-busy', 'false');
      var list = data.data.feedback.display_comments;
      self.add(self.list, list.edges);
      self.cursor = list.page_info.end_cursor;
      var old = self.box.querySelector(':scope > .more-comments');
      if (old) { old.remove(); }
      if (list.page_info.has_next_page) {
        var more = fromHtml('<div role="button" tabindex="0" class="more-comments">Meer reacties weergeven</div>');
        more.addEventListener('click', function () { self.page(true); });
        self.box.appendChild(more);
      }
    }
    if (!sync) { return getJSON(url).then(show); }
    try { show(getJSONSync(url)); } catch (err) { console.error(err); }
    return null;
  };

  Comments.prototype.add = function (box, edges) {
    var self = this;
    edges.forEach(function (edge) {
      var c = edge.node;
      if (self.root.querySelector('.comment-node[data-id="' + c.id + '"]')) { return; }
      var node = fromHtml(commentHtml(c));
      box.appendChild(node);
      var count = c.feedback.replies_count;
      if (count) {
        var label = count === 1 ? '1 antwoord weergeven' : numberNl(count) + ' antwoorden weergeven';
        var button = fromHtml('<div role="button" tabindex="0" class="view-replies" data-count="' + count + '">' + label + '</div>');
        button.addEventListener('click', function () { self.replies(c.id, node, button); });
        node.appendChild(button);
      }
    });
  };

  Comments.prototype.replies = function (id, node, button) {
    var data;
    try { data = getJSONSync(API + 'CommentReplies?commentId=' + encodeURIComponent(id)); } catch (err) {
      console.error(err);
      return;
    }
    button.remove();
    this.add(node.querySelector(':scope > .replies'), data.data.comment.replies.edges);
  };

  function initPost(root) {
    var id = root.getAttribute('data-post-id');
    getJSON(API + 'StoryQuery?postId=' + encodeURIComponent(id)).then(function (data) {
      var story = data.data.node;
      root.innerHTML = '';
      root.appendChild(fromHtml(storyHtml(story, true)));
      if (loginRequired()) { return null; }
      return new Comments(root.querySelector('[role="article"]'), story).page(false);
    }).catch(function (err) {
      console.error(err);
      root.innerHTML = '<div class="error" role="alert">Deze content is momenteel niet beschikbaar.</div>';
    }).then(function () { root.setAttribute('aria-busy', 'false'); });
  }

  /* ---- start: cookie consent first ---------------------------------------------------- */

  function content() {
    var feed = document.getElementById('feed');
    if (feed) { initFeed(feed); }
    var post = document.getElementById('post');
    if (post) { initPost(post); }
  }

  function start() {
    if (/(?:^|;\s*)fb_cookie_consent=/.test(document.cookie)) { content(); return; }
    var layer = document.getElementById('cookie-layer');
    layer.hidden = false;
    document.body.classList.add('has-dialog');
    layer.addEventListener('click', function (event) {
      var button = event.target.closest('[data-cookie]');
      if (!button) { return; }
      document.cookie = 'fb_cookie_consent=' + button.getAttribute('data-cookie') + '; path=/; max-age=31536000';
      layer.remove();
      document.body.classList.remove('has-dialog');
      content();
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
