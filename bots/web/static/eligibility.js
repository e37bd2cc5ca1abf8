// Eligibility check: one question at a time, verdicts with reasons and citations. Text is inserted as text only.
(function () {
  "use strict";
  var T = {
    vi: {
      title: "Doanh nghiệp có được hỗ trợ không?", skip: "Bỏ qua đến câu hỏi",
      intro: "Trả lời vài câu hỏi — chỉ những câu cần thiết — để biết doanh nghiệp có đủ điều kiện tham gia từng chương trình hỗ trợ, kèm lý do và căn cứ.",
      yourAnswer: "Câu trả lời", next: "Tiếp", back: "Quay lại", restart: "Làm lại", print: "In bản tóm tắt",
      doneTitle: "Đã đủ thông tin", doneText: "Không còn câu hỏi nào có thể thay đổi kết quả.",
      results: "Kết quả theo từng chương trình", backToChat: "← Về trang hỏi đáp", example: "Ví dụ: ",
      answered: "Đã trả lời: ", switchTo: "Switch to English", switchLabel: "EN",
      eligible: "Đủ điều kiện", not_eligible: "Không đủ điều kiện", unknown: "Chưa xác định", closed: "Đã đóng",
      benefits: "Mức hỗ trợ", documents: "Hồ sơ cần chuẩn bị", apply: "Nơi nộp", contact: "Liên hệ", until: "Hạn: ",
      yourValue: "Bạn trả lời: ", sample: "Dữ liệu mẫu", error: "Có lỗi. Vui lòng thử lại.",
      summary: "Tóm tắt kiểm tra ngày {day}", noAnswers: "Chưa trả lời câu hỏi nào.", opens: "Mở nhận hồ sơ: ",
      noneOpen: "Hôm nay ({day}) không có chương trình hỗ trợ nào đang mở nhận hồ sơ. Kết quả dưới đây cho biết doanh nghiệp có phù hợp với các chương trình đã đóng hay không, để chuẩn bị cho các đợt sau."
    },
    en: {
      title: "Does your enterprise qualify?", skip: "Skip to the question",
      intro: "Answer a few questions — only the ones that matter — to see whether you qualify for each support programme, with the reasons and their legal basis.",
      yourAnswer: "Answer", next: "Next", back: "Back", restart: "Start over", print: "Print summary",
      doneTitle: "That is all we need", doneText: "No further answer could change a result.",
      results: "Result for each programme", backToChat: "← Back to questions", example: "For example: ",
      answered: "Answered: ", switchTo: "Chuyển sang tiếng Việt", switchLabel: "VI",
      eligible: "Eligible", not_eligible: "Not eligible", unknown: "Can't tell yet", closed: "Closed",
      benefits: "Support", documents: "Documents to prepare", apply: "Where to apply", contact: "Contact", until: "Closes: ",
      yourValue: "Your answer: ", sample: "Sample data", error: "Something went wrong. Please try again.",
      summary: "Summary of the check on {day}", noAnswers: "No question answered yet.", opens: "Opens: ",
      noneOpen: "No support programme is open for applications today ({day}). The results below show whether you would fit the closed programmes, to prepare for later calls."
    }
  };
  var store = window.cnht.store, el = window.cnht.el;
  var lang = store.get("cnht.lang") || new URLSearchParams(location.search).get("lang") || "vi";
  var history = [];
  try { history = JSON.parse(store.get("cnht.eligibility") || "[]"); } catch (e) { history = []; }
  var $ = function (id) { return document.getElementById(id); };
  function t(key) { return T[lang][key]; }
  function day(iso) { var p = iso.split("-"); return lang === "vi" ? p[2] + "/" + p[1] + "/" + p[0] : iso; }
  function profile() { return history.length ? history[history.length - 1] : {}; }
  function save() { store.set("cnht.eligibility", JSON.stringify(history)); }

  function applyLanguage() { window.cnht.translate(lang, T[lang]); }

  function send(body) {
    body.lang = lang;
    return fetch("/api/eligibility", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
  }

  function refresh() {
    $("problem").textContent = "";
    send({ profile: profile() }).then(function (res) {
      if (!res.ok) { $("problem").textContent = (res.data.error && res.data.error.message) || t("error"); return; }
      show(res.data);
    }).catch(function () { $("problem").textContent = t("error"); });
  }

  function answer(field, value, typedText) {
    var body = { profile: profile(), record: true };
    if (typedText !== undefined) { body.answer = { field: field, text: typedText }; }
    else { body.profile = Object.assign({}, profile()); body.profile[field] = value; }
    send(body).then(function (res) {
      if (!res.ok) { $("problem").textContent = res.data.error ? res.data.error.message : t("error"); $("typed-input").focus(); return; }
      history.push(res.data.profile);
      save();
      show(res.data);
      $("check").focus();
    }).catch(function () { $("problem").textContent = t("error"); });
  }

  // Eligible first, then can't tell yet, then not eligible; closed programs last.
  var ORDER = { eligible: 0, unknown: 1, not_eligible: 2, closed: 3 };

  function summarise(data) {
    $("summary").hidden = false;
    $("summary-title").textContent = t("summary").replace("{day}", day(data.today));
    var list = $("summary-answers");
    list.textContent = "";
    if (!data.answers.length) list.appendChild(el("dd", {}, t("noAnswers")));
    data.answers.forEach(function (a) {
      list.appendChild(el("dt", {}, a.question));
      list.appendChild(el("dd", {}, a.answer));
    });
    var noneOpen = data.programs.every(function (p) { return p.status === "closed"; });
    $("none-open").hidden = !noneOpen;
    $("none-open").textContent = noneOpen ? t("noneOpen").replace("{day}", day(data.today)) : "";
  }

  function show(data) {
    var q = data.next_question;
    summarise(data);
    $("check").hidden = !q;
    $("done").hidden = !!q;
    $("back").disabled = history.length === 0;
    $("progress").textContent = history.length ? t("answered") + history.length : "";
    if (q) {
      $("q-text").textContent = q.text;
      var choices = $("choices");
      choices.textContent = "";
      q.choices.forEach(function (c) {
        var b = el("button", { type: "button", "class": "choice" }, c.label);
        b.addEventListener("click", function () { answer(q.field, c.value); });
        choices.appendChild(b);
      });
      $("typed").hidden = q.choices.length > 0;
      $("typed-input").value = "";
      $("typed-input").dataset.field = q.field;
      $("example").textContent = q.example ? t("example") + q.example : "";
    }
    var list = $("results");
    list.textContent = "";
    data.programs.slice().sort(function (a, b) { return ORDER[a.status] - ORDER[b.status]; }).forEach(function (p) {
      var item = el("li", { "class": "program " + p.status, "data-program": p.id });
      var head = el("h3", {}, p.name + " ");
      head.appendChild(el("span", { "class": "badge" }, t(p.status)));
      item.appendChild(head);
      item.appendChild(el("p", {}, p.summary));
      var dates = [p.opens && p.status !== "closed" ? t("opens") + day(p.opens) : "", p.closes ? t("until") + day(p.closes) : ""].filter(Boolean);
      if (dates.length) item.appendChild(el("p", { "class": "meta" }, dates.join(" · ") + (p.sample ? " · " + t("sample") : "")));
      var reasons = el("ul", { "class": "reasons" });
      p.reasons.forEach(function (r) {
        var mark = r.met === true ? "✓ " : r.met === false ? "✗ " : "? ";
        var li = el("li", { "class": r.met === true ? "met" : r.met === false ? "unmet" : "open" }, mark + r.explain);
        if (r.your_answer) li.appendChild(el("span", { "class": "meta" }, " — " + t("yourValue") + r.your_answer));
        var c = r.citation;
        li.appendChild(el("cite", {}, " [" + [c.doc_number || c.title || c.doc_id, c.section].filter(Boolean).join(", ") + "]"));
        reasons.appendChild(li);
      });
      item.appendChild(reasons);
      [["benefits", p.benefits], ["documents", p.documents]].forEach(function (pair) {
        if (!pair[1].length) return;
        item.appendChild(el("h4", {}, t(pair[0])));
        var ul = el("ul");
        pair[1].forEach(function (x) { ul.appendChild(el("li", {}, x)); });
        item.appendChild(ul);
      });
      item.appendChild(el("p", {}, t("apply") + ": " + p.apply + (p.contact ? " · " + t("contact") + ": " + p.contact : "")));
      list.appendChild(item);
    });
  }

  $("answer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = $("typed-input");
    if (input.value.trim()) answer(input.dataset.field, null, input.value);
  });
  $("back").addEventListener("click", function () { history.pop(); save(); refresh(); });
  function restart() { history = []; save(); refresh(); }
  $("restart").addEventListener("click", restart);
  $("restart2").addEventListener("click", restart);
  $("print").addEventListener("click", function () { window.print(); });
  $("lang").addEventListener("click", function () {
    lang = lang === "vi" ? "en" : "vi";
    store.set("cnht.lang", lang);
    applyLanguage();
    refresh();
  });
  applyLanguage();
  refresh();
})();
