// Solodesk loader: draws the launcher in a Shadow DOM; fetches the widget only when it is opened.
(() => {
  const script = document.currentScript;
  if (!script || window.Solodesk) return;
  const base = new URL(".", script.src).href;
  const host = document.createElement("div");
  host.id = "solodesk";
  const shadow = host.attachShadow({ mode: "open" });
  const launcher = document.createElement("button");
  launcher.className = "sd-launcher";
  launcher.setAttribute("aria-label", "Open support");
  launcher.textContent = "?";
  const root = document.createElement("div");
  root.className = "sd-root";
  shadow.append(launcher, root);
  let loading = null;
  const load = () =>
    loading ||
    (loading = import(base + "widget-c3251ba405.js").then(async (m) => {
      await m.default({ module_or_path: base + "widget-0e20155c18.wasm" });
      m.mount(root);
    }));
  launcher.addEventListener("click", () => { load(); });
  window.Solodesk = { open: load };
  (document.body || document.documentElement).append(host);
})();
