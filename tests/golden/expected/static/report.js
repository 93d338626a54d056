// The printed credit report's header: the as-of date, the report number (build id and code) and the
// manifest hash of the build this page belongs to, read from the site's chain.json (its last entry).
const header = document.querySelector(".report-header");
if (header) {
  try {
    const response = await fetch(header.dataset.chain);
    const chain = response.ok ? await response.json() : [];
    const head = Array.isArray(chain) && chain.length ? chain[chain.length - 1] : null;
    if (head) {
      const set = (name, text) => { header.querySelector(`[data-report="${name}"]`).textContent = text; };
      set("as_of", head.as_of);
      set("number", `${head.build_id}-${header.dataset.code}`);
      set("manifest", head.manifest_sha256);
    }
  } catch (error) {
    // Offline or no chain.json: the header keeps its pointers to the home page and chain.json.
  }
}
