// CNHT Assistant web chat. Everything from a question or a document is inserted as text, never as HTML.
(function () {
  "use strict";
  var T = {
    vi: {
      title: "Trợ lý chính sách công nghiệp hỗ trợ", skip: "Bỏ qua đến ô câu hỏi",
      intro: "Hỏi về công nghiệp hỗ trợ, khu và cụm công nghiệp, chính sách ưu đãi và các chương trình hỗ trợ. Mọi câu trả lời đều trích dẫn văn bản gốc.",
      label: "Câu hỏi của bạn", placeholder: "Nhập câu hỏi…", send: "Gửi", close: "Đóng",
      hint: "Thông tin mang tính tham khảo; văn bản gốc có giá trị pháp lý.", switchTo: "Switch to English", switchLabel: "EN",
      starters: ["Tỉnh có bao nhiêu khu công nghiệp?", "Dự án công nghiệp hỗ trợ được ưu đãi thuế như thế nào?", "Chương trình khuyến công hỗ trợ những gì?", "Quyết định 3164/QĐ-UBND có bao nhiêu nhóm giải pháp?"],
      startersLabel: "Câu hỏi gợi ý", sources: "Nguồn", nearest: "Văn bản gần nhất:", waiting: "Đang tìm trong văn bản…",
      helpful: "Câu trả lời hữu ích", notHelpful: "Câu trả lời chưa hữu ích", comment: "Góp ý (không bắt buộc)", sendComment: "Gửi góp ý",
      thanks: "Cảm ơn góp ý của bạn.", page: "trang", section: "Mục", inactive: "Văn bản này không còn hiệu lực", error: "Có lỗi khi trả lời. Vui lòng thử lại.",
      rate: "Bạn hỏi quá nhanh. Vui lòng thử lại sau ít giây.", you: "Bạn", assistant: "Trợ lý", openSource: "Mở nguồn",
      yes: "Hữu ích", no: "Chưa hữu ích", checkEligibility: "Kiểm tra doanh nghiệp có đủ điều kiện hỗ trợ →",
      newChat: "Cuộc trò chuyện mới", stop: "Dừng", stopped: "Đã dừng câu trả lời.", openDocument: "Mở văn bản",
      tooLong: "Câu hỏi dài {n} ký tự, vượt quá giới hạn {max} ký tự. Vui lòng rút gọn trước khi gửi.", count: "{n}/{max} ký tự"
    },
    en: {
      title: "Supporting-industry policy assistant", skip: "Skip to the question box",
      intro: "Ask about supporting industry, industrial parks and clusters, incentives and support programmes. Every answer cites the source documents.",
      label: "Your question", placeholder: "Type your question…", send: "Send", close: "Close",
      hint: "For information only; the original documents are legally authoritative.", switchTo: "Chuyển sang tiếng Việt", switchLabel: "VI",
      starters: ["How many industrial parks does the province have?", "What tax incentives do supporting industry projects get?", "What does the industrial promotion programme support?", "How many groups of solutions does Decision 3164 set out?"],
      startersLabel: "Suggested questions", sources: "Sources", nearest: "Nearest documents:", waiting: "Searching the documents…",
      helpful: "Helpful answer", notHelpful: "Unhelpful answer", comment: "Comment (optional)", sendComment: "Send comment",
      thanks: "Thank you for your feedback.", page: "page", section: "Section", inactive: "This document is no longer in force", error: "Something went wrong. Please try again.",
      rate: "Too many questions at once. Please try again in a few seconds.", you: "You", assistant: "Assistant", openSource: "Open source",
      yes: "Helpful", no: "Not helpful", checkEligibility: "Check whether your enterprise qualifies →",
      newChat: "New conversation", stop: "Stop", stopped: "Answer stopped.", openDocument: "Open document",
      tooLong: "Your question has {n} characters, over the limit of {max}. Please shorten it before sending.", count: "{n}/{max} characters"
    }
  };
  var params = new URLSearchParams(location.search);
  var store = window.cnht.store, el = window.cnht.el;
  var lang = store.get("cnht.lang") || params.get("lang") || "vi";
  var embedded = !!params.get("embed");
  if (embedded) document.body.classList.add("embed");
  var session = store.get("cnht.session");
  var $ = function (id) { return document.getElementById(id); };
  var log = $("log"), form = $("ask"), input = $("question"), sendButton = $("send"), stopButton = $("stop");
  var limit = Number(input.getAttribute("data-max")) || 1000;
  var pending = null;  // the answer being streamed: {controller, item}
  var opener = null;   // what opened the source panel, to give focus back when it closes

  function t(key, values) {
    var text = T[lang][key];
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  function applyLanguage() {
    window.cnht.translate(lang, T[lang]);
    var starters = $("starters");
    starters.setAttribute("aria-label", t("startersLabel"));
    starters.textContent = "";
    t("starters").forEach(function (q) {
      var b = el("button", { type: "button", "class": "starter" }, q);
      b.addEventListener("click", function () { ask(q); });
      starters.appendChild(b);
    });
    showCount();
  }

  // Keep the start of an element in view above the sticky question box.
  function reveal(node) {
    var box = form.getBoundingClientRect(), rect = node.getBoundingClientRect();
    var visibleBottom = Math.min(box.top, window.innerHeight);
    if (rect.top < 0 || rect.top > visibleBottom - 40 || (rect.bottom > visibleBottom && rect.height < visibleBottom)) {
      node.scrollIntoView({ block: rect.height < visibleBottom ? "nearest" : "start" });
    }
  }

  function showCount() {
    var n = input.value.length, count = $("count");
    count.textContent = n > limit ? t("tooLong", { n: n, max: limit }) : n > limit * 0.8 ? t("count", { n: n, max: limit }) : "";
    count.classList.toggle("over", n > limit);
    input.setAttribute("aria-invalid", String(n > limit));
  }

  function renderText(container, text, citations) {
    container.textContent = "";
    var parts = text.split(/(\[\d+\])/);
    parts.forEach(function (part) {
      var m = /^\[(\d+)\]$/.exec(part);
      var citation = m && citations.filter(function (c) { return c.n === Number(m[1]); })[0];
      if (citation) {
        var b = el("button", { type: "button", "class": "cite", "aria-label": t("openSource") + " " + m[1] }, part);
        b.addEventListener("click", function () { openCitation(citation, b); });
        container.appendChild(b);
      } else {
        container.appendChild(document.createTextNode(part));
      }
    });
  }

  // The answer's first line (the fact) leads, set apart; the evidence it rests on follows under it.
  function renderAnswer(body, text, citations) {
    var lines = text.split("\n"), at = 0;
    while (at < lines.length - 1 && !lines[at].trim()) at += 1;
    var lead = el("p", { "class": "lead" }), rest = lines.slice(at + 1).join("\n").replace(/^\s*\n/, "");
    body.textContent = "";
    renderText(lead, lines[at], citations);
    body.appendChild(lead);
    if (rest.trim()) {
      var evidence = el("div", { "class": "evidence" });
      renderText(evidence, rest, citations);
      body.appendChild(evidence);
    }
  }

  function addUser(question) {
    var item = el("li", { "class": "msg user" });
    item.appendChild(el("span", { "class": "visually-hidden" }, t("you") + ": "));
    item.appendChild(document.createTextNode(question));
    log.appendChild(item);
  }

  function addAnswer() {
    var item = el("li", { "class": "msg bot", "aria-busy": "true" });
    item.appendChild(el("span", { "class": "visually-hidden" }, t("assistant") + ": "));
    var body = el("div", { "class": "body" }, t("waiting"));
    item.appendChild(body);
    log.appendChild(item);
    reveal(item);
    return item;
  }

  function finishAnswer(item, data) {
    item.removeAttribute("aria-busy");
    var body = item.querySelector(".body");
    var suggestions = data.grounded ? [] : (data.suggestions || []);
    renderAnswer(body, suggestions.length ? withoutListedDocuments(data.answer, suggestions.length) : data.answer, data.citations || []);
    if (!data.grounded) {
      item.classList.add("refused");
      item.setAttribute("data-state", "not-in-documents");
    }
    if (suggestions.length) {
      var nearest = el("ul", { "class": "nearest", "aria-label": t("nearest") });
      suggestions.forEach(function (s) {
        var li = el("li");
        var b = el("button", { type: "button", "class": "doc-link" }, [s.doc_number, s.title].filter(Boolean).join(" — ") || s.doc_id);
        b.addEventListener("click", function () { openCitation({ doc_id: s.doc_id, title: s.title, doc_number: s.doc_number }, b); });
        li.appendChild(b);
        nearest.appendChild(li);
      });
      body.parentNode.insertBefore(nearest, body.nextSibling);
    }
    if (data.citations && data.citations.length) {
      var list = el("ol", { "class": "sources", "aria-label": t("sources") });
      data.citations.forEach(function (c) {
        var li = el("li");
        var label = [c.doc_number || c.title, c.section, c.page ? t("page") + " " + c.page : ""].filter(Boolean).join(" · ");
        var b = el("button", { type: "button" }, label);
        b.addEventListener("click", function () { openCitation(c, b); });
        li.appendChild(b);
        list.appendChild(li);
      });
      item.appendChild(list);
    }
    if ((data.offers || []).indexOf("eligibility") >= 0) {
      item.appendChild(el("a", { "class": "offer", href: "/eligibility" }, t("checkEligibility")));
    }
    if (data.answer_id) item.appendChild(feedbackControls(data.answer_id));
  }

  // A refusal lists its nearest documents as "- label" lines; they are shown as buttons instead.
  function withoutListedDocuments(answer, count) {
    var lines = answer.split("\n"), kept = [], dropped = 0;
    lines.forEach(function (line) {
      if (dropped < count && line.indexOf("- ") === 0) { dropped += 1; if (dropped === count) kept.push("{nearest}"); return; }
      kept.push(line);
    });
    return kept.join("\n").replace("\n{nearest}", "").replace("{nearest}", "");
  }

  function feedbackControls(answerId) {
    var box = el("div", { "class": "feedback" });
    // The visible words are the buttons' names (the arrows are decoration); the title says it in full.
    var up = el("button", { type: "button", "aria-pressed": "false", title: t("helpful") }, t("yes"));
    var down = el("button", { type: "button", "aria-pressed": "false", title: t("notHelpful") }, t("no"));
    up.insertBefore(el("span", { "aria-hidden": "true" }, "▲ "), up.firstChild);
    down.insertBefore(el("span", { "aria-hidden": "true" }, "▼ "), down.firstChild);
    function choose(rating, button) {
      up.setAttribute("aria-pressed", "false"); down.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
      if (box.querySelector("textarea")) return;
      var label = el("label", { "class": "visually-hidden", "for": "c-" + answerId }, t("comment"));
      var comment = el("textarea", { id: "c-" + answerId, rows: "1", maxlength: "2000", placeholder: t("comment") });
      var send = el("button", { type: "button" }, t("sendComment"));
      send.addEventListener("click", function () { submit(box.getAttribute("data-rating"), comment.value); });
      box.appendChild(label); box.appendChild(comment); box.appendChild(send);
      box.setAttribute("data-rating", rating);
      submit(rating, "");
    }
    function submit(rating, comment) {
      fetch("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ answer_id: answerId, rating: rating, comment: comment || "" }) })
        .then(function (r) {
          if (r.ok && comment) {
            box.textContent = "";
            box.appendChild(el("span", { role: "status" }, t("thanks")));
          }
        });
    }
    up.addEventListener("click", function () { box.setAttribute("data-rating", "up"); choose("up", up); });
    down.addEventListener("click", function () { box.setAttribute("data-rating", "down"); choose("down", down); });
    box.appendChild(up); box.appendChild(down);
    return box;
  }

  function closePanel() {
    var panel = $("panel");
    if (panel.hidden) return;
    panel.hidden = true;
    var back = opener && document.body.contains(opener) ? opener : input;
    opener = null;
    back.focus();
  }

  function openCitation(c, from) {
    var panel = $("panel");
    opener = from || document.activeElement;
    $("panel-title").textContent = c.title || c.doc_id;
    $("panel-meta").textContent = [c.doc_number, c.section, c.page ? t("page") + " " + c.page : ""].filter(Boolean).join(" · ");
    var text = $("panel-text");
    text.textContent = "…";
    panel.hidden = false;
    panel.focus();
    fetch("/api/documents/" + encodeURIComponent(c.doc_id)).then(function (r) { return r.json(); }).then(function (doc) {
      var status = $("panel-status");
      status.hidden = doc.status === "in_force";
      status.textContent = doc.status === "in_force" ? "" : t("inactive") + (doc.superseded_by ? " → " + doc.superseded_by : "");
      var chunk = (doc.chunks || []).filter(function (k) { return k.chunk_id === c.chunk_id; })[0] || (doc.chunks || [])[0];
      text.textContent = "";
      if (!chunk) return;
      var quote = (c.quote || "").split(" … ")[0];
      var at = quote ? chunk.text.indexOf(quote) : -1;
      if (at < 0 && quote) at = chunk.text.indexOf(quote.slice(0, 60));
      if (at < 0) { text.textContent = chunk.text; return; }
      var length = chunk.text.indexOf(quote) === at ? quote.length : Math.min(quote.length, 60);
      text.appendChild(document.createTextNode(chunk.text.slice(0, at)));
      var mark = el("mark", {}, chunk.text.slice(at, at + length));
      text.appendChild(mark);
      text.appendChild(document.createTextNode(chunk.text.slice(at + length)));
      text.scrollTop = Math.max(0, mark.offsetTop - text.offsetTop - text.clientHeight / 3);
    });
  }

  function setBusy(busy) {
    sendButton.disabled = busy;
    sendButton.hidden = busy;
    stopButton.hidden = !busy;
    document.querySelectorAll("#starters button").forEach(function (b) { b.disabled = busy; });
    if (busy) stopButton.focus();
  }

  function forgetSession() { session = null; store.set("cnht.session", ""); }

  // `retry`: the answer item of a question sent again after the server refused a stored conversation.
  function ask(question, retry) {
    question = (question || "").trim();
    if (!retry && (!question || pending)) return;
    if (question.length > limit) { showCount(); input.focus(); return; }
    if (!retry) addUser(question);
    var item = retry || addAnswer();
    var controller = window.AbortController ? new AbortController() : null;
    pending = { controller: controller, item: item };
    setBusy(true);
    input.value = "";
    showCount();
    return fetch("/api/ask", { method: "POST", signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ question: question, session_id: session || undefined, channel: params.get("embed") ? "widget" : "web" }) })
      .then(function (response) {
        if (response.status === 429) throw new Error("rate");
        if (response.status === 404 && session) { forgetSession(); throw new Error("session"); }
        if (!response.ok || !response.body) throw new Error("http");
        var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "", started = false;
        var body = item.querySelector(".body");
        function handle(block) {
          var event = "message", data = "";
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event: ") === 0) event = line.slice(7);
            else if (line.indexOf("data: ") === 0) data += line.slice(6);
          });
          if (!data) return;
          var payload = JSON.parse(data);
          if (event === "delta") {
            if (!started) { body.textContent = ""; started = true; }
            body.appendChild(document.createTextNode(payload.text));
          } else if (event === "answer") {
            session = payload.session_id; store.set("cnht.session", session);
            finishAnswer(item, payload);
            reveal(item);
          } else if (event === "error") {
            throw new Error("stream");
          }
        }
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) return;
            buffer += decoder.decode(chunk.value, { stream: true });
            var blocks = buffer.split("\n\n");
            buffer = blocks.pop();
            blocks.forEach(handle);
            return pump();
          });
        }
        return pump();
      })
      .catch(function (err) {
        if (err.message === "session") return ask(question, item);  // the server does not know it: start anew
        item.removeAttribute("aria-busy");
        var body = item.querySelector(".body");
        if (err.name === "AbortError") {
          item.setAttribute("data-state", "stopped");
          body.appendChild(el("span", { "class": "stopped" }, (body.textContent && body.textContent !== t("waiting") ? " … " : "") + t("stopped")));
          if (body.firstChild && body.firstChild.nodeType === 3 && body.firstChild.nodeValue === t("waiting")) body.removeChild(body.firstChild);
        } else {
          body.textContent = err.message === "rate" ? t("rate") : t("error");
        }
      })
      .then(function () { pending = null; setBusy(false); input.focus(); });
  }

  function newConversation() {
    if (pending && pending.controller) pending.controller.abort();
    session = null;
    store.set("cnht.session", "");
    log.textContent = "";
    $("panel").hidden = true;
    opener = null;
    input.value = "";
    showCount();
    input.focus();
  }

  // In the widget's frame, Tab stays inside the chat and Esc asks the host page to close it.
  function keepFocusInFrame(e) {
    var focusable = Array.prototype.filter.call(
      document.querySelectorAll("button, a[href], textarea, input, select, [tabindex]:not([tabindex='-1'])"),
      function (n) { return !n.disabled && n.offsetParent !== null && n.getAttribute("tabindex") !== "-1"; });
    if (!focusable.length) return;
    var first = focusable[0], last = focusable[focusable.length - 1];
    if (e.shiftKey && (document.activeElement === first || !document.body.contains(document.activeElement) || document.activeElement === document.body)) {
      e.preventDefault(); last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault(); first.focus();
    }
  }

  function restore() {
    if (!session) return;
    fetch("/api/conversations/" + encodeURIComponent(session)).then(function (r) {
      if (r.status === 404) forgetSession();
      return r.ok ? r.json() : [];
    }).then(function (turns) {
      turns.forEach(function (turn) {
        addUser(turn.question);
        finishAnswer(addAnswer(), turn);
      });
    });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
  input.addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); ask(input.value); } });
  input.addEventListener("input", showCount);
  stopButton.addEventListener("click", function () { if (pending && pending.controller) pending.controller.abort(); });
  $("new-chat").addEventListener("click", newConversation);
  $("lang").addEventListener("click", function () { lang = lang === "vi" ? "en" : "vi"; store.set("cnht.lang", lang); applyLanguage(); });
  $("panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      if (!$("panel").hidden) { e.preventDefault(); closePanel(); }
      else if (embedded && window.parent !== window) window.parent.postMessage({ cnht: "close" }, "*");
    } else if (e.key === "Tab" && embedded) {
      keepFocusInFrame(e);
    }
  });
  applyLanguage();
  restore();
  // The send button stays disabled until the page's script has wired the form (no native submit before).
  sendButton.disabled = false;
  form.setAttribute("data-ready", "true");
  if (embedded) {
    // The widget focuses the frame when it opens; the question box then takes the keyboard.
    window.addEventListener("focus", function () { if (document.activeElement === document.body) input.focus(); });
    input.focus();
  }
})();
