/* Fieldbench.api and Fieldbench.actions: the coding JSON API, and undo/redo of one's own
 * coding actions.
 *
 * Every action is recorded as a small object that knows how to undo and redo itself:
 *   create (one passage, a turn or all of a speaker's turns): undo = remove, redo = restore
 *   remove: undo = restore, redo = remove        recode: undo = back to the old code
 * Removals are soft deletes on the server, so undo and redo keep the coding's id and memos. */
(function () {
  "use strict";
  const FB = (window.Fieldbench = window.Fieldbench || {});

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (_) { return ""; }
  }

  /** fetch JSON with the session cookie and CSRF header: {ok, status, data}. */
  async function api(method, url, body) {
    const headers = { Accept: "application/json", "X-CSRF-Token": csrf() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, { method, headers, credentials: "same-origin", cache: "no-store",
                                    body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      return { ok: false, status: 0, data: { detail: "the server could not be reached: check the connection" } };
    }
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  const detail = (res) => (res.data && typeof res.data.detail === "string" ? res.data.detail
    : `the server answered ${res.status}`);

  const remove = (id) => api("DELETE", `/api/codings/${id}`);
  const restore = (id) => api("POST", `/api/codings/${id}/restore`);
  const recode = (id, code) => api("PATCH", `/api/codings/${id}`, { code });

  /** Run one request per id; the first failure stops and is returned. */
  async function each(ids, call) {
    for (const id of ids) {
      const res = await call(id);
      if (!res.ok) return res;
    }
    return { ok: true };
  }

  function createActions(documentId, onChange) {
    const undoStack = [], redoStack = [];

    function record(action) {
      undoStack.push(action);
      redoStack.length = 0;
      onChange();
    }

    const kinds = {
      create: { undo: (a) => each(a.ids, remove), redo: (a) => each(a.ids, restore) },
      remove: { undo: (a) => each(a.ids, restore), redo: (a) => each(a.ids, remove) },
      recode: { undo: (a) => recode(a.ids[0], a.from), redo: (a) => recode(a.ids[0], a.to) },
    };

    async function step(from, to, which) {
      const action = from.pop();
      if (!action) return null;
      const res = await kinds[action.type][which](action);
      if (res.ok) to.push(action);  // a failed step (someone else changed it) is dropped
      onChange();
      return { action, ok: res.ok, message: res.ok ? "" : detail(res) };
    }

    async function create(span, code) {
      const res = await api("POST", `/api/documents/${documentId}/codings`,
                            { code, start: span.start, end: span.end, quote: span.quote });
      if (res.ok) record({ type: "create", ids: [res.data.id], label: `coding ${code}` });
      return res;
    }

    async function codeTurns(path, code, label) {
      const res = await api("POST", `/api/documents/${documentId}/${path}/codings`, { code });
      if (res.ok && res.data.length) record({ type: "create", ids: res.data.map((c) => c.id), label });
      return res;
    }

    async function removeCoding(id, code) {
      const res = await remove(id);
      if (res.ok) record({ type: "remove", ids: [id], label: `removal of ${code}` });
      return res;
    }

    async function recodeCoding(id, from, to) {
      const res = await recode(id, to);
      if (res.ok) record({ type: "recode", ids: [id], from, to, label: `recode ${from} → ${to}` });
      return res;
    }

    return {
      create, removeCoding, recodeCoding,
      codeTurn: (turnId, code) => codeTurns(`turns/${turnId}`, code, `turn coded ${code}`),
      codeSpeaker: (speakerId, code, name) => codeTurns(`speakers/${speakerId}`, code,
                                                        `${name}'s turns coded ${code}`),
      undo: () => step(undoStack, redoStack, "undo"),
      redo: () => step(redoStack, undoStack, "redo"),
      peekUndo: () => undoStack[undoStack.length - 1],
      peekRedo: () => redoStack[redoStack.length - 1],
    };
  }

  FB.api = api;
  FB.apiDetail = detail;
  FB.createActions = createActions;
})();
