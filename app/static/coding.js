/* The coding view's actions: code a selection, a turn or a speaker's turns; open, recode and
 * remove codings; undo and redo. (coding-events.js wires them to the mouse, the keyboard and
 * the poll.)
 *
 * Codings go through the JSON API (coding-actions.js); after every change the text and the
 * side panel are fetched again from their HTML fragment routes and swapped in, and the margin
 * bars are laid out from the new segments. */
(function () {
  "use strict";
  const FB = window.Fieldbench;
  const view = document.getElementById("coding-view");
  if (!view) return;
  const canEdit = view.dataset.canEdit === "true";
  const root = () => document.getElementById("document-text");
  const margin = document.getElementById("coding-margin");
  const undoButton = document.getElementById("coding-undo");
  const redoButton = document.getElementById("coding-redo");
  let etag = `"${root().dataset.revision}"`;
  const actions = canEdit ? FB.createActions(view.dataset.document, updateButtons) : null;

  const short = (text, n = 90) => {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > n ? flat.slice(0, n - 1) + "…" : flat;
  };

  FB.say = function say(message, isError) {
    const status = document.getElementById("coding-status");
    const alert = document.getElementById("coding-alert");
    status.textContent = isError ? "" : message;
    alert.textContent = isError ? message : "";
  };

  // ---- swapping in fresh fragments ----

  function parse(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  }

  async function fragment(url) {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store",
                                        headers: { "HX-Request": "true" } });
    return response.ok ? parse(await response.text()) : null;
  }

  function where() {
    const active = document.activeElement;
    const block = active && active.closest && active.closest("#document-text [data-block]");
    const sel = window.getSelection();
    const caret = block && sel.rangeCount && sel.isCollapsed && block.contains(sel.focusNode)
      ? FB.offsets.boundary(root(), sel.focusNode, sel.focusOffset, true) : null;
    return block ? { blockId: block.id, caret } : null;
  }

  function goBack(place) {
    const block = place && place.blockId && document.getElementById(place.blockId);
    if (!block) return;
    block.focus({ preventScroll: true });
    if (place.caret !== null && place.caret !== undefined) FB.keys.placeCaret(root(), place.caret);
  }

  let chain = Promise.resolve(), generation = 0;
  /** Swap in fresh text and panel. The poll passes the text it fetched and the generation
   * it started in: that text is dropped if one of our own refreshes began since (it may be
   * older) or if the researcher started selecting meanwhile (the next poll tries again). */
  function refresh(place, polledText, polledIn) {
    if (!polledText) generation++;
    chain = chain.then(async () => {
      const keep = place || where();
      const [text, panel] = await Promise.all([polledText || fragment(view.dataset.textUrl),
                                                fragment(view.dataset.panelUrl)]);
      if (polledText && (polledIn !== generation || FB.coding.busy())) return;
      if (text) { root().replaceWith(text); etag = `"${text.dataset.revision}"`; }
      if (panel) document.getElementById("codings-panel-body").replaceWith(panel);
      layout();
      goBack(keep);
    }).catch(() => FB.say("The text could not be refreshed: reload the page.", true));
    return chain;
  }

  const layout = () => FB.margin.layout(root(), margin);

  // ---- coding a selection ----

  function blockAt(cp) {
    const point = FB.offsets.toPoint(root(), cp, true);
    const el = point && (point.node.nodeType === Node.TEXT_NODE ? point.node.parentElement : point.node);
    return el ? el.closest("[data-block]") : null;
  }

  function pending(range) {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    if (range) CSS.highlights.set("fb-pending", new Highlight(range));
    else CSS.highlights.delete("fb-pending");
  }

  function reselect(span) {
    const range = FB.offsets.toRange(root(), span.start, span.end);
    const block = blockAt(span.end);
    if (block) block.focus({ preventScroll: true });
    if (range) { const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range); }
  }

  function currentSpan() {
    const span = FB.offsets.fromSelection(root());
    if (!span) FB.say("Select a passage of the text first (drag with the mouse, or Shift+arrow keys).", true);
    else if (span.empty) FB.say("That selection is only white space: select some words to code.", true);
    return span && !span.empty ? span : null;
  }

  async function applyCode(span, key) {
    pending(null);
    const res = await actions.create(span, key);
    if (!res.ok) {
      FB.say(`Not coded: ${FB.apiDetail(res)}`, true);
      reselect(span);
      return;
    }
    window.getSelection().removeAllRanges();
    await refresh({ blockId: (blockAt(res.data.end) || {}).id, caret: res.data.end });
    FB.say(`Coded ${key}: “${short(res.data.quote, 60)}”`);
  }

  function codeSelection() {
    const span = currentSpan();
    if (!span) return;
    const range = window.getSelection().getRangeAt(0);
    const rects = range.getClientRects();
    const rect = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
    pending(range.cloneRange());
    FB.picker.open({
      title: "Code the selection", quote: short(span.text, 120),
      x: rect.left + window.scrollX, y: rect.bottom + window.scrollY,
      onChoose: (key) => applyCode(span, key),
      onCancel: () => { pending(null); reselect(span); },
    });
  }

  function applyRecent(n) {
    const key = FB.picker.recent()[n - 1];
    const span = key && currentSpan();
    if (span) applyCode(span, key);
    else if (!key) FB.say(`There is no recent code number ${n} yet.`, true);
  }

  // ---- turns and speakers ----

  function codeTurn(block, everyTurn) {
    const name = block.dataset.speakerName;
    const rect = block.querySelector(".turn-head").getBoundingClientRect();
    FB.picker.open({
      title: everyTurn ? `Code every turn of ${name} in this document` : `Code this turn of ${name}`,
      quote: everyTurn ? "" : short(block.querySelector(".utterance").textContent, 120),
      x: rect.left + window.scrollX, y: rect.bottom + window.scrollY,
      onCancel: () => block.focus({ preventScroll: true }),
      onChoose: async (key) => {
        const res = everyTurn ? await actions.codeSpeaker(block.dataset.speaker, key, name)
          : await actions.codeTurn(block.dataset.turn, key);
        if (!res.ok) {
          FB.say(`Not coded: ${FB.apiDetail(res)}`, true);
          (document.getElementById(block.id) || block).focus();
          return;
        }
        const n = res.data.length;
        await refresh({ blockId: block.id, caret: null });
        FB.say(n ? `Coded ${n} turn${n === 1 ? "" : "s"} of ${name} ${key}.`
          : `Already coded ${key}: nothing added.`);
      },
    });
  }

  // ---- codings: popover, recode, remove, undo ----

  function openCodings(ids, x, y) { if (ids.length) FB.popover.open(ids, x, y); }

  function recode(id, from, rect) {
    FB.picker.open({
      title: `Recode ${from} as…`, quote: "", x: rect.left + window.scrollX, y: rect.bottom + window.scrollY,
      onChoose: async (key) => {
        if (key === from) return;
        const res = await actions.recodeCoding(id, from, key);
        FB.popover.close();
        await refresh();
        FB.say(res.ok ? `Recoded ${from} as ${key}.` : `Not recoded: ${FB.apiDetail(res)}`, !res.ok);
      },
    });
  }

  async function remove(id, key) {
    const res = await actions.removeCoding(id, key);
    FB.popover.close();
    await refresh();
    FB.say(res.ok ? `Removed ${key}. Undo with Ctrl+Z.` : `Not removed: ${FB.apiDetail(res)}`, !res.ok);
  }

  async function undoRedo(which) {
    const step = await actions[which]();
    if (!step) { FB.say(which === "undo" ? "Nothing to undo." : "Nothing to redo."); return; }
    FB.popover.close();
    await refresh();
    if (step.ok) FB.say(`${which === "undo" ? "Undone" : "Redone"}: ${step.action.label}.`);
    else FB.say(`Could not ${which} the ${step.action.label}: ${step.message}`, true);
  }

  function updateButtons() {
    const u = actions.peekUndo(), r = actions.peekRedo();
    undoButton.disabled = !u;
    redoButton.disabled = !r;
    undoButton.title = u ? `Undo ${u.label} (Ctrl+Z)` : "Nothing to undo";
    redoButton.title = r ? `Redo ${r.label} (Ctrl+Shift+Z)` : "Nothing to redo";
  }

  function showCoding(id) {
    const anchor = document.getElementById(`coding-${id}`);
    if (!anchor) return;
    FB.margin.mark(root(), margin, id, true);
    setTimeout(() => FB.margin.mark(root(), margin, id, false), 1600);
    const rect = anchor.getBoundingClientRect();
    openCodings([id], rect.left + window.scrollX, rect.bottom + window.scrollY);
  }

  if (canEdit) {
    FB.picker.init();
    undoButton.addEventListener("click", () => undoRedo("undo"));
    redoButton.addEventListener("click", () => undoRedo("redo"));
  }
  FB.popover.init(view, { recode, remove });
  FB.coding = {
    view, canEdit, root, margin, refresh, parse, layout, codeSelection, applyRecent, codeTurn,
    openCodings, showCoding, undoRedo, etag: () => etag, generation: () => generation,
    busy: () => false,
  };
})();
