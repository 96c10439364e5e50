// Benchmark, not a test: the bytes a visitor downloads for a first search on the help center,
// kbgen's search page against Pagefind's search API over the very same built HTML.
//
//   node kbgen/bench/first_search.js SITE_DIR BASE_PATH QUERY...
//
// SITE_DIR is a kbgen output that `pagefind --site SITE_DIR --output-subdir _pagefind` has also
// indexed (first_search.sh does both). Each query runs in a fresh browser context (empty cache):
// kbgen's `/<lang>/search/?q=` page until the network is idle (engine, index, the shards and
// passage files it needs), and a page that calls Pagefind's API the way its default UI does
// (search, then the data of the first 5 results). Counted: every response except the page's own
// HTML, CSS, favicon and the widget's loader (on every page, not search); each body at
// min(raw, gzip -9) — what any host that compresses sends; Pagefind's index files are already
// gzipped and count as they are.
"use strict";
const http = require("http");
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { chromium } = require("playwright-core");

const [siteArg, lang, ...queries] = process.argv.slice(2);
const site = siteArg && path.resolve(siteArg);
if (!siteArg || !lang || !queries.length) {
  console.error("usage: node first_search.js SITE_DIR LANG QUERY...");
  process.exit(2);
}
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml" };

// A plain static server: no compression, so the bodies Chromium sees are the files themselves.
const server = http.createServer((req, res) => {
  let p = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (p === "/_pf.html") {
    res.writeHead(200, { "content-type": "text/html" });
    return res.end(`<!doctype html><html lang="${lang}"><meta charset=utf-8><title>pf</title><script type=module>
      const pf = await import("/_pagefind/pagefind.js");
      await pf.options({});
      const s = await pf.search(new URLSearchParams(location.search).get("q"));
      const top = await Promise.all(s.results.slice(0, 5).map((r) => r.data()));
      window.done = { results: s.results.length, top: top.map((d) => d.url) };
    </script>`);
  }
  let file = path.join(site, p);
  if (!file.startsWith(site)) return res.writeHead(403).end();
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  fs.readFile(file, (err, body) => {
    if (err) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    res.end(body);
  });
});

const counted = (url) => {
  const p = new URL(url).pathname;
  return !(/\.css$/.test(p) || p.endsWith("/") || p.endsWith(".html") || /favicon/.test(p) ||
    p.endsWith("/solodesk.js"));
};

async function measure(browser, url, ready, found) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bodies = [];
  page.on("response", async (r) => {
    if (!counted(r.url())) return;
    try {
      const b = await r.body();
      bodies.push({ url: new URL(r.url()).pathname, raw: b.length,
        sent: Math.min(b.length, zlib.gzipSync(b, { level: 9 }).length) });
    } catch (_) {}
  });
  await page.goto(url);
  await ready(page);
  await page.waitForLoadState("networkidle");
  await new Promise((r) => setTimeout(r, 300));
  bodies.results = await page.evaluate(found);
  await context.close();
  return bodies;
}

(async () => {
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const sum = (bs) => bs.reduce((a, b) => a + b.sent, 0);
  const kb = (n) => (n / 1024).toFixed(1).padStart(7) + " KB";
  console.log("query                  kbgen: bytes (files) results   pagefind: bytes (files) results   ratio");
  for (const q of queries) {
    const ours = await measure(browser, `${base}/${lang}/search/?q=${encodeURIComponent(q)}`, (p) =>
      p.waitForFunction(() => ["results", "none", "failed"].includes(document.getElementById("search-app").dataset.state),
        null, { timeout: 30000 }),
      () => document.querySelectorAll("#search-results > li").length);
    const theirs = await measure(browser, `${base}/_pf.html?q=${encodeURIComponent(q)}`, (p) =>
      p.waitForFunction(() => window.done, null, { timeout: 30000 }), () => window.done.results);
    const col = (bs) => `${kb(sum(bs))} (${String(bs.length).padStart(3)}) ${String(bs.results).padStart(5)}`;
    console.log(`${q.padEnd(22)} ${col(ours)}        ${col(theirs)}        ${(sum(ours) / sum(theirs)).toFixed(2)}`);
    if (process.env.VERBOSE) for (const b of [...ours, ...theirs]) console.log("   ", b.sent, b.url);
  }
  await browser.close();
  server.close();
})().catch((e) => { console.error(e); process.exit(1); });
