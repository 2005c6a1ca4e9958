/* The coding view's events: mouse, keyboard, the turn actions, and the poll for colleagues'
 * codings. The poll asks for the text fragment with If-None-Match (the revision on screen,
 * which is also the codings API's ETag): 304 while nothing changed. A new text is swapped in
 * (with a fresh side panel) but never under a live selection, a pressed mouse button, an open
 * picker or a memo being written: then it waits for the next poll. */
(function () {
  "use strict";
  const FB = window.Fieldbench;
  const C = FB.coding;
  if (!C) return;
  const { view, canEdit, root, margin } = C;
  const POLL_MS = 2500;
  const hlAt = (el) => el && el.closest && el.closest("#document-text span[data-c]");
  const idsOf = (hl) => hl.dataset.c.split(" ");

  // ---- mouse ----

  function afterMouseUp(e) {
    const sel = window.getSelection();
    if (!sel.rangeCount || FB.picker.isOpen()) return;
    if (sel.isCollapsed) {
      const hl = hlAt(e.target);
      if (hl) C.openCodings(idsOf(hl), e.pageX, e.pageY);
      return;
    }
    if (canEdit && sel.getRangeAt(0).intersectsNode(root())) C.codeSelection();
  }

  document.addEventListener("mouseup", (e) => {
    const skip = "#code-picker, #coding-popover, .margin, #document-text button";
    if (e.button !== 0 || e.target.closest(skip)) return;
    setTimeout(() => afterMouseUp(e), 0);
  });

  view.addEventListener("click", (e) => {
    const act = e.target.closest("#document-text button[data-act]");
    if (act) return C.codeTurn(act.closest("[data-block]"), act.dataset.act === "speaker");
    const bar = e.target.closest(".bar");
    if (bar) return C.openCodings([bar.dataset.coding], e.pageX, e.pageY);
    const link = e.target.closest("#codings-panel a[data-coding]");
    if (link) setTimeout(() => C.showCoding(link.dataset.coding), 0);
  });

  function hover(e, on) {
    const bar = e.target.closest(".bar");
    if (bar) FB.margin.mark(root(), margin, bar.dataset.coding, on);
  }
  margin.addEventListener("mouseover", (e) => hover(e, true));
  margin.addEventListener("mouseout", (e) => hover(e, false));

  // ---- one set of turn actions, moved into the turn under the pointer or the focus ----

  const template = document.getElementById("turn-actions-template");
  const turnActions = template ? template.content.firstElementChild.cloneNode(true) : null;

  function showTurnActions(e) {
    const turn = turnActions && e.target.closest && e.target.closest("#document-text .turn");
    const head = turn && turn.querySelector(".turn-head");
    if (!head || head.contains(turnActions)) return;
    turnActions.querySelector(".turn-who").textContent = turn.dataset.speakerName;
    head.append(turnActions);
  }
  view.addEventListener("mouseover", showTurnActions);
  view.addEventListener("focusin", showTurnActions);

  // ---- keyboard ----

  function codingsAtCaret() {
    const sel = window.getSelection();
    const node = sel.rangeCount ? sel.focusNode : null;
    const hl = hlAt(node && (node.nodeType === Node.TEXT_NODE ? node.parentElement : node));
    if (!hl) return false;
    const rect = hl.getBoundingClientRect();
    C.openCodings(idsOf(hl), rect.left + window.scrollX, rect.bottom + window.scrollY);
    return true;
  }

  function onBlockKey(e, block) {
    if (FB.keys.handleArrow(e, block) || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key, sel = window.getSelection();
    const live = sel.rangeCount && !sel.isCollapsed;
    let handled = true;
    if (key === "Escape") { if (sel.rangeCount) sel.collapseToEnd(); }
    else if (key === "o" || (key === "Enter" && !live)) {
      if (!codingsAtCaret() && key === "o") FB.say("No coding at the caret.", true);
    } else if (!canEdit) handled = false;
    else if (key === "c" || key === "Enter") C.codeSelection();
    else if ((key === "t" || key === "a") && block.dataset.turn) C.codeTurn(block, key === "a");
    else if (/^[1-9]$/.test(key) && live) C.applyRecent(Number(key));
    else handled = false;
    if (handled) e.preventDefault();
  }

  document.addEventListener("keydown", (e) => {
    if (FB.picker.isOpen() || !e.target.closest) return;
    if (e.target.closest("input, textarea, select, [contenteditable]")) return;
    const mod = (e.ctrlKey || e.metaKey) && !e.altKey;
    if (canEdit && mod && ["z", "Z", "y"].includes(e.key)) {
      e.preventDefault();
      C.undoRedo(e.shiftKey || e.key === "y" ? "redo" : "undo");
      return;
    }
    if (e.key === "Escape" && FB.popover.isOpen()) { FB.popover.close(); return; }
    const block = e.target.closest("#document-text [data-block]");
    if (block) onBlockKey(e, block);
  });

  // ---- polling for colleagues' codings ----

  let mouseDown = false, polling = false;
  document.addEventListener("mousedown", () => { mouseDown = true; }, true);
  document.addEventListener("mouseup", () => { mouseDown = false; }, true);

  /** True while a swap of the text would disturb the researcher. */
  function busy() {
    if (mouseDown || FB.picker.isOpen() || FB.popover.isEditing()) return true;
    const sel = window.getSelection();
    return !!(sel.rangeCount && !sel.isCollapsed && sel.getRangeAt(0).intersectsNode(root()));
  }

  async function poll() {
    if (polling || busy()) return;
    polling = true;
    const startedIn = C.generation();
    try {
      const response = await fetch(view.dataset.textUrl, {
        credentials: "same-origin", cache: "no-store",
        headers: { "HX-Request": "true", "If-None-Match": C.etag() } });
      if (response.status === 200 && !busy()) {
        const text = C.parse(await response.text());
        const fresh = text && `"${text.dataset.revision}"` !== C.etag();
        if (fresh && startedIn === C.generation()) await C.refresh(null, text, startedIn);
      }
    } catch (_) { /* offline for a moment: the next poll tries again */ }
    polling = false;
  }

  // ---- start ----

  C.busy = busy;
  C.poll = poll;
  let frame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(C.layout);
  });
  C.layout();
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(C.layout);
  setInterval(poll, POLL_MS);
})();
