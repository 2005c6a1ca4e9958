/* Fieldbench.keys: selecting text with the keyboard inside a focused block.
 *
 * Turns and paragraphs are focusable (tabindex=0). With one focused, the arrow keys move a
 * caret through its text (Ctrl: by word; Up/Down: by line; Home/End: to the line's ends) and
 * Shift+arrows extend the selection, through Selection.modify. A thin caret mark shows where
 * the caret is, since the browser draws none in text that is not editable. */
(function () {
  "use strict";
  const FB = (window.Fieldbench = window.Fieldbench || {});
  const MOVES = {
    ArrowLeft: ["backward", "character"], ArrowRight: ["forward", "character"],
    ArrowUp: ["backward", "line"], ArrowDown: ["forward", "line"],
    Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"],
  };

  const firstText = (block) =>
    block.querySelector(".utterance span[data-start]") || block.querySelector("span[data-start]");

  /** The selection, with a caret at the block's first word unless it already lies there. */
  function caretIn(block) {
    const sel = window.getSelection();
    const inside = sel.rangeCount && (block.contains(sel.anchorNode) || block.contains(sel.focusNode));
    if (!inside) {
      const seg = firstText(block);
      if (seg && seg.firstChild) sel.collapse(seg.firstChild, 0);
    }
    return sel;
  }

  /** Handle an arrow key on a focused block; true if it was one. */
  function handleArrow(e, block) {
    const move = MOVES[e.key];
    if (!move || e.altKey || e.metaKey) return false;
    const [direction, unit] = move;
    const granularity = e.ctrlKey && unit === "character" ? "word" : unit;
    const sel = caretIn(block);
    if (!sel.rangeCount) return false;
    e.preventDefault();
    sel.modify(e.shiftKey ? "extend" : "move", direction, granularity);
    showCaret();
    return true;
  }

  /** Put a caret at code-point offset `cp` in the text root (and show it). */
  function placeCaret(root, cp) {
    const point = FB.offsets.toPoint(root, cp, true);
    if (!point) return;
    window.getSelection().collapse(point.node, point.offset);
    showCaret();
  }

  function showCaret() {
    const mark = document.getElementById("coding-caret");
    if (!mark) return;
    const sel = window.getSelection();
    const block = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("#document-text [data-block]");
    if (!block || !sel.rangeCount || !sel.isCollapsed || !block.contains(sel.anchorNode)) {
      mark.hidden = true;
      return;
    }
    const rects = sel.getRangeAt(0).getClientRects();
    const rect = rects.length ? rects[rects.length - 1] : null;
    if (!rect) { mark.hidden = true; return; }
    mark.hidden = false;
    mark.style.left = rect.left + window.scrollX + "px";
    mark.style.top = rect.top + window.scrollY + "px";
    mark.style.height = Math.max(rect.height, 16) + "px";
    if (rect.bottom > window.innerHeight || rect.top < 0) mark.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("selectionchange", showCaret);
  document.addEventListener("focusout", () => setTimeout(showCaret, 0));

  FB.keys = { handleArrow, placeCaret, showCaret, caretIn };
})();
