// Search page: the query (?q= or the form) goes to the widget, which answers with the same
// WebAssembly engine as everywhere else. Without JavaScript the page lists the categories.
(() => {
  const form = document.querySelector("form.big-search");
  const input = document.getElementById("search-q");
  const ask = (q) => {
    if (!window.Solodesk || !window.Solodesk.ask) return false;
    // Search works: the "needs JavaScript" note goes (see style.css).
    document.documentElement.classList.add("search-ready");
    if (!q) return false;
    window.Solodesk.ask(q);
    return true;
  };
  const q = new URLSearchParams(location.search).get("q");
  if (q && input) input.value = q;
  if (form && input) {
    form.addEventListener("submit", (e) => {
      if (ask(input.value.trim())) {
        e.preventDefault();
        history.replaceState(null, "", "?q=" + encodeURIComponent(input.value.trim()));
      }
    });
  }
  // The widget's loader is an async script: it has run by the time the load event fires.
  if (document.readyState === "complete") ask(q);
  else window.addEventListener("load", () => ask(q));
})();
