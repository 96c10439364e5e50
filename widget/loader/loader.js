// Solodesk loader, on every page so ≤ 3 KB gzip; its role is documented in widget/src/lib.rs.
(() => {
  const script = document.currentScript;
  if (!script || window.Solodesk) return;
  const doc = document;
  const data = script.dataset;
  const dir = new URL(".", script.src).href; // <help center>/widget/
  const base = data.base || new URL("..", dir).href;
  const htmlLang = doc.documentElement.lang;
  const langs = [data.lang, htmlLang, ...(navigator.languages || [])];
  const lang = (langs.find((l) => /^(en|zh|ar)/i.test(l || "")) || "en").slice(0, 2).toLowerCase();
  const text = {
    en: ["Help", "Help could not load. Please email us:"],
    zh: ["帮助", "帮助无法加载，请发邮件给我们："],
    ar: ["مساعدة", "تعذر التحميل. راسلنا على:"],
  }[lang];
  const el = (tag, cls, parent, attrs) => {
    const e = doc.createElement(tag);
    e.className = cls || "";
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.append(e);
    return e;
  };
  const host = el("solodesk-widget");
  const shadow = host.attachShadow({ mode: "open" });
  if (shadow.adoptedStyleSheets) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      ":host{all:initial;position:fixed;z-index:2147483000;bottom:20px;right:20px;font:15px/1.4 system-ui,sans-serif}" +
        ":host([data-pos=left]){right:auto;left:20px}" +
        ".sd-launcher{display:flex;align-items:center;gap:8px;border:0;border-radius:24px;padding:12px 18px;" +
        "font:inherit;font-weight:600;line-height:1;cursor:pointer;background:var(--sd-brand,#1f4fd1);color:var(--sd-on-brand,#fff);" +
        "box-shadow:0 4px 14px #0004}.sd-launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
        "[hidden]{display:none!important}"
    );
    shadow.adoptedStyleSheets = [sheet];
  }
  const launcher = el("button", "sd-launcher", shadow, { type: "button", "aria-haspopup": "dialog", "aria-expanded": false });
  launcher.innerHTML = '<svg width="20" height="20" fill="currentColor" viewBox="0 0 24 24" aria-hidden="true"><path d="M3 4h18v13H9l-6 4z"/></svg>';
  el("span", "", launcher).textContent = data.label || text[0];
  const dialog = el("div", "sd-dialog", shadow, {
    hidden: "",
    tabindex: -1,
    role: "dialog",
    "aria-modal": true,
    "aria-label": data.label || text[0],
    "aria-busy": true,
  });
  const root = el("div", "sd-root", dialog);

  let conf = { ...data };
  const theme = () => {
    host.dataset.pos = conf.position === "left" ? "left" : "right";
    const c = conf.color;
    if (!c) return;
    // CSSOM passes strict CSP; dark text on light brands keeps AA contrast.
    host.style.setProperty("--sd-brand", c);
    const v = /^#[0-9a-f]{6}$/i.test(c) && parseInt(c.slice(1), 16);
    const l = (x) => ((x & 255) / 255) ** 2.2;
    if (v) host.style.setProperty("--sd-on-brand", 0.2126 * l(v >> 16) + 0.7152 * l(v >> 8) + 0.0722 * l(v) > 0.18 ? "#111" : "#fff");
  };
  theme();

  const listeners = {};
  const emit = (event, detail) => {
    for (const cb of listeners[event] || []) {
      try {
        cb(detail || {});
      } catch (e) {} // An owner's callback must not break the widget.
    }
  };
  let widget = null;
  let loading = null;
  const settle = (p) => p.then((r) => r, () => null);
  const load = () =>
    loading ||
    (loading = (async () => {
      const link = el("link", "", shadow);
      link.rel = "stylesheet";
      link.href = dir + "__WIDGET_CSS__";
      const css = new Promise((r) => (link.onload = link.onerror = r));
      const cfg = settle(fetch(base + "widget-config.json").then((r) => (r.ok ? r.json() : null)));
      const index = fetch(base + "index.bin").then(
        (r) => (r.ok ? r.arrayBuffer().then((b) => new Uint8Array(b)) : "index.bin: HTTP " + r.status),
        (e) => "index.bin: " + e
      );
      // The wasm is fetched and compiled while the glue that instantiates it loads, not after;
      // without compileStreaming the glue gets the response, and when a server does not say
      // application/wasm, a second one for its slower fallback.
      const wasm = dir + "__WIDGET_WASM__";
      const code = fetch(wasm).then(WebAssembly.compileStreaming).catch(() => fetch(wasm));
      const mod = settle(import(dir + "__WIDGET_JS__").then((m) => m.default({ module_or_path: code }).then(() => m)));
      // The panel mounts without the index, the biggest file on a real knowledge base: the
      // visitor can type (and ask, answered on arrival) and reach "Contact us" meanwhile.
      const [c, m] = await Promise.all([cfg, mod, css]);
      conf = { ...(c || {}), ...data };
      theme();
      dialog.removeAttribute("aria-busy");
      try {
        widget = m.mount(root, { ...conf, base, page: location.href, pageLang: htmlLang, languages: navigator.languages }, (ev, detail) =>
          ev === "close" ? api.close() : emit(ev, detail)
        );
        // Reading a large index takes a while: it waits until the panel has been drawn once.
        index.then((b) => requestAnimationFrame(() => setTimeout(() => widget.set_index(b)))).catch(() => {});
      } catch (e) {
        root.textContent = "";
        el("p", "sd-fallback", root).textContent = text[1];
        const a = el("a", "sd-button", root);
        a.href = "mailto:" + encodeURIComponent(conf.email || "") + "?subject=" + encodeURIComponent("[" + (conf.site || location.host) + "]");
        a.textContent = conf.email || "Email";
      }
    })());

  const focusables = () =>
    [...dialog.querySelectorAll("a[href],button,input,textarea,select,[tabindex='0']")].filter((e) => !e.disabled && e.getClientRects().length);
  const focusFirst = () => {
    if (dialog.hidden) return;
    (root.querySelector(".sd-input") || focusables()[0] || dialog).focus();
  };
  dialog.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      api.close();
    } else if (e.key === "Tab") {
      const f = focusables();
      const a = shadow.activeElement;
      const to = !f[0] ? dialog : e.shiftKey ? (a === f[0] || a === dialog) && f[f.length - 1] : a === f[f.length - 1] && f[0];
      if (to) {
        e.preventDefault();
        to.focus();
      }
    }
  });

  const show = (open) => {
    dialog.hidden = !open;
    launcher.setAttribute("aria-expanded", open);
  };
  const api = {
    open() {
      if (!dialog.hidden || !host.isConnected) return;
      show(true);
      dialog.focus();
      emit("open");
      return load().then(focusFirst);
    },
    close() {
      if (dialog.hidden) return;
      show(false);
      launcher.focus();
      emit("close");
    },
    toggle() {
      return dialog.hidden ? api.open() : api.close();
    },
    ask(q) {
      api.open();
      return load().then(() => widget && widget.ask(String(q)));
    },
    prefill(p) {
      p = p || {};
      return load().then(() => widget && widget.prefill(p.name || "", p.email || "", p.message || ""));
    },
    contact(p) {
      api.open();
      return api.prefill(p).then(() => widget && widget.contact());
    },
    on(event, cb) {
      (listeners[event] = listeners[event] || []).push(cb);
      return () => (listeners[event] = listeners[event].filter((x) => x !== cb));
    },
    destroy() {
      if (widget) widget.destroy();
      host.remove();
      delete window.Solodesk;
    },
  };
  launcher.addEventListener("click", api.toggle);
  launcher.addEventListener("pointerenter", load, { once: true });
  launcher.addEventListener("focus", load, { once: true });
  if (data.prefetch === "idle") (window.requestIdleCallback || setTimeout)(load);
  window.Solodesk = api;
  (doc.body || doc.documentElement).append(host);
})();
