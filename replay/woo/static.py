"""The review page's script and style sheet, served as files (a CSP without inline scripts works)."""

REVIEW_CSS = """
body{font-family:system-ui,sans-serif;margin:0;color:#111}
header{background:#154273;color:#fff;padding:.5em 1em} header a{color:#fff}
main.review{display:flex;gap:0;height:calc(100vh - 3.2em)}
#woo-frame{flex:1;border:0;border-right:1px solid #999;height:100%}
aside{width:430px;overflow:auto;padding:.5em 1em;font-size:14px}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:3px;text-align:left}
tr.accept td:first-child{border-left:6px solid #000} tr.reject td:first-child{border-left:6px solid #2a8a2a}
tr.undecided td:first-child{border-left:6px solid #e08a00}
form.inline{display:inline} button{cursor:pointer} .muted{color:#666} .error{color:#b00}
button.primary{background:#154273;color:#fff;border:0;padding:.4em 1em}
button.drawing{background:#e08a00;color:#000}
main.page{padding:1em} .approved{color:#2a8a2a;font-weight:bold}
"""

# Runs in the review page; the frame is same-origin and script-free, so this script draws the overlays
# into the frame's document. Overlays never take pointer events: text stays selectable underneath.
REVIEW_JS = r"""
(function () {
  const frame = document.getElementById('woo-frame');
  const rows = Array.from(document.querySelectorAll('tr[data-item-key]'));
  let drawing = false;

  function styleBox(el, x, y, w, h, state) {
    const colour = state === 'accept' ? 'rgba(0,0,0,.55)' : 'transparent';
    const border = state === 'accept' ? '#000' : state === 'reject' ? '#2a8a2a' : '#e08a00';
    Object.assign(el.style, {position: 'absolute', left: x + 'px', top: y + 'px', width: w + 'px',
      height: h + 'px', background: colour, outline: '2px solid ' + border, pointerEvents: 'none',
      zIndex: 2147483000, boxSizing: 'border-box'});
  }
  function label(el, text) {
    const tag = el.ownerDocument.createElement('span');
    tag.textContent = text;
    Object.assign(tag.style, {position: 'absolute', left: '0', top: '-14px', font: '10px sans-serif',
      background: '#ffd', color: '#000', whiteSpace: 'nowrap', padding: '0 2px'});
    el.appendChild(tag);
  }
  function textRects(doc, needle) {
    const rects = [];
    const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
    const lower = needle.toLowerCase();
    let node;
    while ((node = walker.nextNode())) {
      const text = node.nodeValue.toLowerCase();
      let at = text.indexOf(lower);
      while (at >= 0) {
        const range = doc.createRange();
        range.setStart(node, at); range.setEnd(node, at + needle.length);
        for (const r of range.getClientRects()) rects.push(r);
        at = text.indexOf(lower, at + needle.length);
      }
    }
    return rects;
  }
  function drawOverlays() {
    const doc = frame.contentDocument;
    if (!doc || !doc.body) return;
    doc.querySelectorAll('.sma-woo-overlay').forEach(e => e.remove());
    const sx = frame.contentWindow.scrollX, sy = frame.contentWindow.scrollY;
    for (const row of rows) {
      const key = row.dataset.itemKey, state = row.dataset.state, caption = row.dataset.caption;
      let boxes = [];
      if (key !== 'avatar' && !row.dataset.manual) {
        boxes = textRects(doc, key).map(r => [r.left + sx, r.top + sy, r.width, r.height]);
      }
      if (!boxes.length) boxes = JSON.parse(row.dataset.boxes || '[]');
      let found = 0;
      for (const [x, y, w, h] of boxes) {
        if (w <= 0 || h <= 0) continue;
        const el = doc.createElement('div');
        el.className = 'sma-woo-overlay';
        el.dataset.itemKey = key;
        styleBox(el, x, y, w, h, state);
        if (found === 0) label(el, caption);
        doc.body.appendChild(el);
        found++;
      }
      row.querySelector('.overlays').textContent = String(found);
    }
    document.body.dataset.overlays = 'drawn';
  }
  function selectionBoxes(sel) {
    const out = [];
    const win = frame.contentWindow;
    for (let i = 0; i < sel.rangeCount; i++) {
      for (const r of sel.getRangeAt(i).getClientRects()) {
        out.push([r.left + win.scrollX, r.top + win.scrollY, r.width, r.height]);
      }
    }
    return out;
  }
  // The text under a drawn region (page coordinates): per text node, its whole words whose boxes meet
  // the region, consecutive ones as one fragment. The server redacts these in every record of the page.
  function regionTexts(doc, x, y, w, h) {
    const win = doc.defaultView, sx = win.scrollX, sy = win.scrollY;
    const meets = r => r.width > 0 && r.height > 0 && r.right + sx > x && r.left + sx < x + w &&
      r.bottom + sy > y && r.top + sy < y + h;
    const skip = 'script,style,noscript,template,.sma-woo-overlay,#sma-woo-draw-pane';
    const fragments = [];
    const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const value = node.nodeValue;
      if (!value.trim() || (node.parentElement && node.parentElement.closest(skip))) continue;
      const whole = doc.createRange();
      whole.selectNodeContents(node);
      if (!Array.from(whole.getClientRects()).some(meets)) continue;
      let start = -1, end = -1;
      const flush = () => {
        const text = start >= 0 ? value.slice(start, end).trim() : '';
        if (text) fragments.push(text);
        start = end = -1;
      };
      for (const m of value.matchAll(/\S+/g)) {
        const range = doc.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        if (Array.from(range.getClientRects()).some(meets)) {
          if (start < 0) start = m.index;
          end = m.index + m[0].length;
        } else {
          flush();
        }
      }
      flush();
    }
    return fragments;
  }
  const textForm = document.getElementById('redact-text-form');
  textForm.addEventListener('submit', function (ev) {
    const sel = frame.contentWindow.getSelection();
    const text = sel ? sel.toString().trim() : '';
    if (!text) {
      ev.preventDefault();
      document.getElementById('text-hint').textContent = 'Selecteer eerst tekst in de pagina.';
      return;
    }
    textForm.elements.text.value = text;
    textForm.elements.boxes.value = JSON.stringify(selectionBoxes(sel));
  });
  const drawButton = document.getElementById('draw-region');
  const regionForm = document.getElementById('region-form');
  drawButton.addEventListener('click', function () {
    const doc = frame.contentDocument;
    drawing = !drawing;
    drawButton.classList.toggle('drawing', drawing);
    drawButton.textContent = drawing ? 'Drag over the page…' : 'Draw a region';
    if (!drawing) return;
    const pane = doc.createElement('div');
    pane.id = 'sma-woo-draw-pane';
    Object.assign(pane.style, {position: 'absolute', left: 0, top: 0, width: doc.documentElement.scrollWidth + 'px',
      height: doc.documentElement.scrollHeight + 'px', cursor: 'crosshair', zIndex: 2147483600});
    doc.body.appendChild(pane);
    let start = null, box = null;
    pane.addEventListener('mousedown', e => {
      start = [e.pageX, e.pageY];
      box = doc.createElement('div');
      styleBox(box, start[0], start[1], 0, 0, 'accept');
      pane.appendChild(box);
    });
    pane.addEventListener('mousemove', e => {
      if (!start) return;
      const x = Math.min(start[0], e.pageX), y = Math.min(start[1], e.pageY);
      styleBox(box, x, y, Math.abs(e.pageX - start[0]), Math.abs(e.pageY - start[1]), 'accept');
    });
    pane.addEventListener('mouseup', e => {
      if (!start) return;
      const x = Math.min(start[0], e.pageX), y = Math.min(start[1], e.pageY);
      const w = Math.abs(e.pageX - start[0]), h = Math.abs(e.pageY - start[1]);
      start = null;
      if (w < 3 || h < 3) return;
      for (const [name, v] of [['x', x], ['y', y], ['w', w], ['h', h]]) regionForm.elements[name].value = Math.round(v);
      const texts = regionTexts(doc, x, y, w, h);
      regionForm.elements.texts.value = JSON.stringify(texts);
      regionForm.hidden = false;
      document.getElementById('region-size').textContent = Math.round(w) + ' × ' + Math.round(h) + ' px at ' +
        Math.round(x) + ', ' + Math.round(y) + ' · ' + texts.length + ' tekstfragment(en)';
      drawing = false;
      drawButton.classList.remove('drawing');
      drawButton.textContent = 'Draw a region';
      setTimeout(() => pane.remove(), 0);
    });
  });
  frame.addEventListener('load', drawOverlays);
  if (frame.contentDocument && frame.contentDocument.readyState === 'complete') drawOverlays();
})();
"""
