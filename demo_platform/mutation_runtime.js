/* SMA demo platform - what a redesign adds to every page (demo_platform/mutation.py).
 * Passes through the same renaming as the skins' scripts, so its selectors match the page.
 *  - [role=button] elements that are not real buttons work from the keyboard (Enter, Space);
 *  - a[role=button][href="#"] does not navigate;
 *  - virtualised comment list: of the list's comments only those near the viewport (and at
 *    least `keep`) keep their content in the DOM; the others are emptied to a placeholder of
 *    the same height and filled again when scrolled near, as list virtualisers do.
 */
(function () {
  'use strict';
  var CONFIG = /*CONFIG*/null;

  document.addEventListener('keydown', function (event) {
    var el = event.target;
    if (!el || !el.getAttribute || el.getAttribute('role') !== 'button') { return; }
    if (el.tagName === 'BUTTON' || el.tagName === 'A') { return; }
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); el.click(); }
  }, true);

  document.addEventListener('click', function (event) {
    var link = event.target && event.target.closest && event.target.closest('a[role="button"]');
    if (link && link.getAttribute('href') === '#') { event.preventDefault(); }
  });

  if (!CONFIG) { return; }
  var stored = new WeakMap();
  var ticking = false;

  function items() {
    var list = document.querySelector(CONFIG.list);
    if (!list) { return []; }
    return Array.prototype.filter.call(list.children, function (el) { return el.matches(CONFIG.item); });
  }

  function hollow(el) {
    var frag = document.createDocumentFragment();
    el.style.minHeight = el.offsetHeight + 'px';
    while (el.firstChild) { frag.appendChild(el.firstChild); }
    stored.set(el, frag);
    el.setAttribute('data-virtual-placeholder', '');
  }

  function fill(el) {
    el.appendChild(stored.get(el));
    stored.delete(el);
    el.style.minHeight = '';
    el.removeAttribute('data-virtual-placeholder');
  }

  function update() {
    ticking = false;
    var all = items(), height = window.innerHeight, full = 0;
    all.forEach(function (el) { if (!stored.has(el)) { full += 1; } });
    all.forEach(function (el) {
      var box = el.getBoundingClientRect();
      var near = box.bottom > -height && box.top < 2 * height;
      if (near && stored.has(el)) { fill(el); full += 1; }
      else if (!near && !stored.has(el) && full > CONFIG.keep) { hollow(el); full -= 1; }
    });
  }

  function schedule() {
    if (ticking) { return; }
    ticking = true;
    window.requestAnimationFrame(update);
  }

  window.addEventListener('scroll', schedule, { passive: true, capture: true });
  window.addEventListener('resize', schedule);
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
}());
