/* Fieldbench.offsets: DOM selections <-> code-point offsets into the stored document text.
 *
 * The server counts Unicode code points (Python str indices); the DOM counts UTF-16 units.
 * Every rendered piece of text is a leaf `span[data-start]` whose text is exactly
 * Document.text[start:start + length], so a boundary maps to data-start plus the code points
 * before it inside its span. Boundaries outside any span (on element nodes, in turn headings,
 * before or after the text) snap to the nearest span: forwards for a start, backwards for an
 * end. The layout drops white space between blocks, so the text of a selection is a list of
 * parts; it is "contiguous" (and can be sent as a quote) when the parts leave no gap. */
(function () {
  "use strict";
  const FB = (window.Fieldbench = window.Fieldbench || {});
  const SEG = "span[data-start]";

  /** Code points in a JS (UTF-16) string. */
  function cpLength(str) {
    let n = str.length;
    for (let i = 0; i < str.length - 1; i++) {
      const c = str.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
      }
    }
    return n;
  }

  /** UTF-16 index of the code point `cp` in `str` (clamped to its length). */
  function unitsOf(str, cp) {
    let units = 0;
    for (const ch of str) {
      if (cp-- <= 0) break;
      units += ch.length;
    }
    return units;
  }

  const startOf = (seg) => Number(seg.dataset.start);
  const endOf = (seg) => startOf(seg) + cpLength(seg.textContent);
  const segments = (root) => root.querySelectorAll(SEG);

  function segmentAround(root, node) {
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const seg = el && el.closest(SEG);
    return seg && root.contains(seg) ? seg : null;
  }

  /** Index of the first segment whose start lies at or after the point (node, offset). */
  function firstAfter(segs, node, offset) {
    const point = document.createRange();
    point.setStart(node, offset);
    let lo = 0, hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (point.comparePoint(segs[mid], 0) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The code-point offset of a boundary; `isEnd` decides which way an outside point snaps. */
  function boundary(root, node, offset, isEnd) {
    const seg = segmentAround(root, node);
    if (seg) {
      const before = document.createRange();
      before.setStart(seg, 0);
      before.setEnd(node, offset);
      return startOf(seg) + cpLength(before.toString());
    }
    const segs = segments(root);
    const i = firstAfter(segs, node, offset);
    if (isEnd) return i > 0 ? endOf(segs[i - 1]) : null;
    return i < segs.length ? startOf(segs[i]) : null;
  }

  /** Index of the last segment starting at or before `cp` (binary search on data-start). */
  function indexAt(segs, cp) {
    let lo = 0, hi = segs.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (startOf(segs[mid]) <= cp) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  /** The text parts [{start, text}] of [start, end), clipped to the segments. */
  function parts(root, start, end) {
    const segs = segments(root), out = [];
    for (let i = Math.max(0, indexAt(segs, start)); i < segs.length; i++) {
      const s = startOf(segs[i]);
      if (s >= end) break;
      const chars = Array.from(segs[i].textContent);
      const a = Math.max(start, s), b = Math.min(end, s + chars.length);
      if (b > a) out.push({ start: a, text: chars.slice(a - s, b - s).join("") });
    }
    return out;
  }

  /** Drop white space at both ends of the parts (the server trims the same way). */
  function trimParts(list) {
    while (list.length && !list[0].text.trim()) list.shift();
    while (list.length && !list[list.length - 1].text.trim()) list.pop();
    if (!list.length) return list;
    const first = list[0], lead = first.text.length - first.text.trimStart().length;
    list[0] = { start: first.start + cpLength(first.text.slice(0, lead)), text: first.text.slice(lead) };
    const last = list[list.length - 1];
    list[list.length - 1] = { start: last.start, text: last.text.trimEnd() };
    return list;
  }

  /** A span from a DOM range: {start, end, text, quote} (quote null across gaps), or null. */
  function fromRange(root, range) {
    if (!range || range.collapsed) return null;
    const start = boundary(root, range.startContainer, range.startOffset, false);
    const end = boundary(root, range.endContainer, range.endOffset, true);
    if (start === null || end === null || end <= start) return null;
    const list = trimParts(parts(root, start, end));
    if (!list.length) return { start, end: start, text: "", quote: null, empty: true };
    let contiguous = true;
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1];
      if (prev.start + cpLength(prev.text) !== list[i].start) contiguous = false;
    }
    const last = list[list.length - 1];
    const text = list.map((p) => p.text).join(contiguous ? "" : "\n");
    return { start: list[0].start, end: last.start + cpLength(last.text), text,
             quote: contiguous ? text : null, empty: false };
  }

  /** The DOM point {node, offset} for a code-point offset (`isEnd`: prefer the span before). */
  function toPoint(root, cp, isEnd) {
    const segs = segments(root);
    let i = indexAt(segs, isEnd ? cp - 1 : cp);
    if (i < 0) i = 0;
    const seg = segs[i];
    if (!seg) return null;
    const node = seg.firstChild || seg;
    const within = Math.max(0, cp - startOf(seg));
    return { node, offset: node.nodeType === Node.TEXT_NODE ? unitsOf(node.data, within) : 0 };
  }

  /** A DOM range over [start, end) of the stored text. */
  function toRange(root, start, end) {
    const a = toPoint(root, start, false), b = toPoint(root, end, true);
    if (!a || !b) return null;
    const range = document.createRange();
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    return range;
  }

  /** The current selection as a span of `root`, or null if it is collapsed or elsewhere. */
  function fromSelection(root) {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!range.intersectsNode(root)) return null;
    return fromRange(root, range);
  }

  FB.offsets = { cpLength, fromRange, fromSelection, toPoint, toRange, parts, boundary };
})();
