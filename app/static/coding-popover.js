/* Fieldbench.popover: the codings at one place, with their memos, Recode and Remove.
 *
 * The body is the server's fragment (coding/_popover.html); memos come from the memos API
 * (`GET /api/projects/{project}/memos?coding=ID`, bodies as sanitised HTML) and new ones go
 * to `POST /api/projects/{project}/memos`. `handlers.recode(id, key, rect)` and
 * `handlers.remove(id, key)` are the page's; Escape closes and gives focus back. */
(function () {
  "use strict";
  const FB = (window.Fieldbench = window.Fieldbench || {});
  let box, view, handlers, returnTo = null, openIds = "";

  /** Below the point if it fits, else as low as fits; always inside the viewport. */
  function place(x, y) {
    const w = box.offsetWidth, h = box.offsetHeight;
    const maxX = window.scrollX + document.documentElement.clientWidth - w - 8;
    const maxY = window.scrollY + window.innerHeight - h - 8;
    box.style.left = Math.max(window.scrollX + 8, Math.min(x - 20, maxX)) + "px";
    box.style.top = Math.max(window.scrollY + 8, Math.min(y + 12, maxY)) + "px";
  }

  function memoItem(memo) {
    const item = document.createElement("article");
    item.className = "memo";
    const head = document.createElement("p");
    head.className = "memo-meta";
    const when = new Date(memo.created_at.endsWith("Z") || memo.created_at.includes("+")
      ? memo.created_at : memo.created_at + "Z");
    head.textContent = `${memo.kind_name} · ${memo.author} · ${when.toLocaleString("en-GB",
      { dateStyle: "medium", timeStyle: "short" })}`;
    const body = document.createElement("div");
    body.className = "memo-body";
    body.innerHTML = memo.html;  // rendered from Markdown and sanitised by the server (nh3)
    item.append(head, body);
    return item;
  }

  async function loadMemos(holder) {
    const res = await FB.api("GET", `${view.dataset.memosApi}?coding=${holder.dataset.memosFor}`);
    holder.replaceChildren();
    if (!res.ok) {
      holder.innerHTML = '<p class="muted">Memos could not be loaded.</p>';
      return;
    }
    const memos = Array.isArray(res.data) ? res.data : res.data.items || [];
    const title = document.createElement("h4");
    title.textContent = memos.length ? `Memos (${memos.length})` : "No memos yet";
    holder.append(title, ...memos.map(memoItem));
  }

  async function addMemo(form) {
    const body = form.elements.body.value.trim();
    if (!body) { FB.say("Write the memo first.", true); form.elements.body.focus(); return; }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const res = await FB.api("POST", view.dataset.memosApi, {
      kind: form.elements.kind.value, body, coding: Number(form.dataset.coding) });
    button.disabled = false;
    if (!res.ok) { FB.say("The memo was not saved: " + FB.apiDetail(res), true); return; }
    form.elements.body.value = "";
    FB.say("Memo saved.");
    await loadMemos(box.querySelector(`[data-memos-for="${form.dataset.coding}"]`));
  }

  async function open(ids, x, y) {
    returnTo = document.activeElement;
    openIds = ids.join(",");
    const url = `${view.dataset.popoverUrl}?ids=${encodeURIComponent(openIds)}`;
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) { FB.say("Could not open these codings.", true); return; }
    box.innerHTML = await response.text();
    box.hidden = false;
    place(x, y);
    box.querySelectorAll("[data-memos-for]").forEach(loadMemos);
    box.focus({ preventScroll: true });
  }

  function close() {
    if (!box || box.hidden) return;
    box.hidden = true;
    box.replaceChildren();
    openIds = "";
    if (returnTo && document.contains(returnTo)) returnTo.focus({ preventScroll: true });
    returnTo = null;
  }

  function onClick(e) {
    const button = e.target.closest("button[data-act]");
    if (!button) return;
    const section = button.closest(".pop-coding");
    const act = button.dataset.act;
    if (act === "close") return close();
    const id = Number(section.dataset.coding), key = section.dataset.code;
    const rect = button.getBoundingClientRect();
    if (act === "recode") handlers.recode(id, key, rect);
    if (act === "remove") handlers.remove(id, key);
  }

  /** A memo field has the focus or holds unsaved words. */
  function isEditing() {
    if (!box || box.hidden) return false;
    const fields = [...box.querySelectorAll("textarea, select")];
    return fields.some((f) => f === document.activeElement) ||
      fields.some((f) => f.tagName === "TEXTAREA" && f.value.trim());
  }

  function init(page, callbacks) {
    view = page;
    handlers = callbacks;
    box = document.getElementById("coding-popover");
    box.addEventListener("click", onClick);
    box.addEventListener("submit", (e) => { e.preventDefault(); addMemo(e.target); });
    box.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
    });
    document.addEventListener("mousedown", (e) => {
      const picker = document.getElementById("code-picker");
      if (!box.hidden && !box.contains(e.target) && !(picker && picker.contains(e.target))) close();
    });
  }

  FB.popover = {
    init, open, close,
    isOpen: () => !!box && !box.hidden,
    isEditing,
    openIds: () => openIds,
  };
})();
