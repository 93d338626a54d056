// Search page: Pagefind's JavaScript API with filters and a date sort, results rendered as plain links.
// Runs as a module from the site itself (no inline script), so the page's Content-Security-Policy holds.
// Every result is reachable ("加载更多" adds the next page of results until the last); the query, the
// filters and the sort live in the URL (a search can be shared, and the back button returns to the
// previous search); result links carry the site's base path (a site served from a sub-path).
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("more");
const sortSelect = document.getElementById("sort");
const panel = document.getElementById("filters");
const FILTERS = ["类别", "主体类型", "地区", "机关", "年份"];
const PAGE = 10;

const base = form.dataset.base || "/";
const pagefind = await import(form.dataset.bundle + "pagefind.js");
await pagefind.options({ excerptLength: 30, baseUrl: base });
// A large site's index comes in several bundles (pagefind/bundles.json lists all but the first): merged here.
const others = await fetch(form.dataset.bundle + "bundles.json").then((r) => (r.ok ? r.json() : [])).catch(() => []);
for (const path of others) await pagefind.mergeIndex(base + path, { baseUrl: base });
await pagefind.init();

// The * of a masked name (张*丰) is indexed as 某, as site_builder/search_terms.py does.
const normalise = (query) => query.replace(/[*＊]/g, "某").trim();

// A whole 统一社会信用代码 finds the pages that show it. With several bundles, one that lacks the code answers
// with pages matching only part of it (Pagefind drops a term an index does not hold), so those are left out.
const CODE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/i;

// One search as the page runs it; the search benchmark calls this too.
window.siteSearch = async (query, options = {}) => {
  const found = await pagefind.search(query ? normalise(query) : null, options);
  if (!query || !CODE.test(query.trim()) || !others.length) return found;
  const code = query.trim().toUpperCase();
  const data = await Promise.all(found.results.map((r) => r.data()));
  return { ...found, results: found.results.filter((_, i) => data[i].content.toUpperCase().includes(code)) };
};

const selects = {};
const totals = await pagefind.filters();
const box = document.getElementById("filter-selects");
FILTERS.filter((name) => totals[name]).forEach((name, i) => {
  const label = document.createElement("label");
  label.htmlFor = "filter-" + i;
  label.textContent = name;
  const select = document.createElement("select");
  select.id = "filter-" + i;
  select.name = name;
  select.add(new Option("全部", ""));
  Object.keys(totals[name]).sort().forEach((value) => select.add(new Option(value, value)));
  select.addEventListener("change", () => run({ push: true }));
  box.append(label, select);
  selects[name] = select;
});
panel.hidden = false;
// Filters fold behind their summary on narrow screens; open on wide ones.
panel.open = window.matchMedia("(min-width: 48rem)").matches;

// Each option shows how many results it would give: for the current search, else for the whole index.
function showCounts(counts) {
  for (const [name, select] of Object.entries(selects)) {
    for (const option of select.options) {
      if (!option.value) continue;
      const n = (counts[name] || {})[option.value] || 0;
      option.textContent = `${option.value}（${n}）`;
    }
  }
  const chosen = Object.values(selects).filter((s) => s.value).length;
  document.getElementById("filters-summary").textContent = chosen ? `筛选与排序（已选 ${chosen} 项）` : "筛选与排序";
}
showCounts(totals);

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

function item(data) {
  const li = document.createElement("li");
  li.append(link(data.url, data.meta.title || data.url));
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = [data.meta.kind, data.meta.subject, data.meta.date].filter(Boolean).join(" · ");
  li.append(meta);
  return li;
}

// The search the form describes, and the URL that restores it.
function wanted() {
  const query = input.value.trim();
  const filters = {};
  for (const [name, select] of Object.entries(selects)) if (select.value) filters[name] = select.value;
  return { query, filters, sort: sortSelect.value };
}

function address({ query, filters, sort }) {
  const url = new URL(window.location.href);
  url.search = new URLSearchParams({ ...(query ? { q: query } : {}), ...filters, ...(sort ? { sort } : {}) });
  return url;
}

function restore() {
  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  sortSelect.value = params.get("sort") || "";
  for (const [name, select] of Object.entries(selects)) select.value = params.get(name) || "";
}

let current = 0;
let shown = [];
let all = [];

async function showMore() {
  const ticket = current;
  const next = await Promise.all(all.slice(shown.length, shown.length + PAGE).map((r) => r.data()));
  if (ticket !== current) return;
  shown = shown.concat(next);
  list.append(...next.map(item));
  more.hidden = shown.length >= all.length;
  more.textContent = `加载更多（已显示 ${shown.length} / ${all.length} 条）`;
}

async function run({ push = false } = {}) {
  const search = wanted();
  const url = address(search);
  if (url.href !== window.location.href) history[push ? "pushState" : "replaceState"](null, "", url);
  const ticket = ++current;
  shown = [];
  all = [];
  list.replaceChildren();
  more.hidden = true;
  status.textContent = "正在搜索…";
  if (!search.query && !Object.keys(search.filters).length) {
    status.textContent = "";
    showCounts(totals);
    return;
  }
  const options = { filters: search.filters };
  if (search.sort) options.sort = { date: "desc" };
  const found = await window.siteSearch(search.query, options);
  if (ticket !== current) return;
  all = found.results;
  showCounts(found.filters || totals);
  await showMore();
  if (ticket !== current) return;
  status.textContent = all.length ? `找到 ${all.length} 条结果` : "没有找到相关结果";
}

let timer;
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => run(), 250); });
form.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); run({ push: true }); });
sortSelect.addEventListener("change", () => run({ push: true }));
more.addEventListener("click", () => showMore());
window.addEventListener("popstate", () => { restore(); run(); });
restore();
if (input.value || Object.values(selects).some((s) => s.value)) run();
