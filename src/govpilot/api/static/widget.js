/*
 * govpilot chat widget: one <script> tag, no build step.
 *
 *   <script src="https://govpilot.example.gov.hk/widget.js" data-bot="housing"
 *           data-lang="zh-Hant" data-department="HD" defer></script>
 *
 * data-bot (required)   the bot's name
 * data-lang             en | zh-Hant (the widget's own labels; answers follow the question)
 * data-department       the bot's department (sent as X-Govpilot-Department)
 * data-title            the panel's title (default: the bot's name)
 *
 * Talks to the bots API on the script's own origin (CORS must allow the host page's
 * origin) as a member of the public: no cookies are sent, even where its visitor is signed
 * in to govpilot, so the widget never acts with an officer's session. Answers stream as server-sent events; the final event is authoritative.
 * Everything is rendered as text (never as HTML), inside a shadow root so the host
 * page's styles neither leak in nor out.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || script.dataset.govpilotLoaded) return;
  script.dataset.govpilotLoaded = "1";

  var bot = script.dataset.bot;
  var lang = script.dataset.lang === "en" ? "en" : "zh-Hant";
  var department = script.dataset.department || "";
  var base = new URL(script.src, document.baseURI).origin;
  var api = base + "/api/v1/bots/" + encodeURIComponent(bot || "");

  var STRINGS = {
    en: {
      open: "Chat with us",
      close: "Close chat",
      title: "Enquiries",
      label: "Your question",
      placeholder: "Type your question…",
      send: "Send",
      thinking: "Looking it up…",
      sources: "Sources",
      handover: "Need more help?",
      helpful: "Helpful",
      unhelpful: "Not helpful",
      thanks: "Thank you for your feedback.",
      error: "Sorry, something went wrong. Please try again later.",
      welcome: "Ask me about our services. Answers come from our published documents.",
      you: "You",
      botName: "Assistant",
    },
    "zh-Hant": {
      open: "線上查詢",
      close: "關閉對話",
      title: "查詢",
      label: "你的問題",
      placeholder: "請輸入你的問題…",
      send: "發送",
      thinking: "正在查找資料…",
      sources: "資料來源",
      handover: "需要更多協助？",
      helpful: "有幫助",
      unhelpful: "沒有幫助",
      thanks: "多謝你的意見。",
      error: "抱歉，系統出現問題，請稍後再試。",
      welcome: "歡迎查詢本部門的服務。答案取自本部門已公布的文件。",
      you: "你",
      botName: "助理",
    },
  };
  var t = STRINGS[lang];

  if (!bot) {
    console.error("govpilot widget: add data-bot=\"NAME\" to the script tag");
    return;
  }

  var CSS =
    ":host{all:initial;font-family:system-ui,-apple-system,'Segoe UI','Noto Sans TC','Microsoft JhengHei',sans-serif;}" +
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:28px;" +
    "padding:14px 20px;background:#005a9c;color:#fff;font-size:16px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3);}" +
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #ffbf47;outline-offset:2px;}" +
    ".panel{position:fixed;right:20px;bottom:84px;z-index:2147483000;width:min(380px,calc(100vw - 40px));" +
    "height:min(560px,calc(100vh - 120px));display:flex;flex-direction:column;background:#fff;color:#1b1b1b;" +
    "border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.3);overflow:hidden;font-size:15px;line-height:1.5;}" +
    ".panel[hidden]{display:none;}" +
    "header{display:flex;align-items:center;justify-content:space-between;background:#005a9c;color:#fff;padding:10px 14px;}" +
    "header h2{margin:0;font-size:17px;font-weight:600;}" +
    "header button{background:transparent;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1;}" +
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;}" +
    ".msg{max-width:88%;padding:8px 12px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word;}" +
    ".user{align-self:flex-end;background:#e6f0fa;}" +
    ".bot{align-self:flex-start;background:#f3f3f3;}" +
    ".bot.handover{background:#fff4e5;border-left:4px solid #c45500;}" +
    ".sources{margin:6px 0 0;padding-left:18px;font-size:13px;}" +
    ".sources a{color:#005a9c;}" +
    ".feedback{display:flex;gap:6px;margin-top:6px;}" +
    ".feedback button{border:1px solid #bbb;background:#fff;border-radius:6px;padding:2px 8px;cursor:pointer;font-size:13px;}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;}" +
    "form{display:flex;gap:8px;border-top:1px solid #ddd;padding:10px;}" +
    "textarea{flex:1;resize:none;font:inherit;padding:6px 8px;border:1px solid #888;border-radius:6px;min-height:40px;}" +
    "form button{border:0;border-radius:6px;background:#005a9c;color:#fff;padding:0 14px;font:inherit;cursor:pointer;}" +
    "form button[disabled]{background:#888;cursor:wait;}";

  var host = document.createElement("div");
  host.id = "govpilot-widget";
  host.setAttribute("lang", lang);
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" + CSS + "</style>" +
    '<button class="launcher" type="button" aria-haspopup="dialog" aria-expanded="false" aria-controls="gp-panel"></button>' +
    '<section class="panel" id="gp-panel" role="dialog" aria-modal="false" aria-labelledby="gp-title" hidden>' +
    '<header><h2 id="gp-title"></h2><button type="button" class="close"></button></header>' +
    '<div class="log" role="log" aria-live="polite" aria-relevant="additions text"></div>' +
    '<form><label class="sr" for="gp-input"></label>' +
    '<textarea id="gp-input" rows="2" maxlength="2000"></textarea>' +
    '<button type="submit" class="send"></button></form>' +
    "</section>";

  var launcher = root.querySelector(".launcher");
  var panel = root.querySelector(".panel");
  var closer = root.querySelector(".close");
  var log = root.querySelector(".log");
  var form = root.querySelector("form");
  var input = root.querySelector("textarea");
  var send = root.querySelector(".send");
  launcher.textContent = t.open;
  closer.textContent = "×";
  closer.setAttribute("aria-label", t.close);
  root.getElementById("gp-title").textContent = script.dataset.title || t.title;
  root.querySelector("label").textContent = t.label;
  input.placeholder = t.placeholder;
  send.textContent = t.send;

  var conversationId = null;
  var busy = false;

  function headers() {
    var h = { "Content-Type": "application/json", Accept: "text/event-stream" };
    if (department) h["X-Govpilot-Department"] = department;
    return h;
  }

  function addMessage(kind, text, who) {
    var div = document.createElement("div");
    div.className = "msg " + kind;
    var label = document.createElement("span");
    label.className = "sr";
    label.textContent = who + ": ";
    var body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    div.appendChild(label);
    div.appendChild(body);
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function safeUrl(url) {
    try {
      var u = new URL(url, base);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function showAnswer(div, result) {
    div.querySelector(".text").textContent = result.answer;
    if (result.handed_over) {
      div.classList.add("handover");
      div.setAttribute("data-handed-over", "true");
    }
    if (result.citations && result.citations.length) {
      var heading = document.createElement("div");
      heading.className = "sources-title";
      heading.textContent = t.sources;
      var list = document.createElement("ol");
      list.className = "sources";
      result.citations.forEach(function (c) {
        var item = document.createElement("li");
        item.value = c.n;
        var href = c.url ? safeUrl(c.url) : null;
        var node = document.createElement(href ? "a" : "span");
        if (href) {
          node.href = href;
          node.target = "_blank";
          node.rel = "noopener noreferrer";
        }
        node.className = "citation";
        node.textContent = c.label || c.document;
        item.appendChild(node);
        list.appendChild(item);
      });
      div.appendChild(heading);
      div.appendChild(list);
    }
    if (result.turn_id) addFeedback(div, result.turn_id);
    log.scrollTop = log.scrollHeight;
  }

  function addFeedback(div, turnId) {
    var bar = document.createElement("div");
    bar.className = "feedback";
    [["up", "👍", t.helpful], ["down", "👎", t.unhelpful]].forEach(function (f) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = f[1];
      b.setAttribute("aria-label", f[2]);
      b.addEventListener("click", function () {
        fetch(api + "/feedback", {
          method: "POST",
          credentials: "omit",
          headers: headers(),
          body: JSON.stringify({ turn_id: turnId, rating: f[0] }),
        }).then(function () {
          bar.textContent = t.thanks;
          input.focus();
        });
      });
      bar.appendChild(b);
    });
    div.appendChild(bar);
  }

  function parseEvents(buffer, onEvent) {
    var parts = buffer.split("\n\n");
    var rest = parts.pop();
    parts.forEach(function (block) {
      var name = "message";
      var data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    });
    return rest;
  }

  function ask(question) {
    busy = true;
    send.disabled = true;
    addMessage("user", question, t.you);
    var div = addMessage("bot", t.thinking, t.botName);
    div.setAttribute("aria-busy", "true");
    var streamed = "";
    var finished = false;
    var payload = { question: question };
    if (conversationId) payload.conversation_id = conversationId;
    fetch(api + "/ask/stream", {
      method: "POST",
      credentials: "omit",
      headers: headers(),
      body: JSON.stringify(payload),
    })
      .then(function (response) {
        if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function onEvent(name, data) {
          if (name === "conversation") conversationId = data.conversation_id;
          else if (name === "token") {
            streamed += data.text;
            div.querySelector(".text").textContent = streamed;
          } else if (name === "answer") {
            finished = true;
            showAnswer(div, data);
          } else if (name === "error") {
            finished = true;
            div.querySelector(".text").textContent = t.error;
          }
        }
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) {
              parseEvents(buffer + "\n\n", onEvent);
              return;
            }
            buffer = parseEvents(buffer + decoder.decode(chunk.value, { stream: true }), onEvent);
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        finished = true;
        div.querySelector(".text").textContent = t.error;
      })
      .then(function () {
        if (!finished) div.querySelector(".text").textContent = t.error;
        div.removeAttribute("aria-busy");
        busy = false;
        send.disabled = false;
        input.focus();
      });
  }

  function setOpen(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      if (!log.childElementCount) addMessage("bot", t.welcome, t.botName);
      input.focus();
    } else {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () {
    setOpen(panel.hidden);
  });
  closer.addEventListener("click", function () {
    setOpen(false);
  });
  // On the document, not the panel: focus may sit on the host page (e.g. after a click).
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden) setOpen(false);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    ask(question);
  });

  function mount() {
    document.body.appendChild(host);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
