// Solodesk loader: the only script that runs on every page of the owner's site.
// It draws the launcher inside a Shadow DOM (so the host page's CSS cannot reach in and ours cannot
// leak out) and fetches the widget, its stylesheet, widget-config.json and index.bin only when the
// visitor shows intent (hover, focus, click) or, with data-prefetch="idle", when the browser is idle.
// It also owns what must work without the WebAssembly panel: the dialog, focus trap, Esc and an
// email fallback. No inline styles or scripts: strict CSP pages stay happy. One global: Solodesk.
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
  // Launcher label and the message shown when the panel itself cannot load.
  const text = {
    en: ["Help", "The help panel could not load. Please email us:"],
    zh: ["帮助", "帮助面板无法加载。请给我们发邮件："],
    ar: ["مساعدة", "تعذر تحميل لوحة المساعدة. يرجى مراسلتنا على:"],
  }[lang];
  const el = (tag, cls, parent) => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
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
        "font:600 15px/1 system-ui,sans-serif;cursor:pointer;background:var(--sd-brand,#1f4fd1);color:var(--sd-on-brand,#fff);" +
        "box-shadow:0 4px 14px rgba(0,0,0,.25)}.sd-launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
        ".sd-launcher svg{width:20px;height:20px;fill:currentColor}[hidden]{display:none!important}"
    );
    shadow.adoptedStyleSheets = [sheet];
  }
  const launcher = el("button", "sd-launcher", shadow);
  launcher.type = "button";
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.setAttribute("aria-expanded", "false");
  launcher.innerHTML =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm7 11v2h2v-2zm1-9a3.5 3.5 0 0 0-3.5 3.5h2a1.5 1.5 0 1 1 2.3 1.3c-.9.5-1.8 1.2-1.8 2.7h2c0-.6.3-.9 1-1.4A3.5 3.5 0 0 0 12 5z"/></svg>';
  el("span", "", launcher).textContent = data.label || text[0];
  const dialog = el("div", "sd-dialog", shadow);
  dialog.hidden = true;
  dialog.tabIndex = -1;
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  dialog.setAttribute("aria-label", data.label || text[0]);
  dialog.setAttribute("aria-busy", "true");
  const root = el("div", "sd-root", dialog);

  let conf = { ...data };
  const theme = () => {
    host.dataset.pos = conf.position === "left" ? "left" : "right";
    const c = conf.color;
    if (!c) return;
    host.style.setProperty("--sd-brand", c); // CSSOM, not a style attribute: allowed under CSP.
    // Dark text on light brand colours keeps the launcher's label at AA contrast.
    const m = /^#([0-9a-f]{6})$/i.exec(c);
    if (m) {
      const v = parseInt(m[1], 16);
      const lum = [v >> 16, (v >> 8) & 255, v & 255].map((x) => ((x /= 255) <= 0.04 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
      if (0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2] > 0.18) host.style.setProperty("--sd-on-brand", "#111");
    }
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
        (e) => "index.bin: " + e.message
      );
      const mod = settle(import(dir + "__WIDGET_JS__").then((m) => m.default({ module_or_path: dir + "__WIDGET_WASM__" }).then(() => m)));
      const [c, bytes, m] = await Promise.all([cfg, index, mod, css]);
      conf = { ...(c || {}), ...data };
      theme();
      dialog.removeAttribute("aria-busy");
      try {
        widget = m.mount(root, { ...conf, base, page: location.href, pageLang: htmlLang, languages: navigator.languages }, bytes, (ev, detail) =>
          ev === "close" ? api.close() : emit(ev, detail)
        );
      } catch (e) {
        // The WebAssembly could not load or start: the email address still gets the visitor through.
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
      // Keep focus inside the modal dialog.
      const f = focusables();
      const first = f[0];
      const last = f[f.length - 1];
      const active = shadow.activeElement;
      if (!first) e.preventDefault();
      else if (e.shiftKey && (active === first || active === dialog)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && active === last) {
        e.preventDefault();
        first.focus();
      }
    }
  });

  const api = {
    open() {
      if (!dialog.hidden || !host.isConnected) return;
      dialog.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      dialog.focus();
      emit("open");
      return load().then(focusFirst);
    },
    close() {
      if (dialog.hidden) return;
      dialog.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
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
