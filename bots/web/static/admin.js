// Staff workspace. Every change carries the session's CSRF token; everything shown is inserted as text.
(function () {
  "use strict";
  var T = {
    vi: {
      title: "Khu làm việc của cán bộ", logout: "Đăng xuất", documents: "Văn bản", queue: "Câu hỏi chưa trả lời",
      curated: "Câu trả lời soạn sẵn", analytics: "Thống kê", audit: "Nhật ký và tài khoản",
      uploadLabel: "Tải lên văn bản (PDF, DOCX, DOC, HTML, Markdown, TXT, JSONL)", upload: "Tải lên",
      docId: "Mã", number: "Số hiệu", type: "Loại", status: "Hiệu lực", docTitle: "Tiêu đề", actions: "Thao tác",
      order: "Sắp xếp", frequent: "Hỏi nhiều nhất", newest: "Mới nhất", newCurated: "Câu trả lời mới", editCurated: "Sửa câu trả lời",
      questionVi: "Câu hỏi (tiếng Việt)", questionEn: "Câu hỏi (tiếng Anh)", answerVi: "Câu trả lời (tiếng Việt)",
      answerEn: "Câu trả lời (tiếng Anh)", sources: "Nguồn: mỗi dòng \"mã văn bản | mục\"", save: "Lưu", period: "Khoảng thời gian",
      daysUnit: "ngày", questionsPerDay: "Câu hỏi mỗi ngày theo kênh", answeredVsRefused: "Trả lời được và từ chối",
      topDocuments: "Văn bản được trích dẫn nhiều nhất", eligibilityChecks: "Kiểm tra điều kiện theo chương trình",
      newUser: "Tài khoản mới", username: "Tên đăng nhập", password: "Mật khẩu", role: "Vai trò", create: "Tạo",
      when: "Thời gian", who: "Người thực hiện", action: "Thao tác", target: "Đối tượng", detail: "Chi tiết",
      apply: "Áp dụng", reingest: "Đọc lại", remove: "Gỡ bỏ", confirmRemove: "Gỡ văn bản này khỏi chỉ mục?",
      in_force: "còn hiệu lực", superseded: "bị thay thế", expired: "hết hiệu lực", answer: "Soạn câu trả lời", dismiss: "Bỏ qua",
      times: "lần", refused: "từ chối", thumbsDown: "không hữu ích", verified: "đã xác nhận", needs_review: "cần xem lại",
      confirm: "Xác nhận còn đúng", edit: "Sửa", delete: "Xóa", csv: "Tải CSV", saved: "Đã lưu.", done: "Xong.",
      refusedFile: "Không nhận tệp: ", uploaded: "Kết quả: ", uploads: "Tệp tải lên gần đây", job_queued: "đang chờ nạp", job_running: "đang nạp", job_done: "đã nạp xong", job_failed: "không nạp được", error: "Có lỗi. Vui lòng thử lại.", switchTo: "Switch to English", switchLabel: "EN",
      search: "Tìm văn bản", filterStatus: "Hiệu lực", allStatuses: "Tất cả", issued: "Ngày ban hành", ingested: "Ngày nạp",
      supersededBy: "Thay thế bởi", shown: "Hiển thị {n}/{total} văn bản", added: "đã thêm", replaced: "đã thay thế", unchanged: "không đổi", failed: "lỗi",
      answered: "trả lời được", citations: "lượt trích dẫn",
      codes: { unauthorized: "Bạn cần đăng nhập lại.", forbidden: "Bạn không có quyền làm việc này, hoặc phiên đã hết hạn: hãy tải lại trang.",
               invalid_request: "Dữ liệu gửi lên không hợp lệ.", internal: "Máy chủ gặp lỗi; vui lòng thử lại.", rate_limited: "Quá nhiều yêu cầu; vui lòng thử lại sau ít giây.",
               payload_too_large: "Tệp hoặc dữ liệu quá lớn." },
      tables: { questions_per_day: "Câu hỏi mỗi ngày", answered_vs_refused: "Trả lời và từ chối", satisfaction: "Mức hài lòng",
                top_questions: "Câu hỏi nhiều nhất", top_documents: "Văn bản trích dẫn nhiều nhất", eligibility: "Kiểm tra điều kiện" }
    },
    en: {
      title: "Staff workspace", logout: "Sign out", documents: "Documents", queue: "Unanswered questions",
      curated: "Curated answers", analytics: "Analytics", audit: "Audit log and accounts",
      uploadLabel: "Upload a document (PDF, DOCX, DOC, HTML, Markdown, TXT, JSONL)", upload: "Upload",
      docId: "ID", number: "Number", type: "Type", status: "Status", docTitle: "Title", actions: "Actions",
      order: "Order", frequent: "Most asked", newest: "Newest", newCurated: "New curated answer", editCurated: "Edit curated answer",
      questionVi: "Question (Vietnamese)", questionEn: "Question (English)", answerVi: "Answer (Vietnamese)",
      answerEn: "Answer (English)", sources: "Sources: one \"doc_id | section\" per line", save: "Save", period: "Period",
      daysUnit: "days", questionsPerDay: "Questions per day by channel", answeredVsRefused: "Answered and refused",
      topDocuments: "Most cited documents", eligibilityChecks: "Eligibility checks by program",
      newUser: "New account", username: "Username", password: "Password", role: "Role", create: "Create",
      when: "When", who: "Who", action: "Action", target: "Target", detail: "Detail",
      apply: "Apply", reingest: "Re-ingest", remove: "Remove", confirmRemove: "Remove this document from the index?",
      in_force: "in force", superseded: "superseded", expired: "expired", answer: "Answer it", dismiss: "Dismiss",
      times: "times", refused: "refused", thumbsDown: "thumbs down", verified: "verified", needs_review: "needs review",
      confirm: "Confirm it still holds", edit: "Edit", delete: "Delete", csv: "Download CSV", saved: "Saved.", done: "Done.",
      refusedFile: "File refused: ", uploaded: "Result: ", uploads: "Recent uploads", job_queued: "waiting to be ingested", job_running: "ingesting", job_done: "ingested", job_failed: "not ingested", error: "Something went wrong. Please try again.", switchTo: "Chuyển sang tiếng Việt", switchLabel: "VI",
      search: "Search documents", filterStatus: "Status", allStatuses: "All", issued: "Issued", ingested: "Ingested",
      supersededBy: "Superseded by", shown: "Showing {n} of {total} documents", added: "added", replaced: "replaced", unchanged: "unchanged", failed: "failed",
      answered: "answered", citations: "citations",
      codes: { unauthorized: "Please sign in again.", forbidden: "You may not do this, or your session has expired: reload the page.",
               invalid_request: "The data sent is not valid.", internal: "The server failed; please try again.", rate_limited: "Too many requests; please try again in a few seconds.",
               payload_too_large: "The file or data is too large." },
      tables: { questions_per_day: "Questions per day", answered_vs_refused: "Answered and refused", satisfaction: "Satisfaction",
                top_questions: "Top questions", top_documents: "Most cited documents", eligibility: "Eligibility checks" }
    }
  };
  var ELIGIBILITY = { vi: { eligible: "đủ điều kiện", not_eligible: "không đủ điều kiện", unknown: "chưa xác định", closed: "đã đóng" },
                      en: { eligible: "eligible", not_eligible: "not eligible", unknown: "can't tell", closed: "closed" } };
  var store = window.cnht.store, el = window.cnht.el;
  var lang = store.get("cnht.lang") || "vi";
  var csrf = "", role = "staff";
  var $ = function (id) { return document.getElementById(id); };
  function t(k) { return T[lang][k]; }
  function say(text) { $("notice").textContent = text; }
  function day(iso) { if (!iso) return ""; var p = String(iso).slice(0, 10).split("-"); return lang === "vi" ? p[2] + "/" + p[1] + "/" + p[0] : p.join("-"); }

  function api(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (body instanceof FormData) options.body = body;
    else if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(path, options).then(function (r) {
      if (r.status === 401) { location.href = "/admin/login"; throw new Error("signed out"); }
      var type = r.headers.get("content-type") || "";
      return (type.indexOf("json") >= 0 ? r.json() : r.text()).then(function (data) { return { ok: r.ok, data: data }; });
    });
  }
  // The server says why in both languages (error.messages), or gives a code this page words itself.
  function problem(res) {
    var e = res.data && res.data.error;
    if (!e) return t("error");
    if (e.messages && e.messages[lang]) return e.messages[lang];
    return T[lang].codes[e.code] || (lang === "en" && e.message) || t("error");
  }

  function applyLanguage() { window.cnht.translate(lang, T[lang]); }

  // Tabs
  var tabs = ["documents", "queue", "curated", "analytics", "audit"];
  var loaders = {};
  function show(name) {
    say("");  // a "Done." belongs to the tab it was said in
    tabs.forEach(function (tab) {
      $(tab).hidden = tab !== name;
      $("tab-" + tab).setAttribute("aria-selected", String(tab === name));
    });
    if (loaders[name]) loaders[name]();
  }
  tabs.forEach(function (tab) { $("tab-" + tab).addEventListener("click", function () { show(tab); }); });

  // Documents
  function filterDocuments() {
    var words = $("doc-search").value.trim().toLowerCase(), status = $("doc-filter").value, shown = 0, total = 0;
    document.querySelectorAll("#doc-rows tr").forEach(function (tr) {
      total += 1;
      var visible = (!status || tr.getAttribute("data-status") === status) && (!words || tr.textContent.toLowerCase().indexOf(words) >= 0);
      tr.hidden = !visible;
      if (visible) shown += 1;
    });
    $("doc-count").textContent = t("shown").replace("{n}", shown).replace("{total}", total);
  }
  $("doc-search").addEventListener("input", filterDocuments);
  $("doc-filter").addEventListener("change", filterDocuments);
  loaders.documents = function () {
    api("GET", "/admin/api/documents").then(function (res) {
      var rows = $("doc-rows");
      rows.textContent = "";
      res.data.forEach(function (d) {
        var tr = el("tr", { "data-doc": d.doc_id, "data-status": d.status || "in_force" });
        [d.doc_id, d.doc_number || "", d.doc_type || "", day(d.issued_date), day(d.ingested_at), t(d.status || "in_force"), d.superseded_by || "", d.title || ""].forEach(function (v, i) {
          tr.appendChild(el("td", { "class": ["id", "number", "type", "date", "date", "status", "id", "title"][i] }, v));
        });
        var cell = el("td", { "class": "actions" });
        var select = el("select", { "aria-label": t("status") + " " + d.doc_id });
        ["in_force", "superseded", "expired"].forEach(function (s) {
          var o = el("option", { value: s }, t(s));
          if ((d.status || "in_force") === s) o.selected = true;
          select.appendChild(o);
        });
        var applyButton = el("button", { type: "button" }, t("apply"));
        applyButton.addEventListener("click", function () {
          api("POST", "/admin/api/documents/" + encodeURIComponent(d.doc_id) + "/status", { status: select.value })
            .then(function (r) { say(r.ok ? t("done") : problem(r)); loaders.documents(); });
        });
        var again = el("button", { type: "button" }, t("reingest"));
        again.addEventListener("click", function () {
          api("POST", "/admin/api/documents/" + encodeURIComponent(d.doc_id) + "/reingest").then(function (r) { say(r.ok ? t("done") : problem(r)); });
        });
        var remove = el("button", { type: "button", "class": "danger" }, t("remove"));
        remove.addEventListener("click", function () {
          if (!window.confirm(t("confirmRemove") + "\n" + d.doc_id)) return;
          api("DELETE", "/admin/api/documents/" + encodeURIComponent(d.doc_id)).then(function (r) { say(r.ok ? t("done") : problem(r)); loaders.documents(); });
        });
        [select, applyButton, again, remove].forEach(function (n) { cell.appendChild(n); });
        tr.appendChild(cell);
        rows.appendChild(tr);
      });
      filterDocuments();
    });
    if (!polling) loadJobs();
  };
  // Uploads are ingested in the background: the page lists the latest jobs and polls while any is pending.
  var watched = {}, polling = null;
  function reportText(d) {
    return d.stored_as + " — " + (T[lang][d.status] || d.status) +
      (d.added.length ? " +" + d.added.join(", ") : "") + (d.replaced.length ? " ~" + d.replaced.join(", ") : "") +
      (d.failures.length ? " ✗ " + d.failures.join("; ") : "");
  }
  function jobReason(j) { return (j.messages && j.messages[lang]) || j.error; }
  function jobText(j) {
    var text = j.file + " — " + t("job_" + j.state);
    if (j.state === "done" && j.report) text += ": " + reportText(j.report);
    if (j.state === "failed") text += ": " + jobReason(j);
    return text + " · " + j.username + " · " + String(j.created_at || "").slice(0, 16).replace("T", " ");
  }
  function loadJobs() {
    clearTimeout(polling);
    return api("GET", "/admin/api/uploads").then(function (res) {
      if (!res.ok) return;
      var list = $("upload-jobs"), pending = false, finished = false;
      list.textContent = "";
      res.data.forEach(function (j) {
        list.appendChild(el("li", { "data-job": j.id, "data-state": j.state }, jobText(j)));
        if (j.state === "queued" || j.state === "running") pending = true;
        else if (watched[j.id]) {
          delete watched[j.id];
          finished = true;
          $("upload-result").textContent = j.state === "done" ? t("uploaded") + reportText(j.report) : t("refusedFile") + jobReason(j);
        }
      });
      $("jobs").hidden = !res.data.length;
      polling = pending ? setTimeout(loadJobs, 1000) : null;
      if (finished) loaders.documents();
    });
  }
  $("upload").addEventListener("submit", function (e) {
    e.preventDefault();
    var data = new FormData();
    data.append("file", $("file").files[0]);
    $("upload-result").textContent = "…";
    api("POST", "/admin/api/documents", data).then(function (res) {
      if (!res.ok) { $("upload-result").textContent = t("refusedFile") + problem(res); return; }
      watched[res.data.id] = true;
      $("upload-result").textContent = res.data.file + " — " + t("job_queued");
      loadJobs();
    });
  });

  // Unanswered queue
  loaders.queue = function () {
    api("GET", "/admin/api/queue?order=" + $("queue-order").value).then(function (res) {
      var list = $("queue-rows");
      list.textContent = "";
      res.data.forEach(function (g) {
        var li = el("li", { "class": "program queue-item" });
        li.appendChild(el("h3", {}, g.question));
        li.appendChild(el("p", { "class": "meta" }, g.count + " " + t("times") + " · " + g.refused + " " + t("refused") + " · " +
          g.thumbs_down + " " + t("thumbsDown") + " · " + g.langs.join(", ") + " · " + g.channels.join(", ") + " · " + g.newest.slice(0, 16).replace("T", " ")));
        if (g.examples.length > 1) {
          var ul = el("ul");
          g.examples.forEach(function (q) { ul.appendChild(el("li", {}, q)); });
          li.appendChild(ul);
        }
        var answer = el("button", { type: "button" }, t("answer"));
        answer.addEventListener("click", function () {
          fillCurated({ question_vi: g.langs.indexOf("vi") >= 0 ? g.question : "", question_en: g.langs.indexOf("vi") >= 0 ? "" : g.question }, g.key);
          show("curated");
        });
        var dismiss = el("button", { type: "button" }, t("dismiss"));
        dismiss.addEventListener("click", function () {
          api("POST", "/admin/api/queue/dismiss", { key: g.key }).then(function (r) { say(r.ok ? t("done") : problem(r)); loaders.queue(); });
        });
        li.appendChild(answer);
        li.appendChild(dismiss);
        list.appendChild(li);
      });
    });
  };
  $("queue-order").addEventListener("change", function () { loaders.queue(); });

  // Curated answers
  function fillCurated(entry, queueKey) {
    $("c-id").value = entry.id || "";
    $("c-queue").value = queueKey || "";
    $("c-qvi").value = entry.question_vi || "";
    $("c-qen").value = entry.question_en || "";
    $("c-avi").value = entry.answer_vi || "";
    $("c-aen").value = entry.answer_en || "";
    $("c-sources").value = (entry.sources || []).map(function (s) { return s.doc_id + (s.section ? " | " + s.section : ""); }).join("\n");
    $("curated-heading").textContent = entry.id ? t("editCurated") : t("newCurated");
    $("curated-problem").textContent = "";
    $("c-qvi").focus();
  }
  loaders.curated = function () {
    api("GET", "/admin/api/curated").then(function (res) {
      var list = $("curated-rows");
      list.textContent = "";
      res.data.forEach(function (c) {
        var li = el("li", { "class": "program " + (c.state === "verified" ? "eligible" : "not_eligible") });
        var head = el("h3", {}, c.question_vi + " ");
        head.appendChild(el("span", { "class": "badge" }, t(c.state)));
        li.appendChild(head);
        li.appendChild(el("p", {}, c.answer_vi));
        li.appendChild(el("p", { "class": "meta" }, c.sources.map(function (s) { return s.doc_id + (s.section ? ", " + s.section : ""); }).join("; ")));
        c.reasons.forEach(function (r) { li.appendChild(el("p", { "class": "problem" }, r)); });
        if (c.state !== "verified") {
          var confirm = el("button", { type: "button" }, t("confirm"));
          confirm.addEventListener("click", function () {
            api("POST", "/admin/api/curated/" + c.id + "/confirm").then(function (r) { say(r.ok ? t("done") : problem(r)); loaders.curated(); });
          });
          li.appendChild(confirm);
        }
        var edit = el("button", { type: "button" }, t("edit"));
        edit.addEventListener("click", function () { fillCurated(c); });
        var remove = el("button", { type: "button", "class": "danger" }, t("delete"));
        remove.addEventListener("click", function () {
          api("DELETE", "/admin/api/curated/" + c.id).then(function (r) { say(r.ok ? t("done") : problem(r)); loaders.curated(); });
        });
        li.appendChild(edit);
        li.appendChild(remove);
        list.appendChild(li);
      });
    });
  };
  $("curated-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var sources = $("c-sources").value.split("\n").map(function (line) {
      var parts = line.split("|");
      return { doc_id: parts[0].trim(), section: (parts[1] || "").trim() };
    }).filter(function (s) { return s.doc_id; });
    var body = { question_vi: $("c-qvi").value, question_en: $("c-qen").value, answer_vi: $("c-avi").value,
                 answer_en: $("c-aen").value, sources: sources, from_queue: $("c-queue").value };
    var id = $("c-id").value;
    api(id ? "PUT" : "POST", "/admin/api/curated" + (id ? "/" + id : ""), body).then(function (res) {
      if (!res.ok) { $("curated-problem").textContent = problem(res); return; }
      say(t("saved"));
      fillCurated({});
      loaders.curated();
    });
  });

  // Analytics
  function chart(id, traces, layout) {
    if (!window.Plotly) return;
    traces.forEach(function (trace) {  // long labels are shortened on the axis and shown whole on hover
      ["x", "y"].forEach(function (axis) {
        if (!trace[axis] || typeof trace[axis][0] !== "string" || /^\d{4}-\d\d-\d\d$/.test(trace[axis][0])) return;
        trace.hovertext = trace[axis];
        trace.hoverinfo = "text+" + (axis === "x" ? "y" : "x");
        trace[axis] = trace[axis].map(function (s) { return s.length > 28 ? s.slice(0, 27) + "…" : s; });
      });
    });
    window.Plotly.react(id, traces, Object.assign({ margin: { t: 30, r: 10, b: 40, l: 40 }, height: 260, barmode: "stack",
      showlegend: traces.length > 1, legend: { orientation: "h", x: 0, y: 1.2 }, xaxis: { type: "category", automargin: true },
      yaxis: { automargin: true } }, layout || {}),
      { displayModeBar: false, responsive: true });
  }
  loaders.analytics = function () {
    var days = $("days").value;
    api("GET", "/admin/api/analytics?days=" + days).then(function (res) {
      var data = res.data;
      var channels = {};
      data.questions_per_day.forEach(function (r) {
        var key = r.channel + " (" + r.lang + ")";
        (channels[key] = channels[key] || { x: [], y: [], type: "bar", name: key }).x.push(r.day);
        channels[key].y.push(r.questions);
      });
      chart("chart-questions", Object.keys(channels).map(function (k) { return channels[k]; }));
      chart("chart-outcome", [
        { x: data.answered_vs_refused.map(function (r) { return r.day; }), y: data.answered_vs_refused.map(function (r) { return r.answered; }), type: "bar", name: t("answered") },
        { x: data.answered_vs_refused.map(function (r) { return r.day; }), y: data.answered_vs_refused.map(function (r) { return r.refused; }), type: "bar", name: t("refused") }]);
      chart("chart-documents", [{ x: data.top_documents.map(function (r) { return r.citations; }),
        y: data.top_documents.map(function (r) { return r.label || r.doc_id; }), type: "bar", orientation: "h", name: t("citations") }], { margin: { l: 10, t: 10, r: 10, b: 30 }, xaxis: { automargin: true }, yaxis: { type: "category", automargin: true } });
      chart("chart-eligibility", ["eligible", "not_eligible", "unknown", "closed"].map(function (s) {
        return { x: data.eligibility.map(function (r) { return r.program; }), y: data.eligibility.map(function (r) { return r[s]; }), type: "bar", name: ELIGIBILITY[lang][s] };
      }));
      var box = $("tables");
      box.textContent = "";
      Object.keys(T[lang].tables).forEach(function (name) {
        var rows = data[name];
        var section = el("section", { "class": "table-block", "data-table": name });
        var head = el("h3", {}, T[lang].tables[name] + " ");
        head.appendChild(el("a", { href: "/admin/api/analytics/" + name + ".csv?days=" + days, download: name + ".csv" }, t("csv")));
        section.appendChild(head);
        if (rows.length) {
          var table = el("table", { "class": "grid" });
          var tr = el("tr");
          Object.keys(rows[0]).forEach(function (k) { tr.appendChild(el("th", {}, k)); });
          table.appendChild(tr);
          rows.forEach(function (r) {
            var row = el("tr");
            Object.keys(rows[0]).forEach(function (k) { row.appendChild(el("td", {}, r[k] === null ? "—" : r[k])); });
            table.appendChild(row);
          });
          section.appendChild(table);
        }
        box.appendChild(section);
      });
    });
  };
  $("days").addEventListener("change", function () { loaders.analytics(); });

  // Audit log and accounts (admin)
  loaders.audit = function () {
    api("GET", "/admin/api/users").then(function (res) {
      var list = $("user-rows");
      list.textContent = "";
      (res.ok ? res.data : []).forEach(function (u) { list.appendChild(el("li", {}, u.username + " — " + u.role + (u.locked ? " 🔒" : ""))); });
    });
    api("GET", "/admin/api/audit").then(function (res) {
      var rows = $("audit-rows");
      rows.textContent = "";
      (res.ok ? res.data : []).forEach(function (a) {
        var tr = el("tr");
        [a.at.slice(0, 19).replace("T", " "), a.username, a.action, a.target, a.detail].forEach(function (v) { tr.appendChild(el("td", {}, v)); });
        rows.appendChild(tr);
      });
    });
  };
  $("user-form").addEventListener("submit", function (e) {
    e.preventDefault();
    api("POST", "/admin/api/users", { username: $("u-name").value, password: $("u-pass").value, role: $("u-role").value }).then(function (res) {
      $("user-problem").textContent = res.ok ? "" : problem(res);
      if (res.ok) { $("u-name").value = ""; $("u-pass").value = ""; loaders.audit(); }
    });
  });

  $("lang").addEventListener("click", function () {
    lang = lang === "vi" ? "en" : "vi";
    store.set("cnht.lang", lang);
    applyLanguage();
    say("");
    var current = tabs.filter(function (tab) { return !$(tab).hidden; })[0];
    if (current && loaders[current]) loaders[current]();  // redraw what the tab shows in the new language
  });
  $("logout").addEventListener("click", function () {
    api("POST", "/admin/api/logout").then(function () { location.href = "/admin/login"; });
  });

  api("GET", "/admin/api/me").then(function (res) {
    csrf = res.data.csrf;
    role = res.data.role;
    $("who").textContent = res.data.username + " (" + role + ")";
    document.querySelectorAll("[data-admin]").forEach(function (n) { n.hidden = role !== "admin"; });
    applyLanguage();
    show("documents");
  });
})();
