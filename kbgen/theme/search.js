// Search page: the widget's engine, built without its panel (see widget/src/search_page.rs),
// searches the index as the visitor types and the results are listed here, with ?q= kept in the
// address so a search can be linked. A site in several languages gives each search page its own
// language's index (data-index, index.<lang>.bin); only when that finds fewer than ENOUGH results
// does the page fetch index.bin (data-index-all, every language) for results in the others,
// which come after the page's own and say their language. Results show their titles at once;
// each article's passages (widget/articles/<lang>/<id>.bin, fetched once per page) then give the
// best section, its link and a snippet. Index and passages text only ever goes in through
// textContent.
// Without JavaScript, or when the engine cannot load, the page lists the categories.
(() => {
  const doc = document;
  const app = doc.getElementById("search-app");
  const form = doc.querySelector("form.big-search");
  const input = doc.getElementById("search-q");
  if (!app || !form || !input) return;
  const d = app.dataset;
  const status = doc.getElementById("search-status");
  const list = doc.getElementById("search-results");
  const none = app.querySelector(".search-none");
  const contact = app.querySelector(".search-contact");
  const lang = doc.documentElement.lang;
  // Search works from here on: the "needs JavaScript" note goes (see style.css).
  doc.documentElement.classList.add("search-ready");

  const el = (tag, cls, parent) => {
    const e = doc.createElement(tag);
    e.className = cls;
    parent.append(e);
    return e;
  };
  const state = (s, text) => {
    app.dataset.state = s;
    status.textContent = text;
  };

  // `ranges` are sorted, non-overlapping UTF-16 offsets, as String.slice takes them.
  const snippet = (p, text, ranges) => {
    let at = 0;
    for (const [a, b] of ranges) {
      if (a > at) p.append(text.slice(at, a));
      el("mark", "", p).textContent = text.slice(a, b);
      at = b;
    }
    if (at < text.length) p.append(text.slice(at));
  };

  const keepInUrl = (q) => {
    const url = new URL(location.href);
    if (q) url.searchParams.set("q", q);
    else url.searchParams.delete("q");
    history.replaceState(history.state, "", url);
  };

  // The "no results" ticket comes from the engine's build (`ticket` in widget/src/search_page.rs),
  // which encodes it with the widget's own mailto code: one ticket format for the product.
  const ticket = (q) => {
    if (contact) contact.href = own.module.ticket(d.email, d.site, q, location.href);
  };

  // Each article's passages, by its URL: one fetch per page; a failure leaves titles alone.
  const fetched = new Map();
  const passages = (url) => {
    if (!fetched.has(url)) {
      // Where kbgen writes them: solodesk_engine::article_file.
      const file = d.base + "widget/articles/" + url.replace(/\/$/, "") + ".bin";
      fetched.set(
        url,
        fetch(file)
          .then((r) => (r.ok ? r.arrayBuffer() : null))
          .then((b) => b && new Uint8Array(b))
          .catch(() => null)
      );
    }
    return fetched.get(url);
  };

  // Results a page lists at most; and how many of its own language's are enough not to fetch
  // every language's index for more: the five or so a visitor sees without scrolling.
  const LIMIT = 20;
  const ENOUGH = 5;

  // One index the page searches: `engine` once loaded, `failed` when it cannot be.
  // A large index comes in shards beside it: a search that needs shards not here yet
  // waits for them and runs again. A shard that cannot be had is searched without.
  const source = (url) => {
    const src = { engine: null, failed: false, loading: null };
    const shards = new Map();
    const lost = new Set();
    const shard = (file) => {
      if (!shards.has(file)) {
        shards.set(
          file,
          fetch(new URL(file, new URL(url, location.href)).href)
            .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(r.status)))
            .then((b) => src.engine.addShard(new Uint8Array(b)))
            .catch(() => lost.add(file))
        );
      }
      return shards.get(file);
    };
    src.load = () =>
      (src.loading ||= Promise.all([
        mod,
        fetch(url).then((r) => {
          if (!r.ok) throw new Error(url + ": HTTP " + r.status);
          return r.arrayBuffer();
        }),
      ])
        .then(([m, b]) => {
          src.engine = new m.SearchIndex(new Uint8Array(b));
          src.module = m;
        })
        .catch((e) => {
          src.failed = true;
          console.error("Solodesk search:", e);
        }));
    // The hits with the index they came from, or null while shards they need are on their way.
    src.search = (text) => {
      const hits = src.engine.search(text, lang, LIMIT);
      const missing = src.engine.missingShards().filter((f) => !lost.has(f));
      if (missing.length) {
        Promise.all(missing.map(shard)).then(run);
        return null;
      }
      return hits.map((h) => ({ h, src }));
    };
    return src;
  };

  // Sections and snippets come from each result's passages, fetched only for the results in
  // view or just below it: a first search costs the files of the five or so results a visitor
  // sees, not of all twenty (each file is fetched once). A newer search disconnects the old
  // list's observer, and a list replaced meanwhile is left alone.
  const filler = (text) => {
    const show = ({ h, src }, li, a) =>
      passages(h.url).then((file) => {
        li.classList.remove("search-result-pending");
        if (!li.isConnected) return;
        const [l] = src.engine.locateAll([h.article], [file], text, lang);
        if (!l) return;
        a.href = d.base + l.url;
        if (l.section) el("p", "search-result-section", li).textContent = l.section;
        if (l.snippet) snippet(el("p", "search-result-snippet", li), l.snippet, l.highlights);
      });
    if (!("IntersectionObserver" in window)) return { add: show, disconnect() {} };
    const jobs = new WeakMap();
    const seen = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          if (!e.isIntersecting) continue;
          seen.unobserve(e.target);
          show(...jobs.get(e.target));
        }
      },
      { rootMargin: "0px 0px 300px 0px" }
    );
    return {
      add(hit, li, a) {
        // Holds the room of a result with its section and snippet, so the list does not jump
        // when they arrive and the observer sees the results as they will stand.
        li.classList.add("search-result-pending");
        jobs.set(li, [hit, li, a]);
        seen.observe(li);
      },
      disconnect: () => seen.disconnect(),
    };
  };

  // The engine's own build (no panel), fetched in parallel with the index.
  const mod = import(new URL(d.module, location.href).href).then((m) =>
    m.default({ module_or_path: new URL(d.wasm, location.href).href }).then(() => m)
  );
  const own = source(d.index);
  const every = d.indexAll ? source(d.indexAll) : null;

  let fill = null;
  const run = () => {
    // Leading spaces mean nothing; a trailing one says the last word is finished.
    const text = input.value.trimStart();
    const q = text.trim();
    keepInUrl(q);
    list.textContent = "";
    none.hidden = true;
    if (own.failed) return state("failed", d.failed);
    if (!q) return state("idle", "");
    if (!own.engine) return state("loading", d.searching);
    let hits = own.search(text);
    if (!hits) return state("loading", d.searching);
    // Few of the page's own: the other languages' come after them, from every language's index.
    if (every && hits.length < ENOUGH && !every.failed) {
      if (!every.engine) {
        every.load().then(run);
        return state("loading", d.searching);
      }
      const more = every.search(text);
      if (!more) return state("loading", d.searching);
      hits = hits.concat(more.filter((r) => r.h.lang !== lang).slice(0, LIMIT - hits.length));
    }
    if (fill) fill.disconnect();
    fill = filler(text);
    for (const r of hits) {
      const h = r.h;
      const li = el("li", "search-result", list);
      const title = el("h2", "search-result-title", li);
      const a = el("a", "", title);
      a.href = d.base + h.url;
      a.textContent = h.title;
      // Results in another language than the page's come after its own and say so.
      if (h.lang && h.lang !== lang) {
        li.lang = h.lang;
        el("span", "search-result-lang", title).textContent = h.lang.toUpperCase();
      }
      fill.add(r, li, a);
    }
    if (hits.length) {
      state("results", (hits.length === 1 ? d.resultsOne : d.resultsOther).replace("{n}", hits.length));
    } else {
      ticket(q);
      none.hidden = false;
      state("none", d.noResults.replace("{q}", q));
    }
  };

  let timer = 0;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(run, 80);
  };
  // While an input method composes (pinyin, kana), the box holds Latin letters, not the query.
  input.addEventListener("input", (e) => e.isComposing || soon());
  input.addEventListener("compositionend", soon);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run();
  });

  // Arrow keys walk from the box through the results and back; Tab works as usual.
  const links = () => [...list.querySelectorAll(".search-result-title a")];
  const move = (e, from) => {
    const all = links();
    const i = from === input ? -1 : all.indexOf(from);
    const next = e.key === "ArrowDown" ? all[i + 1] : e.key === "ArrowUp" ? (i <= 0 ? input : all[i - 1]) : null;
    if (next && (from !== input || e.key === "ArrowDown")) {
      e.preventDefault();
      next.focus();
    }
  };
  input.addEventListener("keydown", (e) => move(e, input));
  list.addEventListener("keydown", (e) => e.target.matches("a") && move(e, e.target));

  // No results: the widget's contact form opens with the question as the message; without the
  // widget the link is a plain email to the owner.
  if (contact) {
    contact.addEventListener("click", (e) => {
      if (window.Solodesk && window.Solodesk.contact) {
        e.preventDefault();
        window.Solodesk.contact({ message: input.value.trim() });
      }
    });
  }

  const q = new URLSearchParams(location.search).get("q");
  if (q) input.value = q;
  run();
  own.load().then(run);
})();
