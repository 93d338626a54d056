// Search page: Pagefind's JavaScript API with filters and a date sort, results rendered as plain links.
// Runs as a module from the site itself (no inline script), so the page's Content-Security-Policy holds.
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const sortSelect = document.getElementById("sort");
const FILTERS = ["类别", "主体类型", "地区", "机关", "年份"];
const PAGE = 10;

const pagefind = await import(form.dataset.bundle + "pagefind.js");
await pagefind.options({ excerptLength: 30 });
await pagefind.init();

// The * of a masked name (张*丰) is indexed as 某, as site_builder/search_terms.py does.
const normalise = (query) => query.replace(/[*＊]/g, "某").trim();

// One search as the page runs it; the search benchmark calls this too.
window.siteSearch = (query, options = {}) => pagefind.search(query ? normalise(query) : null, options);

const params = new URLSearchParams(window.location.search);
const selects = {};
const available = await pagefind.filters();
const box = document.getElementById("filter-selects");
FILTERS.filter((name) => available[name]).forEach((name, i) => {
  const label = document.createElement("label");
  label.htmlFor = "filter-" + i;
  label.textContent = name;
  const select = document.createElement("select");
  select.id = "filter-" + i;
  select.name = name;
  select.add(new Option("全部", ""));
  Object.keys(available[name]).sort().forEach((value) => select.add(new Option(value, value)));
  select.value = params.get(name) || "";
  select.addEventListener("change", run);
  box.append(label, select);
  selects[name] = select;
});
document.getElementById("filters").hidden = false;

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

let current = 0;
async function run(event) {
  if (event) event.preventDefault();
  const query = input.value.trim();
  const filters = {};
  for (const [name, select] of Object.entries(selects)) if (select.value) filters[name] = select.value;
  const url = new URL(window.location.href);
  url.search = new URLSearchParams({ q: query, ...filters, ...(sortSelect.value ? { sort: sortSelect.value } : {}) });
  history.replaceState(null, "", url);
  const ticket = ++current;
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  const options = { filters };
  if (sortSelect.value) options.sort = { date: "desc" };
  const search = await window.siteSearch(query, options);
  const results = await Promise.all(search.results.slice(0, PAGE).map((r) => r.data()));
  if (ticket !== current) return;
  status.textContent = search.results.length ? `找到 ${search.results.length} 条结果` : "没有找到相关结果";
  list.replaceChildren(...results.map((data) => {
    const li = document.createElement("li");
    li.append(link(data.url, data.meta.title || data.url));
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [data.meta.kind, data.meta.subject, data.meta.date].filter(Boolean).join(" · ");
    li.append(meta);
    return li;
  }));
}

let timer;
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
form.addEventListener("submit", run);
sortSelect.addEventListener("change", run);
input.value = params.get("q") || "";
sortSelect.value = params.get("sort") || "";
if (input.value || Object.values(selects).some((s) => s.value)) run();
