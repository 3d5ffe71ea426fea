"use strict";
// The web chat: one POST /chat per message. Reply text is only ever inserted as text
// nodes (never innerHTML), so nothing a reply contains can become markup.
(() => {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("text");
  const send = document.getElementById("send");
  const locate = document.getElementById("locate");
  const status = document.getElementById("status");
  const HELP = " In a crisis call or text 988. If a life is in danger call 911.";
  const WAIT_MS = 20000; // the server answers within its own deadline (8 s by default)
  // A map link first, so the digits inside a URL never become a phone link; then US phone
  // numbers (720-555-0158, (303) 555-0170, +1 ...) and the three-digit lines 988, 911, 211.
  const LINKS = /(https:\/\/[^\s<>"]*[^\s<>".,;:!?)])|((?:\+?1[-. ]?)?(?:\(\d{3}\) ?|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b|\b(?:988|911|211)\b)/g;
  const RESULT = /^(\d{1,2})\. /;
  const reduced = matchMedia("(prefers-reduced-motion: reduce)");
  let busy = false;

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID(); // only in secure contexts
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // One conversation per tab: sessionStorage survives a reload, not a new tab.
  const session = (() => {
    try {
      const kept = sessionStorage.getItem("wayfinder-session") || newId();
      sessionStorage.setItem("wayfinder-session", kept);
      return kept;
    } catch (blocked) {
      return newId(); // storage disabled: the conversation lasts as long as the page
    }
  })();

  function linked(parent, text) {
    let at = 0;
    for (const m of text.matchAll(LINKS)) {
      parent.append(text.slice(at, m.index));
      const a = document.createElement("a");
      a.textContent = m[0];
      if (m[1]) {
        a.href = m[1];
        a.target = "_blank";
        a.rel = "noopener noreferrer";
      } else {
        a.href = "tel:" + m[0].replace(/[^\d+]/g, "");
      }
      parent.append(a);
      at = m.index + m[0].length;
    }
    parent.append(text.slice(at));
  }

  // "2. Name - 7.2 mi, ... Call 303-555-0170": the text picks result 2; the phone link
  // stays outside the button, since a link inside a button is unusable.
  function resultLine(row, line, number) {
    let cut = line.search(LINKS);
    if (cut < 0) cut = line.length;
    const stop = line.lastIndexOf(". ", cut);
    if (cut < line.length && stop >= number.length + 2) cut = stop + 1;
    const pick = document.createElement("button");
    pick.type = "button";
    pick.className = "pick";
    pick.textContent = line.slice(0, cut);
    pick.addEventListener("click", () => ask({ text: number }, number));
    row.append(pick);
    linked(row, line.slice(cut));
  }

  function add(kind, text) {
    const item = document.createElement("div");
    item.className = "msg " + kind;
    const who = document.createElement("span");
    who.className = "sr";
    who.textContent = kind === "me" ? "You said: " : "Wayfinder: ";
    item.append(who);
    for (const line of text.split("\n")) {
      const row = document.createElement("p");
      const result = kind === "bot" && RESULT.exec(line);
      if (result) resultLine(row, line, result[1]);
      else if (kind === "me") row.textContent = line;
      else linked(row, line);
      item.append(row);
    }
    log.append(item);
    // A reply is read from its first line; the user's own message only needs to be seen.
    const top = kind === "me" ? log.scrollHeight : item.offsetTop - 8;
    log.scrollTo({ top, behavior: reduced.matches ? "auto" : "smooth" });
  }

  function setBusy(words) {
    busy = Boolean(words);
    status.textContent = words || "";
    send.disabled = busy;
    log.setAttribute("aria-busy", String(busy));
  }

  async function ask(body, shown) {
    if (busy) return;
    add("me", shown);
    setBusy("Looking…");
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), WAIT_MS);
    try {
      const reply = await fetch("/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: session, ...body }),
        signal: stop.signal,
      });
      const data = await reply.json().catch(() => ({}));
      if (!reply.ok) throw new Error(data.error || "the server answered " + reply.status);
      const replies = Array.isArray(data.replies) ? data.replies : [];
      if (!replies.length) add("bot", "No answer this time. Please wait a minute and try again." + HELP);
      for (const text of replies) add("bot", String(text));
    } catch (error) {
      const why = error.name === "AbortError" ? "no answer in time" : error.message;
      add("error", "Sorry, that didn't go through (" + why + "). Please try again." + HELP);
    } finally {
      clearTimeout(timer);
      setBusy("");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    ask({ text }, text);
  });

  locate.addEventListener("click", () => {
    if (busy) return;
    const instead = " Type a ZIP code, a city or an address instead.";
    if (!navigator.geolocation) {
      add("error", "This browser can't share your location here." + instead + HELP);
      return;
    }
    setBusy("Finding your location…");
    navigator.geolocation.getCurrentPosition(
      (where) => {
        setBusy("");
        const { latitude, longitude } = where.coords;
        ask({ latitude, longitude }, "My location");
      },
      (failure) => {
        setBusy("");
        const why = failure.code === failure.PERMISSION_DENIED
          ? "Location permission was denied." : "Your location isn't available right now.";
        add("error", why + instead + HELP);
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
})();
