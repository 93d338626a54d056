// Starts Pagefind's UI on the search page and runs the query given in ?q=.
window.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("search");
  var ui = new PagefindUI({ element: "#search", bundlePath: el.dataset.bundle, showSubResults: false, showImages: false,
    translations: { placeholder: "企业名称、统一社会信用代码或文书号", zero_results: "没有找到与 [SEARCH_TERM] 相关的结果" } });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { ui.triggerSearch(q); }
});
