/* Fieldbench.picker: choose a code by key or name, recent codes first, fully by keyboard.
 *
 * open({title, quote, x, y, onChoose, onCancel}) shows the picker near (x, y) (page
 * coordinates) with focus in its search field. Arrow keys move, Enter applies, Escape
 * cancels, 1-9 (with an empty search) apply the numbered recent codes. The active code's
 * definition, "when to use" and "when not to use" stay beside the list. Categories and
 * retired codes never reach the list (the page leaves them out of #codebook-data). */
(function () {
  "use strict";
  const FB = (window.Fieldbench = window.Fieldbench || {});
  const RECENT_MAX = 9;
  let box, input, list, def, codes = [], byKey = new Map(), shown = [], active = 0, current = null;

  const recentKey = () => "fieldbench:recent:" + (document.getElementById("coding-view") || {}).dataset?.project;

  function recent() {
    try {
      const keys = JSON.parse(localStorage.getItem(recentKey()) || "[]");
      return keys.filter((k) => byKey.has(k)).slice(0, RECENT_MAX);
    } catch (_) { return []; }
  }

  function remember(key) {
    const keys = [key, ...recent().filter((k) => k !== key)].slice(0, RECENT_MAX);
    try { localStorage.setItem(recentKey(), JSON.stringify(keys)); } catch (_) { /* private mode */ }
  }

  /** Codes matching the query, best first; recent codes lead when the query is empty. */
  function matches(query) {
    const q = query.trim().toLowerCase(), recents = recent();
    if (!q) return [...recents.map((k) => byKey.get(k)), ...codes.filter((c) => !recents.includes(c.key))];
    const rank = (c) => {
      const key = c.key.toLowerCase(), name = c.name.toLowerCase();
      if (key === q) return 0;
      if (key.startsWith(q)) return 1;
      if (name.startsWith(q)) return 2;
      if (key.includes(q)) return 3;
      if (name.includes(q)) return 4;
      return 9;
    };
    return codes.map((c) => [rank(c) - (recents.includes(c.key) ? 0.5 : 0), c])
      .filter(([r]) => r < 9).sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  }

  function option(code, i, numbered) {
    const li = document.createElement("li");
    li.id = "pick-" + i;
    li.setAttribute("role", "option");
    li.dataset.key = code.key;
    li.innerHTML = '<span class="num"></span><span class="swatch" aria-hidden="true"></span>' +
      '<code class="key"></code> <span class="name"></span>';
    li.querySelector(".num").textContent = numbered ? String(i + 1) : "";
    li.querySelector(".swatch").style.backgroundColor = code.colour;
    li.querySelector(".key").textContent = code.key;
    li.querySelector(".name").textContent = code.name;
    return li;
  }

  function draw() {
    shown = matches(input.value);
    const numbered = !input.value.trim() ? recent().length : 0;
    list.replaceChildren(...shown.map((c, i) => option(c, i, i < numbered)));
    if (!shown.length) list.innerHTML = '<li class="none" role="presentation">No code matches.</li>';
    setActive(0);
  }

  function setActive(i) {
    active = Math.max(0, Math.min(i, shown.length - 1));
    list.querySelectorAll('[role="option"]').forEach((li, j) => li.setAttribute("aria-selected", String(j === active)));
    const li = document.getElementById("pick-" + active);
    if (li) { input.setAttribute("aria-activedescendant", li.id); li.scrollIntoView({ block: "nearest" }); }
    else input.removeAttribute("aria-activedescendant");
    describe(shown[active]);
  }

  function describe(code) {
    def.replaceChildren();
    if (!code) return;
    const add = (tag, text, cls) => {
      if (!text) return;
      const el = document.createElement(tag);
      el.textContent = text;
      if (cls) el.className = cls;
      def.append(el);
    };
    add("h3", code.name);
    add("p", code.key + " · " + code.family, "def-key");
    add("p", code.definition);
    add("h4", code.when_to_use && "When to use");
    add("p", code.when_to_use);
    add("h4", code.when_not_to_use && "When not to use");
    add("p", code.when_not_to_use);
  }

  function choose(code) {
    if (!code || !current) return;
    const { onChoose } = current;
    remember(code.key);
    close(false);
    onChoose(code.key);
  }

  function onKey(e) {
    if (e.key === "ArrowDown") setActive(active + 1);
    else if (e.key === "ArrowUp") setActive(active - 1);
    else if (e.key === "PageDown") setActive(active + 8);
    else if (e.key === "PageUp") setActive(active - 8);
    else if (e.key === "Enter") choose(shown[active]);
    else if (e.key === "Escape") close(true);
    else if (/^[1-9]$/.test(e.key) && !input.value.trim() && recent()[Number(e.key) - 1]) {
      choose(byKey.get(recent()[Number(e.key) - 1]));
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  function place(x, y) {
    box.style.left = "0px";
    box.style.top = "0px";
    const w = box.offsetWidth, h = box.offsetHeight;
    const maxX = window.scrollX + document.documentElement.clientWidth - w - 8;
    const below = y + 8, fitsBelow = below + h < window.scrollY + window.innerHeight;
    box.style.left = Math.max(window.scrollX + 8, Math.min(x - 24, maxX)) + "px";
    box.style.top = (fitsBelow ? below : Math.max(window.scrollY + 8, y - h - 36)) + "px";
  }

  function open(opts) {
    if (!box) return;
    current = opts;
    box.querySelector("#picker-title").textContent = opts.title || "Code the selection";
    box.querySelector("#picker-quote").textContent = opts.quote ? "“" + opts.quote + "”" : "";
    box.hidden = false;
    input.value = "";
    draw();
    place(opts.x, opts.y);
    input.focus({ preventScroll: true });
  }

  function close(cancelled) {
    if (!box || box.hidden) return;
    box.hidden = true;
    const was = current;
    current = null;
    if (cancelled && was && was.onCancel) was.onCancel();
  }

  function init() {
    box = document.getElementById("code-picker");
    if (!box) return;
    input = box.querySelector("#picker-input");
    list = box.querySelector("#picker-list");
    def = box.querySelector("#picker-def");
    codes = JSON.parse(document.getElementById("codebook-data").textContent);
    byKey = new Map(codes.map((c) => [c.key, c]));
    input.addEventListener("input", draw);
    input.addEventListener("keydown", onKey);
    box.querySelector(".picker-close").addEventListener("click", () => close(true));
    list.addEventListener("mousemove", (e) => {
      const li = e.target.closest('[role="option"]');
      if (li && li.id !== "pick-" + active) setActive(Number(li.id.slice(5)));
    });
    list.addEventListener("mousedown", (e) => e.preventDefault());
    list.addEventListener("click", (e) => {
      const li = e.target.closest('[role="option"]');
      if (li) choose(byKey.get(li.dataset.key));
    });
    document.addEventListener("mousedown", (e) => {
      if (!box.hidden && !box.contains(e.target)) close(true);
    }, true);
  }

  FB.picker = { init, open, close, isOpen: () => !!box && !box.hidden, remember, recent,
                code: (key) => byKey.get(key) };
})();
