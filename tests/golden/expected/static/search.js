// Search page: Pagefind's JavaScript API with filters and a date sort, results rendered as plain links.
// Runs as a module from the site itself (no inline script), so the page's Content-Security-Policy holds.
// Every result is reachable ("加载更多" adds the next page of results until the last); the query, the
// filters and the sort live in the URL (a search can be shared), each search asked for is an entry of the
// browser's history (the back button returns to the previous search, with as many results shown and the page
// scrolled as it was); result links carry the site's base path (a site served from a sub-path).
// A 统一社会信用代码 or document number typed whole is looked up first in the exact lookup (search/lookup/).
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
// The line that offers the code a mistyped one most likely meant (a site's own search.html may lack it: made here then).
const hint = document.getElementById("search-hint") || status.insertAdjacentElement("afterend", document.createElement("p"));
const list = document.getElementById("search-results");
const more = document.getElementById("more");
// No sort where no indexed page has a date (a province's index of subject pages only): the page leaves it out.
const sortSelect = document.getElementById("sort");
const panel = document.getElementById("filters");
const summary = document.getElementById("filters-summary");
const SUMMARY = summary.textContent;
const FILTERS = ["类别", "主体类型", "地区", "机关", "年份"];
const PAGE = 10;
const LOADING = "正在加载搜索索引…";
const base = form.dataset.base || "/";
const LOOKUP = base + "search/lookup/";

// The form's handlers come first, before anything is loaded: on a slow connection the index takes seconds, and what
// the visitor types or submits meanwhile is kept and searched once the index is ready ("正在加载搜索索引…" until then),
// never erased, never sent as a page load. A search asked for before then waits in `waiting` (the last one asked).
let engine = false;
let waiting = null;
let timer;
let composing = false;
function ask(how) {
  clearTimeout(timer);
  if (engine) return run(how);
  waiting = waiting && waiting.how === "submit" && how === "live" ? waiting : { how };
  status.textContent = LOADING;
}
// Typing searches as the text settles; an input method (pinyin) composing a character is not text yet: its letters
// are searched for no one, the character is, when the composition ends.
const settle = () => { clearTimeout(timer); timer = setTimeout(() => ask("live"), 250); };
input.addEventListener("compositionstart", () => { composing = true; clearTimeout(timer); });
input.addEventListener("compositionend", () => { composing = false; settle(); });
input.addEventListener("input", (event) => { if (!event.isComposing && !composing) settle(); });
form.addEventListener("submit", (event) => { event.preventDefault(); ask("submit"); });
if (sortSelect) sortSelect.addEventListener("change", () => ask("filter"));
more.addEventListener("click", () => showMore().then(remember));
window.addEventListener("popstate", () => { restore(); ask("back"); });
// The back button to this page restores the results shown and the scroll position itself, once the results are there.
if ("scrollRestoration" in history) history.scrollRestoration = "manual";
list.addEventListener("click", (event) => { if (event.target.closest("a")) remember(); });
window.addEventListener("pagehide", () => remember());
hint.addEventListener("click", (event) => {
  const a = event.target.closest("a[data-q]");
  if (!a) return;
  event.preventDefault();
  input.value = a.dataset.q;
  ask("submit");
});

// The filters the URL asks for, kept until the filter menus are built (after the first results: see below). Their
// panel shows at once (it holds the sort), so that the results do not move down when the menus come; folded on narrow
// screens, open on wide ones. Opened before they have come, it asks for them.
let picked = {};
const selects = {};
let totals = null;
panel.hidden = false;
panel.open = window.matchMedia("(min-width: 48rem)").matches;
panel.addEventListener("toggle", () => { if (panel.open && engine) loadFilters(); });

// The search the URL describes. What the visitor typed before this script ran is not replaced by the URL's query: it
// is searched once the index is ready (as typing it would have been).
function restore({ keepTyped = false } = {}) {
  const params = new URLSearchParams(window.location.search);
  const typed = input.value.trim();
  if (!(keepTyped && typed)) input.value = params.get("q") || "";
  if (sortSelect) sortSelect.value = params.get("sort") || "";
  picked = {};
  for (const name of FILTERS) if (params.get(name)) picked[name] = params.get(name);
  for (const [name, select] of Object.entries(selects)) select.value = picked[name] || "";
  return keepTyped && typed && typed !== (params.get("q") || "").trim();
}
const typedEarly = restore({ keepTyped: true });
if (typedEarly) waiting = { how: "live" };
else if (input.value || Object.keys(picked).length) waiting = { how: "load" };
if (waiting) status.textContent = LOADING;

// Loading, everything at once: the search page links pagefind.js, bundles.json and the lookup's index.json as
// preloads, so they come in parallel with this script; the Pagefind worker (its script, the index's entry, metadata and
// WebAssembly) is started as soon as pagefind.js is here, while bundles.json arrives; the filter indexes are loaded
// after the first results (they do not make the first search wait).
const others = fetch(form.dataset.bundle + "bundles.json").then((r) => (r.ok ? r.json() : [])).catch(() => []);
const lookup = fetch(LOOKUP + "index.json").then((r) => (r.ok ? r.json() : null)).catch(() => null);
let pagefind;
const ready = (async () => {
  pagefind = await import(form.dataset.bundle + "pagefind.js");
  await pagefind.options({ excerptLength: 30, baseUrl: base });
  pagefind.init();
  // A large site's index comes in several bundles (pagefind/bundles.json lists all but the first): merged here, all
  // at once (Pagefind adds each bundle's index in the order asked, then loads them side by side; one after another, a
  // phone waited one round trip per bundle: 3.9 s against 2.8 s for five bundles on a throttled 4G connection).
  await Promise.all((await others).map((path) => pagefind.mergeIndex(base + path, { baseUrl: base })));
})();

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

// Pagefind leaves out a word its index does not hold and finds the pages holding the rest: a masked name (宋*, searched
// as 宋某) whose surname no public page holds found every masked person (某). Each character of a masked name but 某 must
// be a word of the index (each name's single characters are: search_terms.py), or the name finds nothing.
async function everyCharacterIndexed(term) {
  const characters = [...new Set(term.match(/[\u3400-\u9fff]/g) || [])].filter((c) => c !== "某");
  const found = await Promise.all(characters.map((c) => pagefind.search(c)));
  return found.every((f) => f.results.length);
}

// A 统一社会信用代码 finds the pages that show it and nothing else. Pagefind matches what it can of a word its index does
// not hold, so a code no page shows (mistyped, an authority's, or a person's ID number, which no page shows whole)
// found dozens of unrelated pages, and with several bundles a bundle without a code answered with every page matching
// part of it (hundreds or thousands on a province's site, whose data the page fetched, one request each, to leave
// them out; with twenty bundles Chromium refused the requests). So a code is searched as one exact term (Pagefind's
// quotes): an index without it answers nothing, and only the pages that show it come back. A query shaped as a code
// (18 letters and digits, separators aside) but holding letters no code has (O for 0) is searched for nothing.
const CODE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
const CODE_SHAPED = /^[0-9A-Z]{18}$/;
const SEPARATORS = /[-_.·/\u2010-\u2015\u2212]/g;
const codeShape = (text) => { const key = canonical(text).replace(SEPARATORS, ""); return CODE_SHAPED.test(key) ? key : ""; };
// The check character of a code's first 17 characters (GB 32100-2015).
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const checkCharacter = (body) => ALPHABET[(31 - [...body].reduce((sum, c, i) => sum + ALPHABET.indexOf(c) * WEIGHTS[i], 0) % 31) % 31];
// For a code-shaped query no page shows: the code it most likely meant, if the lookup holds it (letters no code has
// read as the digits they look like; the check character computed).
async function suggestion(shape) {
  const read = shape.replace(/O/g, "0").replace(/I/g, "1").replace(/Z/g, "2").replace(/S/g, "5").replace(/V/g, "U");
  const candidates = [read];
  if (CODE.test(read.slice(0, 17) + "0")) candidates.push(read.slice(0, 17) + checkCharacter(read.slice(0, 17)));
  for (const candidate of new Set(candidates)) {
    if (candidate !== shape && CODE.test(candidate) && (await exact(candidate)).length) return candidate;
  }
  return "";
}

// The exact lookup (site_builder/outputs/search_lookup.py): the key of a code or document number (NFKC, upper
// case, no spaces, brackets as ASCII parentheses), its shard by the FNV-1a hash of the key, and the site paths
// of the pages that show it. The key and the shard are computed here exactly as the build computes them.
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
  const index = await lookup;
  if (!index || !/[0-9]/.test(key)) return [];
  const name = shardOf(key, index.digits);
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

// The pages the lookup names for a query (filtered and sorted as asked), as results.
async function lookedUp(paths, options) {
  const pages = (await Promise.all(paths.map(pageData))).filter((d) => chosen(d, options.filters || {}));
  if (options.sort) pages.sort((a, b) => (b.sort.date || "").localeCompare(a.sort.date || ""));
  return pages;
}
const asResult = (d) => ({ id: d.url, score: 1, words: [], data: async () => d });

// A code: the pages the lookup names, then the other pages Pagefind finds that show the whole code; for a code no page
// shows, nothing, and the code it most likely meant (`suggestion`).
async function codeSearch(shape, options, text) {
  const nothing = { results: [], filters: {}, unfilteredResultCount: 0 };
  if (!CODE.test(shape)) {  // no code, but maybe a document number of 18 letters and digits that the lookup holds
    const held = await exact(text);
    if (!held.length) return { ...nothing, suggestion: await suggestion(shape) };
    const pages = await lookedUp(held, options);
    return { ...nothing, results: pages.map(asResult), filters: countsOf(pages) };
  }
  const [found, paths] = await Promise.all([pagefind.search(`"${shape}"`, options), exact(shape)]);
  const urls = new Set(paths.map((path) => base + path));
  const data = await Promise.all(found.results.map((r) => r.data()));
  const kept = found.results.filter((_, i) => data[i].content.toUpperCase().includes(shape) && !urls.has(data[i].url));
  const keptData = data.filter((d) => d.content.toUpperCase().includes(shape) && !urls.has(d.url));
  const pages = await lookedUp(paths, options);
  const results = [...pages.map(asResult), ...kept];
  return { ...found, results, filters: countsOf([...pages, ...keptData]), suggestion: results.length ? "" : await suggestion(shape) };
}

// One search as the page runs it; the search benchmark calls this too (it waits for the index to be ready). A code
// (`codeSearch`) finds the pages that show it; a document number the lookup holds, the pages that show it (filtered
// and sorted as asked); anything else is Pagefind's.
window.siteSearch = async (query, options = {}) => {
  await ready;
  const text = query ? query.trim() : "";
  const shape = text ? codeShape(text) : "";
  if (shape) return codeSearch(shape, options, text);
  const term = text ? normalise(text) : null;
  if (term && /[*＊某]/.test(text) && !(await everyCharacterIndexed(term))) return { results: [], filters: {}, unfilteredResultCount: 0 };
  const [searched, paths] = await Promise.all([term ? bothWays(term, options) : pagefind.search(null, options), text ? exact(text) : []]);
  if (paths.length) {
    const pages = await lookedUp(paths, options);
    return { ...searched, results: pages.map(asResult), filters: countsOf(pages) };
  }
  return term && !options.sort ? wholeFirst(term, searched) : searched;
};

// The filter menus, built once the first results are shown (or at once when nothing is searched): Pagefind loads
// every filter's index for them, which need not delay the first search. They join the page with their counts
// (`attach`), never without.
let unattached = [];
async function buildFilters() {
  totals = await pagefind.filters();
  FILTERS.filter((name) => totals[name]).forEach((name, i) => {
    const label = document.createElement("label");
    label.htmlFor = "filter-" + i;
    label.textContent = name;
    const select = document.createElement("select");
    select.id = "filter-" + i;
    select.name = name;
    select.add(new Option("全部", ""));
    Object.keys(totals[name]).sort().forEach((value) => select.add(new Option(value, value)));
    select.value = picked[name] || "";
    select.addEventListener("change", () => ask("filter"));
    unattached.push(label, select);
    selects[name] = select;
  });
}
function attach() {
  document.getElementById("filter-selects").append(...unattached);
  unattached = [];
}
let filtersBuilt = null;
const loadFilters = () => (filtersBuilt ||= buildFilters());

// Each option shows how many results it would give: for the current search, else for the whole index.
function showCounts(counts) {
  for (const [name, select] of Object.entries(selects)) {
    for (const option of select.options) {
      if (!option.value) continue;
      const n = (counts[name] || {})[option.value] || 0;
      option.textContent = `${option.value}（${n}）`;
    }
  }
  const chosenCount = Object.values(selects).filter((s) => s.value).length;
  summary.textContent = chosenCount ? `${SUMMARY}（已选 ${chosenCount} 项）` : SUMMARY;
}

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
  if (filtersBuilt && Object.keys(selects).length) {
    for (const [name, select] of Object.entries(selects)) if (select.value) filters[name] = select.value;
  } else Object.assign(filters, picked);
  return { query, filters, sort: sortSelect ? sortSelect.value : "" };
}

function address({ query, filters, sort }) {
  const url = new URL(window.location.href);
  url.search = new URLSearchParams({ ...(query ? { q: query } : {}), ...filters, ...(sort ? { sort } : {}) });
  return url;
}

// History: each search submitted (Enter, the button, a filter or the sort) is an entry of its own. Typing searches as
// it goes in one entry (`live`), made when typing starts after a submitted search and replaced while it goes on; Enter
// then takes that entry over, a filter or the sort keeps it and adds its own. An entry without a search (the empty
// search page) is taken over too.
function record(how, url) {
  const state = history.state || {};
  const empty = !new URL(window.location.href).search;
  if (how === "back" || how === "load") return;
  const live = how === "live";
  if (url.href === window.location.href) {
    if (!live && state.live) history.replaceState({ ...state, live: false }, "");
    return;
  }
  const take = empty || (state.live && how !== "filter");
  if (!take && state.live) history.replaceState({ ...state, live: false }, "");
  history[take ? "replaceState" : "pushState"]({ live }, "", url);
}

// The number of results shown and the scroll position, kept in the history entry (so that back restores them); a
// search left for one of its results is no longer being typed.
let current = 0;
let shown = [];
let all = [];
function remember() {
  if (!engine) return;
  history.replaceState({ ...(history.state || {}), live: false, shown: shown.length, y: window.scrollY }, "");
}

async function showMore(count = PAGE) {
  const ticket = current;
  const next = await Promise.all(all.slice(shown.length, shown.length + count).map((r) => r.data()));
  if (ticket !== current) return;
  shown = shown.concat(next);
  list.append(...next.map(item));
  more.hidden = shown.length >= all.length;
  more.textContent = `加载更多（已显示 ${shown.length} / ${all.length} 条）`;
}

function suggest(code) {
  hint.replaceChildren();
  hint.hidden = !code;
  if (!code) return;
  const a = link(address({ query: code, filters: {}, sort: "" }).href, code);
  a.dataset.q = code;
  hint.append("您要找的是不是：", a, "？");
}

async function run(how) {
  const search = wanted();
  const url = address(search);
  record(how, url);
  const saved = how === "back" || how === "load" ? history.state || {} : {};
  const ticket = ++current;
  shown = [];
  all = [];
  list.replaceChildren();
  suggest("");
  more.hidden = true;
  status.textContent = "正在搜索…";
  if (!search.query && !Object.keys(search.filters).length) {
    status.textContent = "";
    await loadFilters();
    if (ticket !== current) return;
    showCounts(totals);
    attach();
    return;
  }
  const options = { filters: search.filters };
  if (search.sort) options.sort = { date: "desc" };
  const counted = totals !== null;  // Pagefind counts the values of the filters whose indexes are loaded
  const found = await window.siteSearch(search.query, options);
  if (ticket !== current) return;
  all = found.results;
  await showMore(Math.max(PAGE, saved.shown || 0));
  if (ticket !== current) return;
  status.textContent = all.length ? `找到 ${all.length} 条结果` : "没有找到相关结果";
  suggest(found.suggestion || "");
  // The filter menus after the first results, and their counts for this search once they are there (searched again if
  // the filters' indexes came after the search). Back to this page, the scroll position once they are there too.
  await loadFilters();
  if (ticket !== current) return;
  const counts = counted ? found : await window.siteSearch(search.query, options);
  if (ticket !== current) return;
  showCounts(counts.filters || totals);
  attach();
  if (saved.y) window.scrollTo(0, saved.y);
}

ready.then(() => {
  engine = true;
  const asked = waiting;
  waiting = null;
  run(asked ? asked.how : "load");
}, (error) => {
  // No index: nothing is public on the site's date (the build writes no bundle then), or the index failed to load.
  status.textContent = "暂无可检索的公示信息。";
  panel.hidden = true;
  throw error;
});
