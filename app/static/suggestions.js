/* Suggestion review by keyboard: j/k or arrows move between cards, a accepts, r rejects,
   [ ] (with Shift: the other way) or Shift+arrows move the span's ends by a word, 0 resets.
   Every action clicks the card's own button, so the keys do exactly what the buttons do;
   the card swaps itself through htmx and focus stays on it (or moves on after a decision). */
(function () {
  "use strict";
  var list = document.getElementById("sugg-list");
  if (!list) return;
  var status = document.getElementById("sugg-status");
  var pending = null; // {id, advance} while a card is being swapped
  var waiting = [];   // keys pressed meanwhile, replayed in order

  function cards() { return Array.prototype.slice.call(list.querySelectorAll(".sugg")); }
  function current() {
    var el = document.activeElement;
    return el && el.closest ? el.closest(".sugg") : null;
  }
  function focusCard(card) {
    if (!card) return;
    card.focus();
    card.scrollIntoView({block: "nearest"});
  }
  function move(step) {
    var all = cards(), at = all.indexOf(current());
    var next = at < 0 ? 0 : Math.max(0, Math.min(all.length - 1, at + step));
    focusCard(all[next]);
  }
  function nextPending(card) {
    var all = cards(), at = all.indexOf(card);
    for (var i = at + 1; i < all.length; i++) if (all[i].dataset.status === "pending") return all[i];
    for (var j = 0; j < at; j++) if (all[j].dataset.status === "pending") return all[j];
    return card;
  }
  function actionFor(e) {
    if (e.key === "a") return "accept";
    if (e.key === "r") return "reject";
    if (e.key === "0") return "reset";
    if (e.code === "BracketLeft" || e.key === "[" || e.key === "{") return e.shiftKey ? "start-later" : "start-earlier";
    if (e.code === "BracketRight" || e.key === "]" || e.key === "}") return e.shiftKey ? "end-earlier" : "end-later";
    if (e.shiftKey && e.key === "ArrowRight") return "end-later";
    if (e.shiftKey && e.key === "ArrowLeft") return "end-earlier";
    return null;
  }

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (t.closest && t.closest("input, select, textarea, [contenteditable]")) return;
    if (!e.shiftKey && (e.key === "j" || e.key === "ArrowDown")) { e.preventDefault(); move(1); return; }
    if (!e.shiftKey && (e.key === "k" || e.key === "ArrowUp")) { e.preventDefault(); move(-1); return; }
    var action = actionFor(e);
    if (!action) return;
    e.preventDefault();
    if (pending) { waiting.push(action); return; }  // a card is being swapped: keep the key
    perform(action);
  });

  function perform(action) {
    var card = current() || cards()[0];
    var button = card && card.querySelector('[data-action="' + action + '"]');
    if (!button || button.disabled) return;
    pending = {id: card.id, advance: action === "accept" || action === "reject"};
    button.click();
  }

  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (pending && !e.detail.successful) {
      pending = null;
      waiting = [];
      if (status) status.textContent = "The server did not answer; nothing was changed. Try again.";
    }
  });

  document.body.addEventListener("htmx:afterSettle", function (e) {
    if (!pending || (e.target.closest && e.target.closest("#job-box"))) return;
    var card = document.getElementById(pending.id);
    if (!card || !list.contains(card)) return;
    var advance = pending.advance;
    pending = null;
    if (status) {
      var decided = card.querySelector(".sugg-decided, .error");
      status.textContent = decided ? decided.textContent.trim()
        : "Span now: " + card.querySelector("mark").textContent;
    }
    focusCard(advance && !card.querySelector(".error") ? nextPending(card) : card);
    if (waiting.length) perform(waiting.shift());
  });

  // Clicking a button inside a card keeps the card as the place the keys act on.
  list.addEventListener("click", function (e) {
    var card = e.target.closest && e.target.closest(".sugg");
    var button = e.target.closest && e.target.closest("button[data-action]");
    if (card && button && !pending) {
      var action = button.dataset.action;
      pending = {id: card.id, advance: action === "accept" || action === "reject"};
    }
  });

  if (!current()) {
    var first = list.querySelector('.sugg[data-status="pending"]');
    if (first && !location.hash) first.focus({preventScroll: true});
  }
})();
