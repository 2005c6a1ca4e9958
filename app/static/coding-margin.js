/* Fieldbench.margin: stacked bars beside the text, one column per overlapping coding.
 *
 * Each coding's extent comes from the client rects of its first and last segment (the
 * `span[data-c~=id]` elements); bars are packed greedily into columns so overlapping codings
 * sit side by side. Every bar carries its code key (colour is never the only cue). */
(function () {
  "use strict";
  const FB = (window.Fieldbench = window.Fieldbench || {});
  const LABEL_PX = 18, GAP_PX = 3, MIN_COL = 40, MAX_COL = 150;
  const KEY_FONT = '700 11px ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace';

  /** coding id -> its segments, in text order, from one pass over the coded segments. */
  function segmentsById(root) {
    const map = new Map();
    for (const el of root.querySelectorAll("span[data-c]")) {
      for (const id of el.dataset.c.split(" ")) {
        if (!map.has(id)) map.set(id, []);
        map.get(id).push(el);
      }
    }
    return map;
  }

  function extent(segs, top0) {
    const first = segs[0].getClientRects(), last = segs[segs.length - 1].getClientRects();
    if (!first.length || !last.length) return null;
    return { top: first[0].top - top0, bottom: last[last.length - 1].bottom - top0 };
  }

  /** Bars in text order with a column each; a label needs LABEL_PX even on a short bar. */
  function pack(items) {
    items.sort((a, b) => a.top - b.top || (b.bottom - b.top) - (a.bottom - a.top));
    const ends = [];
    for (const item of items) {
      let col = ends.findIndex((end) => end <= item.top);
      if (col < 0) { col = ends.length; ends.push(0); }
      item.col = col;
      ends[col] = Math.max(item.bottom, item.top + LABEL_PX) + GAP_PX;
    }
    return ends.length;
  }

  let measure = null;
  /** Pixel width of a key in the bars' label font. */
  function keyWidth(key) {
    if (!measure) {
      measure = document.createElement("canvas").getContext("2d");
      measure.font = KEY_FONT;
    }
    return Math.ceil(measure.measureText(key).width) + 14;
  }

  /** Each column as wide as its longest key: left offsets and the total width. */
  function columns(items, count) {
    const widths = new Array(count).fill(MIN_COL);
    for (const item of items) widths[item.col] = Math.min(MAX_COL, Math.max(widths[item.col], keyWidth(item.key)));
    const lefts = [];
    widths.reduce((at, w, i) => { lefts[i] = at; return at + w; }, 0);
    return { widths, lefts, total: widths.reduce((a, b) => a + b, 0) };
  }

  function bar(item, cols) {
    const el = document.createElement("button");
    el.type = "button";
    el.className = "bar";
    el.tabIndex = -1;
    el.dataset.coding = item.id;
    el.style.setProperty("--c", item.colour);
    el.style.top = item.top + "px";
    el.style.height = Math.max(item.bottom - item.top, LABEL_PX) + "px";
    el.style.left = cols.lefts[item.col] + "px";
    el.style.width = cols.widths[item.col] - 4 + "px";
    el.title = item.key + " — click for details";
    el.setAttribute("aria-label", "Coding " + item.key);
    const key = document.createElement("span");
    key.className = "bar-key";
    key.textContent = item.key;
    el.append(key);
    return el;
  }

  /** Lay out the bars of the codings in `root` inside `margin`. */
  function layout(root, margin) {
    if (!root || !margin) return;
    const top0 = margin.getBoundingClientRect().top;
    const segs = segmentsById(root), items = [];
    for (const anchor of root.querySelectorAll(".anchor")) {
      const id = anchor.id.slice("coding-".length), list = segs.get(id);
      const box = list && extent(list, top0);
      if (box) items.push({ id, key: anchor.dataset.key, colour: anchor.dataset.colour, ...box });
    }
    const cols = columns(items, pack(items));
    margin.style.width = cols.total + "px";
    margin.replaceChildren(...items.map((item) => bar(item, cols)));
  }

  /** Mark a coding's segments (and bar) while the pointer or focus is on it. */
  function mark(root, margin, id, on) {
    if (!root) return;
    for (const el of root.querySelectorAll(`span[data-c~="${CSS.escape(String(id))}"]`)) {
      el.classList.toggle("is-marked", on);
    }
    const b = margin && margin.querySelector(`.bar[data-coding="${CSS.escape(String(id))}"]`);
    if (b) b.classList.toggle("is-marked", on);
  }

  FB.margin = { layout, mark, segmentsById };
})();
