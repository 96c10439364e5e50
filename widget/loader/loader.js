// Solodesk loader, on every page so small (5.7 KB gzip, the panel's shell included); its role is
// documented in widget/src/lib.rs and ARCHITECTURE.md.
(() => {
  // Nothing here may throw into the host page: the whole loader runs inside one try, and every
  // promise it makes is settled or caught.
  try {
  // The language's own promises, which `async` functions make whatever a page put in
  // `window.Promise`: the loader's `Promise` is always a working one.
  const Promise = (async () => {})().constructor;
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
  // The words of the launcher, the fallback and the panel's shell, in every language of
  // widget/locales/: `cargo xtask widget` writes here, for each locale file, its texts of these
  // keys in this order (English's where it has none), so `text[i]` is the i-th key's, and for
  // `__RTL_LOCALES__` the list of those written right to left (widget/src/i18n/rtl.rs).
  const locales = __LOCALE_WORDS__("loader_label", "loader_failed", "title", "greeting", "placeholder", "ask", "close", "loading", "contact_us", "you");
  // The language the panel will pick (`pick_lang`, widget/src/i18n.rs): the first whose primary
  // subtag has a locale file (two or three letters, which no property of an object has).
  const primary = (l) => (l || "").split(/[-_]/)[0].trim().toLowerCase();
  const lang = langs.map(primary).find((l) => /^[a-z]{2,3}$/.test(l) && locales[l]) || "en";
  const text = locales[lang];
  const el = (tag, cls, parent, attrs) => {
    const e = doc.createElement(tag);
    e.className = cls || "";
    // Own keys only: a page that added `hidden` or `class` to Object.prototype must not hide or
    // unstyle what the loader draws.
    Object.keys(attrs || {}).forEach((k) => e.setAttribute(k, attrs[k]));
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
      // `!important`, because the page's rules that match the host element (`* {font-size: 20px}`,
      // `div {position: relative}` on the plain element) win over the host's normal ones. The
      // side offset (`--sd-xc`) leaves the launcher's width on screen: 600 px from the side is
      // beside a desktop's content but off a 390 px phone.
      ":host{all:initial!important;position:fixed!important;z-index:2147483000!important;--sd-b:calc(var(--sd-y,20px) + env(safe-area-inset-bottom,0px));" +
        "--sd-xc:min(var(--sd-x,20px),100vw - 160px);" +
        "bottom:var(--sd-b)!important;right:calc(var(--sd-xc) + env(safe-area-inset-right,0px))!important;font:15px/1.4 system-ui,sans-serif!important}" +
        ":host([data-pos=left]){right:auto!important;left:calc(var(--sd-xc) + env(safe-area-inset-left,0px))!important}" +
        "@media (max-width:480px){:host{--sd-b:calc(var(--sd-ym,var(--sd-y,20px)) + env(safe-area-inset-bottom,0px))}}" +
        ".sd-launcher{display:flex;align-items:center;gap:8px;border:0;border-radius:24px;padding:12px 18px;" +
        "font:inherit;font-weight:600;line-height:1;cursor:pointer;background:var(--sd-brand,#1f4fd1);color:var(--sd-on-brand,#fff);" +
        "box-shadow:0 4px 14px #0004}.sd-launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
        "[hidden]{display:none!important}.sd-early[hidden]{display:flex!important;visibility:hidden}" +
        // The panel's shell, drawn at the click while the widget loads: the rules of
        // widget/style/widget.css it uses, with the same values (the shell must not jump when
        // the panel replaces it; tests/tests/widget.rs compares the two).
        ".sd-dialog{--sd-bg:#fff;--sd-fg:#1a1a1a;--sd-muted:#595959;--sd-line:#d6d6d6;--sd-link:#1f4fd1;--sd-accent:var(--sd-brand,#1f4fd1);" +
        "position:absolute;bottom:64px;right:0;width:380px;max-width:calc(100vw - var(--sd-xc,20px) - 20px);height:600px;" +
        "max-height:calc(100vh - var(--sd-b,20px) - 90px);display:flex;flex-direction:column;background:var(--sd-bg);color:var(--sd-fg);" +
        "border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.28);overflow:hidden;" +
        'font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;text-align:start}' +
        ":host([data-pos=left]) .sd-dialog{right:auto;left:0}" +
        "@media (prefers-color-scheme:dark){.sd-dialog{--sd-bg:#1c1d21;--sd-fg:#ececec;--sd-muted:#b3b3b3;--sd-line:#3d3f45;--sd-link:#9bb8ff}}" +
        "@media (max-width:480px){.sd-dialog,:host([data-pos=left]) .sd-dialog{position:fixed;inset:0;width:auto;max-width:none;height:auto;max-height:none;border-radius:0}}" +
        ".sd-dialog:focus{outline:none}.sd-root,.sd-panel{display:flex;flex-direction:column;min-height:0;flex:1}" +
        ".sd-header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:var(--sd-accent);color:var(--sd-on-brand,#fff)}" +
        ".sd-title{flex:1;margin:0;font-size:17px;font-weight:650}" +
        ".sd-icon{border:0;background:transparent;color:inherit;font-size:24px;line-height:1;width:32px;height:32px;border-radius:8px;cursor:pointer}" +
        ".sd-body{position:relative;flex:1;overflow-y:auto;padding:14px}" +
        ".sd-footer{border-top:1px solid var(--sd-line);padding:10px 14px;display:flex;flex-direction:column;gap:6px}" +
        ".sd-greeting{margin:0 0 12px}.sd-loading{margin:6px 0}.sd-loading p{margin:0}.sd-muted{color:var(--sd-muted);font-size:13px}" +
        ".sd-q{margin-block:10px 6px;margin-inline:auto 0;max-width:85%;width:fit-content;background:var(--sd-accent);color:var(--sd-on-brand,#fff);" +
        "padding:7px 12px;border-radius:14px;border-end-end-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere}" +
        ".sd-ask{display:flex;gap:8px}.sd-input{flex:1;min-width:0;box-sizing:border-box;width:100%;font:inherit;color:inherit;" +
        "background:var(--sd-bg);border:1px solid var(--sd-muted);border-radius:10px;padding:9px 11px}" +
        ".sd-input::placeholder{color:var(--sd-muted);opacity:1}" +
        ".sd-button{border:0;border-radius:10px;padding:9px 16px;font:inherit;font-weight:600;background:var(--sd-accent);color:var(--sd-on-brand,#fff);cursor:pointer}" +
        ".sd-link{border:0;background:none;padding:2px 0;font:inherit;font-size:14px;cursor:pointer;text-decoration:underline;align-self:flex-start;color:var(--sd-link)}" +
        ".sd-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
        ".sd-fallback{margin:16px}.sd-root>.sd-button{margin:0 16px;align-self:flex-start}" +
        ":focus-visible{outline:3px solid #ffbf47;outline-offset:1px}"
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
  // The panel renders here once loaded; until then the shell stands in for it.
  const root = el("div", "sd-root", dialog, { hidden: "" });

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
  // Bytes of an index the panel reads as it mounts (see `load`); a larger one waits a frame.
  const SMALL_INDEX = 1 << 18;
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
    failed = true;
    // What the visitor typed in the shell goes into the ticket, with nothing lost, and focus
    // moves from the shell to the link.
    pending.question = [pending.question, shellQuestion()].filter((q) => q).join("\n");
    const focused = shadow.activeElement !== dialog && dialog.contains(shadow.activeElement);
    if (shell) shell.panel.remove();
    shell = null;
    root.hidden = false;
    root.textContent = "";
    dialog.removeAttribute("aria-busy");
    // The panel's header, whose close button is the way back on a phone, where the panel fills
    // the screen and covers the launcher.
    const head = el("div", "sd-header", root);
    el("h2", "sd-title", head).textContent = siteTitle();
    closeButton(head);
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
    if (focused) a.focus();
  };
  // The panel's shell: drawn in plain DOM the moment the visitor opens the panel, before the
  // widget is here, so they can type (and ask) at once. `shell` holds what they did in it for
  // the hand-over: the questions asked, and whether they typed or asked for the contact form.
  let shell = null;
  let failed = false;
  const draw = () => {
    if (widget || failed || shell || !shadow.adoptedStyleSheets) return;
    const panel = el("div", "sd-shell sd-panel", dialog, { lang, dir: __RTL_LOCALES__.includes(lang) ? "rtl" : "ltr" });
    const head = el("div", "sd-header", panel);
    const title = el("h2", "sd-title", head);
    closeButton(head);
    const body = el("div", "sd-body", panel);
    const greeting = el("p", "sd-greeting", body);
    const asked = el("div", "sd-conversation", body);
    const note = el("section", "sd-loading", body, { "aria-busy": true });
    el("p", "sd-muted", note, { role: "status" }).textContent = text[7];
    const foot = el("div", "sd-footer", panel);
    const ask = el("div", "sd-ask", foot, { role: "search" });
    const input = el("input", "sd-input", ask, {
      type: "text",
      dir: "auto",
      autocomplete: "off",
      enterkeyhint: "send",
      "aria-label": text[4],
      placeholder: text[4],
    });
    const send = el("button", "sd-button", ask, { type: "button" });
    send.textContent = text[5];
    const contact = el("button", "sd-link sd-contact-link", foot, { type: "button" });
    contact.textContent = text[8];
    shell = { panel, input, title, greeting, questions: [], typed: false, contact: false };
    words();
    const submit = () => {
      const q = input.value.slice(0, 2000).trim();
      if (!q) return;
      shell.questions.push(q);
      input.value = "";
      const b = el("div", "sd-q sd-pending", asked);
      el("span", "sd-sr", b).textContent = text[9] + ": ";
      el("bdi", "", b, { dir: "auto" }).textContent = q;
      asked.append(note);
    };
    input.addEventListener("input", () => (shell.typed = true));
    // `isComposing` (and 229 in older engines) keeps Enter that confirms an IME candidate.
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submit();
      }
    });
    send.addEventListener("click", () => (submit(), input.focus()));
    contact.addEventListener("click", () => (shell.contact = true));
  };
  const closeButton = (head) => {
    const close = el("button", "sd-icon sd-close", head, { type: "button", "aria-label": text[6], title: text[6] });
    el("span", "", close, { "aria-hidden": true }).textContent = "×";
    close.addEventListener("click", () => api.close());
  };
  // The site's name and greeting in the shell, as the panel will show them (widget/src/config.rs).
  const obj = (v) => (v && typeof v === "object" ? v : {});
  const first = (...v) => v.map((x) => str(x, 2000)).find((x) => x);
  // Before widget-config.json is here, the tag's `data-site-<lang>` names the site in this
  // language (`data-site` is the default language's name).
  const siteTitle = () => {
    const strings = obj(conf.strings);
    const own = data["site" + lang[0].toUpperCase() + lang.slice(1)];
    return first(obj(strings[lang]).title, own, conf.site, conf.title, strings.title, text[2]);
  };
  const words = () => {
    if (!shell) return;
    const strings = obj(conf.strings);
    const g = conf.greeting;
    shell.title.textContent = siteTitle();
    shell.greeting.textContent = first(obj(g)[lang], obj(strings[lang]).greeting, g, strings.greeting, text[3]);
  };
  const configure = (c) => {
    conf = { ...(c && typeof c === "object" ? c : {}), ...data };
    theme();
    words();
  };
  // What the visitor typed and asked in the shell, for the fallback ticket.
  const shellQuestion = () => (shell ? [...shell.questions, shell.input.value.trim()].filter((q) => q).join("\n") : "");
  // Hands the shell over to the mounted panel in one task, so no keystroke falls between the
  // two: the questions asked are asked, then the text, caret and focus move to the real input.
  const handOver = () => {
    const s = shell;
    shell = null;
    root.hidden = false;
    if (!s) return;
    const a = shadow.activeElement;
    const { value, selectionStart, selectionEnd, selectionDirection } = s.input;
    s.panel.remove();
    s.questions.forEach((q) => widget.ask(q));
    const input = root.querySelector(".sd-input");
    if (input && (s.typed || value)) {
      input.value = value;
      // The app reads the text from the input event, as it would from the visitor's typing.
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (s.contact) widget.contact();
    else if (input && a === s.input) {
      input.focus();
      input.setSelectionRange(selectionStart, selectionEnd, selectionDirection || "none");
    } else if (a && a.classList.contains("sd-close")) (root.querySelector(".sd-close") || dialog).focus();
  };
  // Yew renders after `mount` (in a microtask, yielding to the page every 16 ms when it takes
  // longer), then starts taking commands; the hand-over waits for that (5 s at most).
  const rendered = async () => {
    for (let i = 0; i < 500 && !widget.ready(); i++) await new Promise((r) => setTimeout(r, i && 10));
  };
  const load = () =>
    loading ||
    (loading = (async () => {
      const link = el("link", "", shadow);
      link.rel = "stylesheet";
      link.href = dir + "__WIDGET_CSS__";
      const css = new Promise((r) => (link.onload = link.onerror = r));
      const cfg = settle(get(base + "widget-config.json").then((r) => (r.ok ? r.json() : null)));
      // The owner's colour, side and words reach the launcher and the shell as soon as they arrive.
      cfg.then(configure);
      // The page's language's own index when the site has one per language (`indexes` in the
      // config, a fraction of every language's), chosen as the panel chooses its language; the
      // panel fetches every language's (`indexAll`) only for a question that one cannot answer.
      const own = cfg.then((c) => {
        const files = c && typeof c.indexes === "object" && c.indexes ? c.indexes : {};
        const by = Object.create(null); // No inherited names: a language code is looked up.
        Object.keys(files).forEach((l) => /^index\.[\w-]+\.bin$/.test(files[l]) && (by[primary(l)] = files[l]));
        return by[langs.map(primary).find((l) => l && by[l])] || "";
      });
      const index = own.then((f) =>
        get(base + (f = f || "index.bin"))
          .then((r) => (r.ok ? r.arrayBuffer().then((b) => new Uint8Array(b)) : f + ": HTTP " + r.status))
          .catch((e) => f + ": " + e)
      );
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
      configure(c);
      dialog.removeAttribute("aria-busy");
      // Without the module this throws, and the fallback ticket takes over.
      const indexAll = (await own) ? base + "index.bin" : "";
      widget = m.mount(root, { ...conf, base, page: location.href, pageLang: htmlLang, languages: navigator.languages, indexAll }, (ev, detail) =>
        ev === "close" ? api.close() : emit(ev, detail)
      );
      await rendered();
      const set = (b) => {
        try {
          widget.set_index(b);
        } catch (e) {}
      };
      // An index already here and small (the usual case: it came beside the larger WebAssembly)
      // goes in before the hand-over, so what was asked in the shell is answered in the panel's
      // first frames. Reading a large one takes a while: it waits until the panel has been drawn.
      const here = await Promise.race([index, null]);
      const small = here !== null && !(here.length > SMALL_INDEX);
      if (small) set(here);
      handOver();
      if (!small) index.then((b) => requestAnimationFrame(() => setTimeout(() => set(b))));
    })().catch(() => {
      try {
        fallback();
      } catch (e) {}
    }));

  const focusables = () =>
    [...dialog.querySelectorAll("a[href],button,input,textarea,select,[tabindex='0']")].filter((e) => !e.disabled && e.getClientRects().length);
  const focusFirst = () => {
    // Not when the visitor already moved on inside the panel (the hand-over placed focus).
    if (dialog.hidden || (shadow.activeElement && shadow.activeElement !== dialog)) return;
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
      draw();
      (shell ? shell.input : dialog).focus();
      emit("open");
      // With the shell, focus is the visitor's from now on (the hand-over keeps it), and the
      // loading starts after the shell's first frame: starting it in the click doubled the time
      // to that frame on a slow CPU (see `bench_click_to_answer_throttled`).
      return shell ? new Promise((r) => requestAnimationFrame(() => setTimeout(r))).then(load) : load().then(focusFirst);
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
  // `data-prefetch="idle"`: fetched in an idle moment after the page has loaded, never while it
  // loads, and only on a connection that says it is fast and not metered (Save-Data off).
  const idle = () => {
    const c = navigator.connection;
    if (c && !c.saveData && c.effectiveType === "4g") (window.requestIdleCallback || setTimeout)(load);
  };
  if (data.prefetch === "idle") doc.readyState === "complete" ? idle() : addEventListener("load", idle, { once: true });
  // The shell is drawn and laid out, invisible, in an idle moment after the page has loaded (no
  // request: a few elements), so the click only shows it; drawn in the click, its style and
  // layout took most of the time to a usable box on a slow phone (`bench_click_to_answer_throttled`).
  const early = () =>
    (window.requestIdleCallback || setTimeout)(() => {
      if (dialog.hidden) draw(), dialog.classList.add("sd-early");
    });
  doc.readyState === "complete" ? early() : addEventListener("load", early, { once: true });
  // Someone else's `window.Solodesk` (not a queue) is theirs: the widget works without it.
  if (!prior || typeof prior === "function" || Array.isArray(prior.q)) window.Solodesk = api;
  (doc.body || doc.documentElement).append(host);
  queued.forEach(api.q.push);
  } catch (e) {}
})();
