# ruff: noqa: E501 - one JavaScript program, laid out as JavaScript
"""The reader's in-page half: one script installed per page, one round-trip per reading round.

Kept apart from reader.py so the Python stays readable; the words it matches come from reader.yaml.
"""

INSTALL_JS = r"""(cfg) => {
  if (window.__smaReader) return true;
  const rx = (list) => (list || []).map(s => new RegExp(s.replace(/\(\?P</g, '(?<'), 'i'));
  const W = {deny: rx(cfg.deny), reveal: rx(cfg.reveal), next: rx(cfg.next_page), pager: rx(cfg.pager), opener: rx(cfg.sort_opener),
             all: rx(cfg.sort_all), dismiss: rx(cfg.dismiss), total: rx(cfg.count_total), partial: rx(cfg.count_partial),
             posts: rx(cfg.count_posts)};
  const any = (list, s) => list.some(r => r.test(s));
  const done = new WeakSet();
  const follow = new Set(), deeper = new Set(), links = new Set(), items = new Set(), hinted = new Set(), names = [];
  // Comment-like entries (key -> one text of theirs), in memory only: the crawl checks that the
  // text is in its WARC records, so that what is counted as captured is what the archive holds.
  const entries = new Map(); let firstEntry = null;
  let pressing = false, pressingWhy = '', lastPressed = [];
  // Per press of the round (not dismissals): the element, why, the region it sits in and that
  // region's text length just before the press; the undo judges each press by it (docs/reader.md).
  let records = [], trials = [];
  // Presses that changed nothing (a script that was not there yet): pressed once more, later.
  let idlePresses = []; const retried = new WeakSet(); let dismissed = 0;
  // A link the reader pressed that would leave the page is queued instead (the spider follows it):
  // registered on window, so the page's own handlers (which load in place) run first.
  window.addEventListener('click', (e) => {
    if (!pressing || e.defaultPrevented) return;
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a) return;
    const raw = a.getAttribute('href') || '';
    if (raw.startsWith('#') || raw.startsWith('javascript:')) return;
    e.preventDefault();
    if (pressingWhy === 'next') follow.add(a.href.split('#')[0]);
    // A reveal that is a link to another page ("Toon 3 antwoorden"): the deeper replies live there.
    else if (pressingWhy === 'reveal' || pressingWhy === 'expand') deeper.add(a.href.split('#')[0]);
  });
  const name = (el) => {
    let n = el.getAttribute('aria-label');
    const by = el.getAttribute('aria-labelledby');
    if (!n && by) n = by.split(/\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
    if (!n) n = el.innerText || el.textContent || '';
    if (!n.trim()) {
      const img = el.querySelector('img[alt]'), lab = el.querySelector('[aria-label]');
      n = el.getAttribute('title') || (img && img.alt) || (lab && lab.getAttribute('aria-label')) || '';
    }
    // Arrows and chevrons around a label ("7 replies ⌄") are decoration, not its name; but one
    // that points up ("▴ 20 replies") means "hide": kept, so no reveal word matches it.
    if (/[\u25b2\u25b4\u2303\u2191\u02c4\u25b3\u25b5]/.test(n)) return n.replace(/\s+/g, ' ').trim().slice(0, 160);
    return n.replace(/\s+/g, ' ').trim().replace(/^[\u2300-\u23ff\u25a0-\u25ff\u2190-\u21ff\s]+|[\u2300-\u23ff\u25a0-\u25ff\u2190-\u21ff\s]+$/g, '').slice(0, 160) || n.trim().slice(0, 160);
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && !el.disabled
      && el.getAttribute('aria-disabled') !== 'true';
  };
  const writes = (el, nm) => {
    if (any(W.deny, nm)) return true;
    if ((el.getAttribute('type') || '').toLowerCase() === 'submit') return true;
    if (el.closest('[contenteditable=""], [contenteditable=true]')) return true;
    const form = el.closest('form');
    if (form && ((form.getAttribute('method') || '').toLowerCase() === 'post'
        || form.querySelector('textarea, input[type=text], input[type=password], input:not([type]), [contenteditable]'))) return true;
    if (el.tagName === 'A' && el.host && el.host !== location.host) return true;
    return false;
  };
  const overlay = (el) => {
    if (el.closest('[role=dialog], [role=alertdialog], [aria-modal=true], dialog')) return true;
    for (let p = el.parentElement, i = 0; p && i < 8; p = p.parentElement, i++) {
      const pos = getComputedStyle(p).position;
      if (pos === 'fixed' || pos === 'sticky') return true;
    }
    return false;
  };
  const key = (el) => {
    const attr = [...el.attributes].find(a => /(^id$|^data-[a-z-]*id$|^data-key$)/i.test(a.name) && a.value);
    if (attr) return attr.name + '=' + attr.value;
    const t = (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 400);
    let h = 5381; for (let i = 0; i < t.length; i++) h = ((h * 33) ^ t.charCodeAt(i)) >>> 0;
    return 'text:' + h.toString(36) + ':' + t.length;
  };
  // An entry is what a person reads as one post or comment: an article-like box, outside the page's
  // chrome, with a time or an avatar, and text of its own (not inside a nested entry).
  const ENTRY = 'article, [role=article], [role=comment], [role=listitem], li' + (cfg.item ? ', ' + cfg.item : '');
  const ownTexts = (el) => {
    const out = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const p = t.parentElement;
      if (!p || p.closest('button, [role=button], time, nav') || (p.closest(ENTRY) !== el && el.contains(p.closest(ENTRY)))) continue;
      const s = t.textContent.replace(/\s+/g, ' ').trim();
      // Counters and controls ("3 antwoorden", "Toon meer") differ between a reply's pages.
      if (s && !(s.length <= 40 && (any(W.total, s) || any(W.reveal, s) || any(W.next, s)))) out.push(s);
    }
    return out;
  };
  const collectEntries = () => {
    let list;
    try { list = document.querySelectorAll(ENTRY); } catch (e) { list = document.querySelectorAll('article, [role=article]'); }
    for (const el of list) {
      if (el.closest('header, footer, nav, [role=navigation], [role=banner], [role=contentinfo], [role=dialog]')) continue;
      let isHint = false; if (cfg.item) { try { isHint = el.matches(cfg.item); } catch (e) {} }
      if (!isHint && !el.querySelector('time, img, [datetime]')) continue;
      const own = ownTexts(el);
      const longest = own.reduce((a, b) => (b.length > a.length ? b : a), '');
      if (longest.length < 8) continue;
      // Sorted: a redesign that reorders an entry's parts does not make it another entry.
      const whole = own.slice().sort().join(' ').slice(0, 2000);
      let h = 5381; for (let i = 0; i < whole.length; i++) h = ((h * 33) ^ whole.charCodeAt(i)) >>> 0;
      const k = 'own:' + h.toString(36) + ':' + whole.length;
      if (!entries.has(k)) { entries.set(k, [longest.slice(0, 300), isHint]); if (firstEntry === null) firstEntry = k; }
      else if (isHint) entries.get(k)[1] = true;
    }
  };
  const collect = () => {
    collectEntries();
    document.querySelectorAll('a[href]').forEach(a => { if (a.host === location.host) links.add(a.href.split('#')[0]); });
    document.querySelectorAll('article, [role=article], [role=comment], [role=listitem], li').forEach(el => {
      if ((el.innerText || '').trim().length > 0) items.add(key(el)); });
    if (cfg.item) { try { document.querySelectorAll(cfg.item).forEach(el => hinted.add(key(el))); } catch (e) {} }
    document.querySelectorAll('link[rel~=next][href], a[rel~=next][href]').forEach(l => {
      const u = new URL(l.getAttribute('href'), location.href); if (u.host === location.host) follow.add(u.href.split('#')[0]); });
    // Numbered pages: links named only by a number, two or more side by side (a pager), or one
    // alone in a navigation landmark named as a pager, or next to the current page's number.
    const numbered = (el) => /^\d{1,4}$/.test(name(el));
    document.querySelectorAll('a[href]').forEach(a => {
      if (a.host !== location.host || !numbered(a)) return;
      const pager = a.parentElement && a.parentElement.parentElement;
      const mates = pager ? [...pager.querySelectorAll('a[href]')].filter(numbered).length : 0;
      const box = a.closest('nav, [role=navigation]');
      const named = box && any(W.pager, (box.getAttribute('aria-label') || '') + ' ' + (box.innerText || '').slice(0, 200));
      const current = a.parentElement && [...a.parentElement.querySelectorAll('[aria-current=page]')].some(numbered);
      if (mates >= 2 || named || current) follow.add(a.href.split('#')[0]);
    });
  };
  const scrollStep = () => {
    const step = Math.round(window.innerHeight * 0.85);
    window.scrollBy(0, step);
    let bottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 4;
    // Inner scroll containers (comment panels, dialogs): a step each.
    document.querySelectorAll('div, section, ul, ol, aside, main').forEach(el => {
      if (el.scrollHeight <= el.clientHeight + 20 || el.clientHeight < 80) return;
      const oy = getComputedStyle(el).overflowY;
      if (oy !== 'auto' && oy !== 'scroll') return;
      el.scrollTop += Math.round(el.clientHeight * 0.85);
      if (el.scrollTop + el.clientHeight < el.scrollHeight - 4) bottom = false;
    });
    return bottom;
  };
  // The region a press acts on: its entry (a comment, a post, a list item, a details), else the
  // nearest ancestor with some text beyond the control's own name (at most six levels up).
  const ENTRYISH = 'article, [role=article], [role=comment], [role=listitem], li, details, dialog, [role=dialog]';
  const textOf = (el) => (el && el.isConnected ? (el.innerText || '').length : 0);
  const regionOf = (el) => {
    const entry = el.parentElement && el.parentElement.closest(ENTRYISH);
    if (entry) return entry;
    const own = textOf(el);
    let r = el.parentElement || el;
    for (let i = 0; i < 6 && r.parentElement && r.parentElement !== document.body && textOf(r) < own + 40; i++) r = r.parentElement;
    return r;
  };
  const press = (el, why) => {
    done.add(el); if (why === 'dismiss') dismissed++; else lastPressed.push(el);
    if (why !== 'dismiss') { const region = regionOf(el); records.push({el, why, region, length: textOf(region)}); }
    if (names.length < 200) names.push(why + ': ' + name(el));
    pressing = true; pressingWhy = why;
    try { el.scrollIntoView({block: 'center'}); el.click(); } catch (e) {} finally { pressing = false; }
  };
  const CONTROLS = 'button, [role=button], summary, [aria-expanded=false], a[href], [role=link], [role=menuitem],'
    + ' [role=menuitemradio], [role=option], select';
  // What looks pressable without being a control ("7 replies ⌄" in a <p> with a pointer cursor):
  // a short text that reads like "more replies", in an element the page made clickable.
  const lookalikes = () => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const s = t.textContent.replace(/\s+/g, ' ').trim();
      if (!s || s.length > 60) continue;
      const el = t.parentElement;
      if (!el || done.has(el) || el.closest(CONTROLS)) continue;
      const label = name(el);
      if (!any(W.reveal, label) && !any(W.next, label)) continue;
      if (getComputedStyle(el).cursor !== 'pointer') continue;
      found.push(el);
    }
    return found;
  };
  const pressAll = (budget) => {
    let n = 0; lastPressed = []; records = []; trials = [];
    for (const el of [...document.querySelectorAll(CONTROLS), ...lookalikes()]) {
      if (n >= budget) break;
      if (done.has(el) || !visible(el)) continue;
      if (el.tagName === 'SELECT') {
        const opt = [...el.options].find(o => any(W.all, o.text.trim()) && !o.selected);
        done.add(el);
        if (opt && !writes(el, '')) { el.value = opt.value; el.dispatchEvent(new Event('change', {bubbles: true})); n++;
          names.push('sort: ' + opt.text.trim()); }
        continue;
      }
      const nm = name(el);
      if (writes(el, nm)) { done.add(el); continue; }
      const role = el.getAttribute('role') || '';
      if (role === 'tab' || el.hasAttribute('aria-selected') && role !== 'option') { done.add(el); continue; }
      let why = null;
      if (overlay(el) && any(W.dismiss, nm)) why = 'dismiss';
      else if (/^(menuitem|menuitemradio|option)$/.test(role)) {
        if (any(W.all, nm) && el.getAttribute('aria-checked') !== 'true' && el.getAttribute('aria-selected') !== 'true') why = 'sort';
      } else if (el.hasAttribute('aria-haspopup') && el.getAttribute('aria-haspopup') !== 'false') {
        if (any(W.opener, nm)) why = 'sort-menu';
      } else if (any(W.next, nm)) why = 'next';
      else if (el.tagName === 'SUMMARY') why = el.parentElement && el.parentElement.open ? null : 'reveal';
      else if (any(W.reveal, nm)) why = 'reveal';
      else if (el.getAttribute('aria-expanded') === 'false' && !el.closest('header, nav, [role=navigation], [role=banner]')
               && (el.tagName !== 'A' || role === 'button' || (el.getAttribute('href') || '').startsWith('#'))) why = 'expand';
      if (why && cfg.dismissOnly && why !== 'dismiss' && !(cfg.allowNext && why === 'next')) why = null;
      if (!why) { if (el.tagName === 'A' || el.tagName === 'SELECT') done.add(el); continue; }
      press(el, why); n++;
    }
    return n;
  };
  const textLength = () => (document.body ? document.body.innerText.length : 0);
  window.__smaReader = {
    round(budget) {
      const before = textLength();
      dismissed = 0;
      collect();
      const bottom = scrollStep();
      const pressed = pressAll(budget);
      // A dismissed nag takes its text away: that is no toggle to press back.
      return {pressed, before, bottom, dismissed, busy: !!document.querySelector('[aria-busy=true]')};
    },
    textLength,
    // The last round's presses showed nothing new: remembered, to be pressed once more later.
    // Only when nothing grew: a toggle whose aria-expanded a page never updates would else be
    // pressed shut again.
    noEffect(grew) { if (!grew) idlePresses.push(...lastPressed.filter(el => el.isConnected && !retried.has(el))); },
    retry() { const again = idlePresses.filter(el => el.isConnected && el.getAttribute('aria-expanded') !== 'true'); idlePresses = [];
      again.forEach(el => { retried.add(el); done.delete(el); }); return again.length; },
    busy: () => !!document.querySelector('[aria-busy=true]'),
    // The undo, press by press (docs/reader.md). Which presses of the last round may have hidden
    // text ("Toon minder"): those whose region got shorter; and, when the page's text got shorter
    // (`shrank`), also those whose region did not grow. Never one whose region grew: the text it
    // revealed is still there, and a virtualised list hollowing items elsewhere is no reason to
    // press it back. A control no longer in the page (hollowed with its item) is left alone; so are
    // paging and sorting, which replace content rather than hide it. At most `max`, shrunk first.
    undoCandidates(shrank, max) {
      const live = records.filter(r => r.el.isConnected && r.region.isConnected && r.why !== 'next' && r.why !== 'sort');
      const now = live.map(r => [r, textOf(r.region)]);
      const shrunk = now.filter(([r, len]) => len < r.length - 20).map(([r]) => r);
      const flat = shrank ? now.filter(([r, len]) => len >= r.length - 20 && len <= r.length + 20).map(([r]) => r) : [];
      trials = [...shrunk, ...flat].slice(0, max);
      return trials.length;
    },
    // Presses trial i back, noting its region's and the page's text first.
    undoOne(i) { const r = trials[i]; r.before = textOf(r.region); r.page = textLength();
      pressing = true; pressingWhy = r.why; try { r.el.click(); } catch (e) {} finally { pressing = false; } },
    // Kept back only when the text grew back: its region (or, where the region stayed as it was,
    // the page: a toggle whose text lies outside its entry). Else it is pressed once more, to
    // show again what it had revealed. Returns whether it was kept back.
    judgeUndo(i) {
      const r = trials[i], region = textOf(r.region), page = textLength();
      const back = region > r.before + 20 || (Math.abs(region - r.before) <= 20 && page > r.page + 20);
      if (back) { lastPressed = lastPressed.filter(el => el !== r.el); return true; }
      pressing = true; pressingWhy = r.why; try { if (r.el.isConnected) r.el.click(); } catch (e) {} finally { pressing = false; }
      return false;
    },
    collect() { collect(); return {follow: [...follow], deeper: [...deeper], links: [...links], items: items.size,
                                   hinted: hinted.size, names: names.slice(), entries: [...entries], first: firstEntry}; },
    displayed(kind) {
      // What the page says its thread holds: the largest "N reacties" in visible text or aria-labels,
      // not counting partial ones inside a control ("View 3 replies"). kind 'posts': what an account
      // page says it holds ("30 onderwerpen").
      const counts = kind === 'posts' ? W.posts : W.total;
      const found = [];
      const consider = (text, el) => {
        if (!text) return;
        const ctl = el && el.closest && el.closest('button, a, [role=button], summary');
        if (ctl && any(W.partial, name(ctl))) return;
        for (const r of counts) { const m = r.exec(text); if (m && m.groups && m.groups.n) {
          if (found.length < 500) found.push(m.groups.n.trim()); } }
      };
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const p = t.parentElement; if (!p || !t.textContent.trim()) continue;
        const whole = (p.innerText || '').length < 60 ? p.innerText : t.textContent;
        if (/\d/.test(whole) && visible(p)) consider(whole, p);
      }
      document.querySelectorAll('[aria-label]').forEach(el => consider(el.getAttribute('aria-label'), el));
      return found;
    },
  };
  return true;
}"""
