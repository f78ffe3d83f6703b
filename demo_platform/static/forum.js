/* SMA demo platform - forum skin client (Discourse-like). Plain ES2017.
 *  topic page: .post-stream[data-topic-id][data-page] holds the first replies of this page;
 *    when .post-stream-sentinel nears the viewport, the rest of the page's replies arrive over
 *    a WebSocket (/forum/ws), three a message, as Discourse's MessageBus pushes new posts.
 *  button.show-replies[data-post-id]: fetches /forum/posts/<id>/replies.json and renders the
 *    replies in the reply's section.embedded-posts (each with its own button if it has replies).
 */
(function () {
  'use strict';

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

  function postHtml(p) {
    var more = '';
    if (p.reply_count) {
      more = '<button class="widget-button btn-flat show-replies" type="button" aria-expanded="false" data-post-id="' +
        esc(p.id) + '" data-count="' + p.reply_count + '">' +
        (p.reply_count === 1 ? '1 antwoord' : p.reply_count + ' antwoorden') + '</button>';
    }
    var edited = p.edited_at ? ' <span class="post-info edits" data-edited-at="' + esc(p.edited_at) + '">bewerkt</span>' : '';
    var anchor = p.post_number ? ' id="post_' + p.post_number + '" data-post-number="' + p.post_number + '"' : '';
    return '<article class="boxed onscreen-post topic-post" role="article"' + anchor + ' data-post-id="' + esc(p.id) +
      '" data-parent="' + esc(p.parent || '') + '"><div class="row"><div class="topic-avatar">' +
      '<img class="avatar" src="/forum/avatars/' + encodeURIComponent(p.username) + '" width="45" height="45" alt="" loading="lazy">' +
      '</div><div class="topic-body clearfix"><div class="topic-meta-data"><span class="names"><span class="first username">' +
      '<a href="/forum/u/' + esc(p.username) + '">' + esc(p.name) + '</a></span></span><span class="post-date">' +
      '<time datetime="' + esc(p.created_at) + '">' + esc(p.created_at.slice(0, 10)) + '</time>' + edited + '</span></div>' +
      '<div class="cooked"><p>' + esc(p.text) + '</p></div>' +
      '<section class="post-menu-area clearfix"><nav class="post-controls">' + more + '</nav></section>' +
      '<section class="embedded-posts bottom" data-parent="' + esc(p.id) + '"></section></div></div></article>';
  }

  function loginRequired() {
    return document.querySelector('[data-login-required]') !== null;
  }

  function onShowReplies(event) {
    var button = event.target.closest('.show-replies');
    if (!button || button.getAttribute('aria-busy') === 'true') { return; }
    var id = button.getAttribute('data-post-id');
    var box = document.querySelector('.embedded-posts[data-parent="' + id + '"]');
    if (button.getAttribute('aria-expanded') === 'true') {
      box.hidden = !box.hidden;
      return;
    }
    button.setAttribute('aria-busy', 'true');
    fetch('/forum/posts/' + encodeURIComponent(id) + '/replies.json', { credentials: 'same-origin' })
      .then(function (res) { if (!res.ok) { throw new Error('HTTP ' + res.status); } return res.json(); })
      .then(function (replies) {
        replies.forEach(function (p) { box.appendChild(fromHtml(postHtml(p))); });
        button.setAttribute('aria-expanded', 'true');
      })
      .catch(function (err) { console.error(err); })
      .then(function () { button.removeAttribute('aria-busy'); });
  }

  function initStream(stream) {
    var sentinel = document.querySelector('.post-stream-sentinel');
    var page = Number(stream.getAttribute('data-page'));
    var total = Number(stream.getAttribute('data-on-page'));
    var offset = stream.querySelectorAll(':scope > .topic-post:not(.topic-owner)').length;
    if (offset >= total || loginRequired() || !sentinel) { return; }
    var socket = null, waiting = false, done = false;
    var indicator = fromHtml('<div class="spinner" role="status">Laden…</div>');

    function near() { return sentinel.getBoundingClientRect().top < window.innerHeight + 200; }

    function ask() {
      if (waiting || done) { return; }
      waiting = true;
      stream.appendChild(indicator);
      socket.send(JSON.stringify({ type: 'more', topic: stream.getAttribute('data-topic-id'), page: page, offset: offset }));
    }

    function open() {
      var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
      socket = new WebSocket(scheme + window.location.host + '/forum/ws');
      socket.onmessage = function (event) {
        var message = JSON.parse(event.data);
        if (message.type !== 'posts') { return; }
        message.posts.forEach(function (p) { stream.insertBefore(fromHtml(postHtml(p)), indicator); });
        offset = message.offset;
        if (message.done) {
          done = true;
          indicator.remove();
          socket.close();
          window.removeEventListener('scroll', onScroll);
        }
      };
      socket.onopen = function () { if (near()) { ask(); } };
    }

    // Scrolling near the end sends one message; the server pushes the rest of the page's
    // replies in messages of three. A reader that never scrolls there never gets them.
    function onScroll() { if (socket && socket.readyState === 1 && near()) { ask(); } }
    window.addEventListener('scroll', onScroll, { passive: true });
    open();
  }

  function start() {
    document.addEventListener('click', onShowReplies);
    var stream = document.getElementById('topic');
    if (stream) { initStream(stream); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
