// Solodesk loader, on every page so small (3.3 KB gzip); its role is documented in widget/src/lib.rs.
(() => {
  // Nothing here may throw into the host page: the whole loader runs inside one try, and every
  // promise it makes is settled or caught.
  try {
  const script = document.currentScript;
  const prior = window.Solodesk;
  // A second copy of this loader leaves the first alone; a queue stub (`{q: []}`, or a function
  // that pushes its arguments to its `q`) is replayed once the API exists.
  if (!script || (prior && prior.sd)) return;
  const queued = prior && Array.isArray(prior.q) ? prior.q : [];
  const doc = document;
  const data = script.dataset;
  const dir = new URL(".", script.src).href; // <help center>/widget/
  // Absolute, so links in rule answers and article bodies resolve against the help center
  // and not the owner's page (the help center's own pages say `data-base="/"`).
  const base = new URL(data.base || "..", data.base ? doc.baseURI : dir).href;
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
  // The page may already define `solodesk-widget` (or hold one with a shadow root): a plain
  // element is a host as good.
  let host, shadow;
  try {
    host = el("solodesk-widget");
    shadow = host.attachShadow({ mode: "open" });
  } catch (e) {
    host = el("div", "", null, { "data-solodesk-widget": "" });
    shadow = host.attachShadow({ mode: "open" });
  }
  if (shadow.adoptedStyleSheets) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      // The offsets come as custom properties set by `place`; phones add the safe area under
      // the home indicator, and may have an offset of their own (`data-offset-y-mobile`).
      ":host{all:initial;position:fixed;z-index:2147483000;--sd-b:calc(var(--sd-y,20px) + env(safe-area-inset-bottom,0px));" +
        "bottom:var(--sd-b);right:calc(var(--sd-x,20px) + env(safe-area-inset-right,0px));font:15px/1.4 system-ui,sans-serif}" +
        ":host([data-pos=left]){right:auto;left:calc(var(--sd-x,20px) + env(safe-area-inset-left,0px))}" +
        "@media (max-width:480px){:host{--sd-b:calc(var(--sd-ym,var(--sd-y,20px)) + env(safe-area-inset-bottom,0px))}}" +
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
  // Offsets in px, whole numbers from 0 to 600 (kbgen checks the same range); anything else is
  // ignored and the default (20 px) stays: a typo must not throw the launcher off screen.
  const px = (v) => {
    const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d{1,3}(px)?\s*$/.test(v) ? parseInt(v, 10) : NaN;
    return Number.isInteger(n) && n >= 0 && n <= 600 ? n + "px" : "";
  };
  const theme = () => {
    // `left` and `right` are the sides of the screen, whatever the page's direction; `start`
    // and `end` follow the page's direction (`end` is the right in English, the left in Arabic).
    let pos = String(conf.position || "end");
    if (pos === "start" || pos === "end") pos = (getComputedStyle(doc.documentElement).direction === "rtl") === (pos === "end") ? "left" : "right";
    host.dataset.pos = pos === "left" ? "left" : "right";
    [
      ["--sd-x", conf.offsetX],
      ["--sd-y", conf.offsetY],
      ["--sd-ym", conf.offsetYMobile],
    ].forEach(([k, v]) => (px(v) ? host.style.setProperty(k, px(v)) : host.style.removeProperty(k)));
    const c = conf.color;
    if (!c) return;
    // CSSOM passes strict CSP. Text on the brand colour is black or white, whichever contrasts
    // more: with WCAG's exact sRGB luminance the two meet at 0.179, where both give 4.58:1.
    host.style.setProperty("--sd-brand", c);
    const v = /^#[0-9a-f]{6}$/i.test(c) && parseInt(c.slice(1), 16);
    const l = (x) => ((x = (x & 255) / 255) <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
    if (v) host.style.setProperty("--sd-on-brand", 0.2126 * l(v >> 16) + 0.7152 * l(v >> 8) + 0.0722 * l(v) > 0.179 ? "#000" : "#fff");
  };
  theme();

  // Text from the owner's scripts: strings (or numbers) only, and bounded, before any of it
  // reaches the WebAssembly.
  const str = (v, max) => (typeof v === "string" || typeof v === "number" ? String(v).slice(0, max) : "");
  const listeners = new Map();
  const emit = (event, detail) => {
    for (const cb of listeners.get(event) || []) {
      try {
        cb(detail || {});
      } catch (e) {} // An owner's callback must not break the widget.
    }
  };
  let widget = null;
  let loading = null;
  // What the owner's scripts asked for, for the fallback ticket when the panel cannot load.
  const pending = { question: "", name: "", email: "", message: "" };
  const settle = (p) => p.then((r) => r, () => null);
  // A host page's `fetch` may be missing, throw, or reject: always a promise, never a throw.
  const get = async (url) => fetch(url);
  // The same encoding as widget/src/ticket/mailto.rs: UTF-8, only unreserved characters bare (and `@` in
  // the address), line breaks as CRLF.
  const enc = (s, keep) =>
    encodeURIComponent(s.toWellFormed ? s.toWellFormed() : s)
      .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
      .replace(/%0A/g, "%0D%0A")
      .replace(/%40/g, keep ? "@" : "%40");
  // Control characters never reach the ticket (line breaks and tabs in the body excepted), and
  // bidi controls never reach the subject line.
  const CONTROLS = /[\0-\x08\x0b-\x1f\x7f-\x9f]/g;
  const oneLine = (s) =>
    s
      .replace(/[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g, "")
      .replace(/[\t\n\v\f\r\x85]/g, " ")
      .replace(CONTROLS, "")
      .replace(/\s+/g, " ")
      .trim();
  const fallback = () => {
    root.textContent = "";
    dialog.removeAttribute("aria-busy");
    el("p", "sd-fallback", root).textContent = text[1];
    const a = el("a", "sd-button", root);
    const to = str(conf.email, 320).trim();
    const subject = [...oneLine("[" + str(conf.site || location.host, 200) + "] " + (pending.question || pending.message))].slice(0, 120).join("");
    const tail = ["--", pending.name && "Name: " + oneLine(pending.name), pending.email && "Email: " + oneLine(pending.email), "Page: " + location.href];
    const body = (m) => m.replace(/\r\n?/g, "\n").replace(CONTROLS, "") + "\n\n" + tail.filter((l) => l).join("\n");
    let message = pending.message || pending.question;
    const url = () => "mailto:" + enc(to, 1) + "?subject=" + enc(subject) + "&body=" + enc(body(message));
    // Mail clients cut long links: the message is shortened until the link fits.
    while (url().length > 1800 && message) message = [...message].slice(0, Math.floor([...message].length * 0.9)).join("");
    a.href = url();
    a.textContent = to || "Email";
  };
  const load = () =>
    loading ||
    (loading = (async () => {
      const link = el("link", "", shadow);
      link.rel = "stylesheet";
      link.href = dir + "__WIDGET_CSS__";
      const css = new Promise((r) => (link.onload = link.onerror = r));
      const cfg = settle(get(base + "widget-config.json").then((r) => (r.ok ? r.json() : null)));
      const index = get(base + "index.bin")
        .then((r) => (r.ok ? r.arrayBuffer().then((b) => new Uint8Array(b)) : "index.bin: HTTP " + r.status))
        .catch((e) => "index.bin: " + e);
      // The wasm is fetched and compiled while the glue that instantiates it loads, not after;
      // without compileStreaming the glue gets the response, and when a server does not say
      // application/wasm, a second one for its slower fallback.
      const wasm = dir + "__WIDGET_WASM__";
      const code = get(wasm).then(WebAssembly.compileStreaming).catch(() => get(wasm));
      code.catch(() => {}); // Unused when the glue cannot load: its failure is no one's business.
      const mod = settle(import(dir + "__WIDGET_JS__").then((m) => m.default({ module_or_path: code }).then(() => m)));
      // The panel mounts without the index, the biggest file on a real knowledge base: the
      // visitor can type (and ask, answered on arrival) and reach "Contact us" meanwhile.
      const [c, m] = await Promise.all([cfg, mod, css]);
      conf = { ...(c && typeof c === "object" ? c : {}), ...data };
      theme();
      dialog.removeAttribute("aria-busy");
      // Without the module this throws, and the fallback ticket takes over.
      widget = m.mount(root, { ...conf, base, page: location.href, pageLang: htmlLang, languages: navigator.languages }, (ev, detail) =>
        ev === "close" ? api.close() : emit(ev, detail)
      );
      // Reading a large index takes a while: it waits until the panel has been drawn once.
      index.then((b) =>
        requestAnimationFrame(() =>
          setTimeout(() => {
            try {
              widget.set_index(b);
            } catch (e) {}
          })
        )
      );
    })().catch(() => {
      try {
        fallback();
      } catch (e) {}
    }));

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
  // Every method of the owner's API returns (a promise) and never throws.
  const safe = (f) => (...a) => {
    try {
      return Promise.resolve(f(...a)).catch(() => {});
    } catch (e) {
      return Promise.resolve();
    }
  };
  const field = (p, k, max) => {
    try {
      return str(p && p[k], max);
    } catch (e) {
      return ""; // A getter that throws, a revoked proxy.
    }
  };
  const api = (method, ...args) => call(method, args);
  const call = (method, args) => (METHODS.includes(method) ? api[method](...args) : undefined);
  const METHODS = ["open", "close", "toggle", "ask", "prefill", "contact", "on", "destroy"];
  Object.assign(api, {
    sd: 1,
    open: safe(() => {
      if (!dialog.hidden || !host.isConnected) return;
      show(true);
      dialog.focus();
      emit("open");
      return load().then(focusFirst);
    }),
    close: safe(() => {
      if (dialog.hidden) return;
      show(false);
      launcher.focus();
      emit("close");
    }),
    toggle: safe(() => (dialog.hidden ? api.open() : api.close())),
    ask: safe((q) => {
      // A question is at most 2,000 characters: a pasted page must not block the visitor's tab.
      q = str(q, 2000);
      if (!q.trim()) return;
      pending.question = q;
      api.open();
      return load().then(() => (widget ? widget.ask(q) : fallback()));
    }),
    prefill: safe((p) => {
      const f = [field(p, "name", 200), field(p, "email", 320), field(p, "message", 20000)];
      ["name", "email", "message"].forEach((k, i) => (pending[k] = f[i] || pending[k]));
      // Without the panel, the fallback ticket carries what the owner's script filled in.
      return load().then(() => (widget ? widget.prefill(...f) : fallback()));
    }),
    contact: safe((p) => {
      api.open();
      return api.prefill(p).then(() => widget && widget.contact());
    }),
    on(event, cb) {
      if (typeof cb !== "function") return () => {};
      listeners.set(event, [...(listeners.get(event) || []), cb]);
      return () => listeners.set(event, (listeners.get(event) || []).filter((x) => x !== cb));
    },
    destroy: safe(() => {
      if (widget) widget.destroy();
      widget = null;
      host.remove();
      if (window.Solodesk === api) delete window.Solodesk;
    }),
    // A stub's queue keeps working after the loader took over.
    q: {
      push(args) {
        try {
          return call(args[0], [].slice.call(args, 1));
        } catch (e) {}
      },
    },
  });
  launcher.addEventListener("click", api.toggle);
  launcher.addEventListener("pointerenter", load, { once: true });
  launcher.addEventListener("focus", load, { once: true });
  if (data.prefetch === "idle") (window.requestIdleCallback || setTimeout)(load);
  // Someone else's `window.Solodesk` (not a queue) is theirs: the widget works without it.
  if (!prior || typeof prior === "function" || Array.isArray(prior.q)) window.Solodesk = api;
  (doc.body || doc.documentElement).append(host);
  queued.forEach(api.q.push);
  } catch (e) {}
})();
