// shopbench leaderboard page: sortable tables and the per-query view. Data is read with JSON.parse and shown
// with textContent only (never as markup); listeners are attached here, none come from the data.
"use strict";

(function () {
  const TIE = 1e-9;
  const PAGE = 300;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // ---- sortable tables -------------------------------------------------------------------------------------
  function sortKey(cell, numeric) {
    const raw = cell ? cell.getAttribute("data-sort") : "";
    if (raw === null || raw === "") return null;
    if (!numeric) return raw;
    const value = Number(raw);
    return Number.isFinite(value) ? value : null;
  }

  function sortTable(table, column, header) {
    const numeric = header.getAttribute("data-type") === "number";
    const current = header.getAttribute("aria-sort");
    const descending = current ? current === "ascending" : numeric;
    for (const th of table.tHead.rows[0].cells) th.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).map((row) => ({
      row: row, key: sortKey(row.cells[column], numeric), order: Number(row.getAttribute("data-row")),
    }));
    rows.sort((x, y) => {
      if (x.key === null || y.key === null) {
        if (x.key === y.key) return x.order - y.order;
        return x.key === null ? 1 : -1;  // missing values last, either direction
      }
      let c = numeric ? x.key - y.key : x.key.localeCompare(y.key);
      if (descending) c = -c;
      return c !== 0 ? c : x.order - y.order;
    });
    for (const item of rows) body.appendChild(item.row);
  }

  function makeSortable(table) {
    const headers = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
    headers.forEach((header, column) => {
      const button = header.querySelector("button.sort");
      if (button) button.addEventListener("click", () => sortTable(table, column, header));
    });
  }

  // ---- per-query view --------------------------------------------------------------------------------------
  function loadData(id) {
    const external = window.shopbenchQueries;
    if (external && Object.prototype.hasOwnProperty.call(external, id)) return external[id];
    const block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function fmt(value) { return value === null || value === undefined ? "—" : value.toFixed(4); }
  function signed(value) {
    const t = value.toFixed(4);
    return Number(t) === 0 ? "+0.0000" : (value > 0 ? "+" + t : t);
  }

  function judgementOf(data, query, doc) {
    const judged = data.judged ? data.judged[query] : null;
    if (!judged) return null;
    for (const pair of judged) if (pair[0] === doc) return pair[1];
    return undefined;
  }

  function judgementNode(data, gain) {
    if (!data.judged) return el("span", "judgement unj", "");
    if (gain === undefined || gain === null) return el("span", "judgement unj", "unjudged");
    const label = data.gainLabels[String(gain)];
    const kind = gain >= data.relevantLevel ? "rel" : (gain > 0 ? "part" : "irr");
    return el("span", "judgement " + kind, (label !== undefined ? label : String(gain)) + " (gain " + gain + ")");
  }

  function hitsColumn(data, query, system) {
    const box = el("div", "pq-system");
    box.setAttribute("data-letter", system.letter);
    box.appendChild(el("h4", null, system.letter + ": " + system.label));
    const hits = data.hits[system.letter];
    if (!hits) { box.appendChild(el("p", "note", "no run file for this system")); return box; }
    const list = el("ol");
    for (const doc of hits[query]) {
      const item = el("li", "hit");
      item.appendChild(judgementNode(data, judgementOf(data, query, doc)));
      item.appendChild(el("span", "title", data.titles ? data.titles[doc] : ""));
      item.appendChild(el("span", "doc-id", data.docs[doc]));
      list.appendChild(item);
    }
    if (!hits[query].length) box.appendChild(el("p", "note", "no hits (the run file has none for this query)"));
    box.appendChild(list);
    return box;
  }

  function queryItem(data, entry, a, b, metric) {
    const item = el("li", "pq-query");
    item.setAttribute("data-qid", data.qids[entry.query]);
    const details = el("details");
    const summary = el("summary");
    const outcome = Math.abs(entry.delta) < TIE ? "tie" : (entry.delta > 0 ? "win" : "loss");
    summary.appendChild(el("span", "pq-delta " + outcome, signed(entry.delta)));
    const text = data.texts ? data.texts[entry.query] : data.qids[entry.query];
    summary.appendChild(el("span", "pq-text", text));
    summary.appendChild(el("span", "pq-qid", "id " + data.qids[entry.query]));
    summary.appendChild(el("span", "pq-scores", metric + " " + a.letter + " " + fmt(entry.a) + " → " + b.letter + " " + fmt(entry.b)));
    details.appendChild(summary);
    details.addEventListener("toggle", () => {
      if (!details.open || details.querySelector(".pq-hits")) return;
      const body = el("div", "pq-hits");
      body.appendChild(hitsColumn(data, entry.query, a));
      body.appendChild(hitsColumn(data, entry.query, b));
      details.appendChild(body);
      if (data.relevant) details.appendChild(el("p", "note", data.relevant[entry.query] + " product(s) judged relevant for this query."));
    });
    item.appendChild(details);
    return item;
  }

  function setupPerQuery(section) {
    const data = loadData(section.getAttribute("data-source"));
    if (!data) return;
    const pick = (name) => section.querySelector("select." + name);
    const selectA = pick("pq-a"), selectB = pick("pq-b"), selectMetric = pick("pq-metric"), selectShow = pick("pq-show");
    const list = section.querySelector(".pq-list"), summary = section.querySelector(".pq-summary");
    const more = section.querySelector("button.more");
    let entries = [], shown = 0, current = null;

    function system(letter) { return data.systems.find((s) => s.letter === letter); }

    function renderMore() {
      const end = Math.min(shown + PAGE, entries.length);
      for (let i = shown; i < end; i++) list.appendChild(queryItem(data, entries[i], current.a, current.b, current.metric));
      shown = end;
      more.hidden = shown >= entries.length;
      more.textContent = "show " + Math.min(PAGE, entries.length - shown) + " more of " + (entries.length - shown);
    }

    function render() {
      const a = system(selectA.value), b = system(selectB.value), metric = selectMetric.value, show = selectShow.value;
      const scoresA = data.scores[metric][a.letter], scoresB = data.scores[metric][b.letter];
      const all = [];
      data.qids.forEach((qid, query) => {
        const x = scoresA[query], y = scoresB[query];
        if (x === null || y === null || x === undefined || y === undefined) return;
        all.push({ query: query, a: x, b: y, delta: y - x });
      });
      all.sort((p, q) => (q.delta - p.delta) || (data.qids[p.query] < data.qids[q.query] ? -1 : 1));
      const wins = all.filter((e) => e.delta >= TIE).length, losses = all.filter((e) => e.delta <= -TIE).length;
      const mean = (key) => all.length ? all.reduce((s, e) => s + e[key], 0) / all.length : 0;
      summary.textContent = all.length + " queries scored by both. " + b.letter + " (" + b.label + ") is better on " + wins +
        ", worse on " + losses + ", tied on " + (all.length - wins - losses) + "; mean " + metric + " " + a.letter + " " +
        fmt(mean("a")) + ", " + b.letter + " " + fmt(mean("b")) + ". Sorted by " + metric + " of " + b.letter + " minus " + a.letter + ".";
      entries = all.filter((e) => show === "all" || (show === "wins" && e.delta >= TIE) ||
        (show === "losses" && e.delta <= -TIE) || (show === "ties" && Math.abs(e.delta) < TIE));
      if (show === "losses") entries.reverse();
      current = { a: a, b: b, metric: metric };
      list.replaceChildren();
      shown = 0;
      renderMore();
    }

    for (const select of [selectA, selectB, selectMetric, selectShow]) select.addEventListener("change", render);
    more.addEventListener("click", renderMore);
    render();
  }

  function start() {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    document.querySelectorAll("section.per-query").forEach(setupPerQuery);
    document.documentElement.setAttribute("data-ready", "1");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
