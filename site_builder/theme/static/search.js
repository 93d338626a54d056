// Search page: Pagefind's JavaScript API with filters and a date sort, results rendered as plain links.
// Runs as a module from the site itself (no inline script), so the page's Content-Security-Policy holds.
// Every result is reachable ("加载更多" adds the next page of results until the last); the query, the
// filters and the sort live in the URL (a search can be shared, and the back button returns to the
// previous search); result links carry the site's base path (a site served from a sub-path).
// A 统一社会信用代码 or document number typed whole is looked up first in the exact lookup (search/lookup/).
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("more");
// No sort where no indexed page has a date (a province's index of subject pages only): the page leaves it out.
const sortSelect = document.getElementById("sort");
const panel = document.getElementById("filters");
const summary = document.getElementById("filters-summary");
const SUMMARY = summary.textContent;
const FILTERS = ["类别", "主体类型", "地区", "机关", "年份"];
const PAGE = 10;

const base = form.dataset.base || "/";
let pagefind;
try {
  pagefind = await import(form.dataset.bundle + "pagefind.js");
} catch (error) {
  // No index: nothing is public on the site's date (the build writes no bundle then), or the index failed to load.
  status.textContent = "暂无可检索的公示信息。";
  throw error;
}
await pagefind.options({ excerptLength: 30, baseUrl: base });
// A large site's index comes in several bundles (pagefind/bundles.json lists all but the first): merged here, all
// at once (Pagefind adds each bundle's index in the order asked, then loads them side by side; one after another,
// a phone waited one round trip per bundle: 3.9 s against 2.8 s for five bundles on a throttled 4G connection).
const others = await fetch(form.dataset.bundle + "bundles.json").then((r) => (r.ok ? r.json() : [])).catch(() => []);
await Promise.all(others.map((path) => pagefind.mergeIndex(base + path, { baseUrl: base })));
await pagefind.init();

// The * of a masked name (张*丰) is indexed as 某, as site_builder/search_terms.py does.
const normalise = (query) => query.replace(/[*＊]/g, "某").trim();

// Pagefind splits a Chinese query into words (the browser's Intl.Segmenter) and finds only the pages that hold every
// word. A long word such as 有限公司 that its own segmenter kept whole on a few pages (宁波明达(控股)有限公司) but split
// on all others (有限 + 公司) then finds those few alone: one such name hid every other company searched by its full
// name. The index holds every overlapping pair of characters of each name and heading (search_terms.py), so a run of
// three or more Chinese characters is also searched as its pairs (杭州建材 → 杭州 州建 建材), which finds each page whose
// name holds the run whatever the segmenters did; the query as typed still finds what only the page's text holds.
const HAN_RUN = /[\u3400-\u9fff]{3,}/g;
const pairs = (query) => query.replace(HAN_RUN, (run) => Array.from(run.slice(1), (c, i) => run[i] + c).join(" "));

// The results of a query searched both ways: the pages found by the pairs first, then those only the query as typed
// found. A filter value's count is the larger of the two searches' counts (exact when one set holds the other, as for
// a name; never more than the results). Sorted by date, the two lists cannot be joined in order without every
// result's data: the pairs' results then, or the query's as typed if the pairs find nothing.
async function bothWays(term, options) {
  const paired = pairs(term);
  if (paired === term) return pagefind.search(term, options);
  const [byPairs, asTyped] = await Promise.all([pagefind.search(paired, options), pagefind.search(term, options)]);
  if (options.sort) return byPairs.results.length ? byPairs : asTyped;
  const seen = new Set(byPairs.results.map((r) => r.id));
  const filters = structuredClone(byPairs.filters || {});
  for (const [name, values] of Object.entries(asTyped.filters || {})) {
    for (const [v, n] of Object.entries(values)) (filters[name] ||= {})[v] = Math.max(filters[name][v] || 0, n);
  }
  return { ...byPairs, results: [...byPairs.results, ...asTyped.results.filter((r) => !seen.has(r.id))], filters };
}

// Among the first results, a page whose title holds the whole query (阿里巴巴（中国）有限公司 for that query, in either
// bracket width) comes before one that holds only its parts (阿里巴巴(中国)网络技术有限公司), each group in Pagefind's order.
const RANKED = 20;
async function wholeFirst(query, found) {
  const key = canonical(query);
  const head = found.results.slice(0, RANKED);
  const titles = await Promise.all(head.map(async (r) => canonical((await r.data()).meta.title || "")));
  const whole = head.filter((_, i) => titles[i].includes(key));
  if (!whole.length || whole.length === head.length) return found;
  return { ...found, results: [...whole, ...head.filter((_, i) => !titles[i].includes(key)), ...found.results.slice(RANKED)] };
}

// A whole 统一社会信用代码 finds the pages that show it. With several bundles, one that lacks the code would answer
// with every page matching part of it (Pagefind matches what it can of a word its index does not hold: hundreds or
// thousands of pages on a province's site, whose data the page would have to fetch, one request each, to leave them
// out; with twenty bundles Chromium refused the requests). So the code is searched as one exact term (Pagefind's
// quotes): a bundle without it answers nothing, and only the pages that show it come back.
const CODE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/i;

// The exact lookup (site_builder/outputs/search_lookup.py): the key of a code or document number (NFKC, upper
// case, no spaces, brackets as ASCII parentheses), its shard by the FNV-1a hash of the key, and the site paths
// of the pages that show it. The key and the shard are computed here exactly as the build computes them.
const LOOKUP = base + "search/lookup/";
const lookup = await fetch(LOOKUP + "index.json").then((r) => (r.ok ? r.json() : null)).catch(() => null);
const SPACES = /[ \t\n\r\f\v\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+/g;
const canonical = (text) => text.normalize("NFKC").toUpperCase().replace(SPACES, "")
  .replace(/[〔【〖［[（(]/g, "(").replace(/[〕】〗］\]）)]/g, ")");
function shardOf(key, digits) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return (hash % 16 ** digits).toString(16).padStart(digits, "0");
}
const shards = new Map();
async function exact(query) {
  const key = canonical(query);
  if (!lookup || !/[0-9]/.test(key)) return [];
  const name = shardOf(key, lookup.digits);
  if (!shards.has(name)) shards.set(name, fetch(LOOKUP + name + ".json").then((r) => (r.ok ? r.json() : {})).catch(() => ({})));
  return (await shards.get(name))[key] || [];
}

// A page the lookup names, described as Pagefind describes a result: its URL and the meta, filter and sort values
// of its data-pagefind-* attributes (those the index holds for an indexed page), read from the page itself.
const FIELD = /^([^[]+)(?:\[([^\]]+)\])?$/;
function value(element, spec) {
  const [, name, attribute] = spec.match(FIELD) || [null, spec, null];
  return [name.trim(), attribute ? element.getAttribute(attribute) || "" : element.textContent.trim()];
}
async function pageData(path) {
  const url = base + path;
  const html = await fetch(url).then((r) => (r.ok ? r.text() : "")).catch(() => "");
  const page = new DOMParser().parseFromString(html, "text/html");
  const data = { url, meta: {}, filters: {}, sort: {}, excerpt: "", content: "" };
  for (const element of page.querySelectorAll("[data-pagefind-meta]")) {
    const [name, text] = value(element, element.dataset.pagefindMeta);
    data.meta[name] = text;
  }
  for (const element of page.querySelectorAll("[data-pagefind-filter]")) {
    const [name, text] = value(element, element.dataset.pagefindFilter);
    (data.filters[name] ||= []).push(text);
  }
  for (const element of page.querySelectorAll("[data-pagefind-sort]")) {
    const [name, text] = value(element, element.dataset.pagefindSort);
    data.sort[name] = text;
  }
  return data;
}
const chosen = (data, filters) => Object.entries(filters).every(([name, wanted]) => (data.filters[name] || []).includes(wanted));

// Filter counts of a list of results' data, as Pagefind gives them for a search.
function countsOf(all) {
  const counts = {};
  for (const data of all) {
    for (const [name, values] of Object.entries(data.filters || {})) {
      const byValue = (counts[name] ||= {});
      for (const v of values) byValue[v] = (byValue[v] || 0) + 1;
    }
  }
  return counts;
}

// One search as the page runs it; the search benchmark calls this too. A code or document number the lookup holds
// is answered by the pages that show it: the lookup's (filtered and sorted as asked), then, for a code, the other
// pages Pagefind finds that show the whole code.
window.siteSearch = async (query, options = {}) => {
  const text = query ? query.trim() : "";
  const code = CODE.test(text) ? text.toUpperCase() : "";
  const term = code && others.length ? `"${code}"` : text ? normalise(text) : null;
  const [searched, paths] = await Promise.all([term && !code ? bothWays(term, options) : pagefind.search(term, options),
    text ? exact(text) : []]);
  const found = term && !code && !options.sort ? await wholeFirst(term, searched) : searched;
  if (!paths.length && (!code || !others.length)) return found;
  const urls = new Set(paths.map((path) => base + path));
  const kept = [];
  const keptData = [];
  if (code) {
    const data = await Promise.all(found.results.map((r) => r.data()));
    found.results.forEach((result, i) => {
      if (!data[i].content.toUpperCase().includes(code) || urls.has(data[i].url)) return;
      kept.push(result);
      keptData.push(data[i]);
    });
  }
  if (!paths.length) return { ...found, results: kept };
  const pages = (await Promise.all(paths.map(pageData))).filter((d) => chosen(d, options.filters || {}));
  if (options.sort) pages.sort((a, b) => (b.sort.date || "").localeCompare(a.sort.date || ""));
  const results = [...pages.map((d) => ({ id: d.url, score: 1, words: [], data: async () => d })), ...kept];
  return { ...found, results, filters: countsOf([...pages, ...keptData]) };
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
  const picked = Object.values(selects).filter((s) => s.value).length;
  summary.textContent = picked ? `${SUMMARY}（已选 ${picked} 项）` : SUMMARY;
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
  return { query, filters, sort: sortSelect ? sortSelect.value : "" };
}

function address({ query, filters, sort }) {
  const url = new URL(window.location.href);
  url.search = new URLSearchParams({ ...(query ? { q: query } : {}), ...filters, ...(sort ? { sort } : {}) });
  return url;
}

function restore() {
  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  if (sortSelect) sortSelect.value = params.get("sort") || "";
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
if (sortSelect) sortSelect.addEventListener("change", () => run({ push: true }));
more.addEventListener("click", () => showMore());
window.addEventListener("popstate", () => { restore(); run(); });
restore();
if (input.value || Object.values(selects).some((s) => s.value)) run();
