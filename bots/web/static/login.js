// Staff sign-in: a CSRF token from the server, then username and password.
(function () {
  "use strict";
  var T = {
    vi: { title: "Khu làm việc của cán bộ", heading: "Đăng nhập", username: "Tên đăng nhập", password: "Mật khẩu",
          submit: "Đăng nhập", error: "Không đăng nhập được. Vui lòng thử lại.", switchTo: "Switch to English", switchLabel: "EN" },
    en: { title: "Staff workspace", heading: "Sign in", username: "Username", password: "Password",
          submit: "Sign in", error: "Could not sign in. Please try again.", switchTo: "Chuyển sang tiếng Việt", switchLabel: "VI" }
  };
  var store = window.cnht.store;
  var lang = store.get("cnht.lang") || "vi";
  var csrf = "";
  var $ = function (id) { return document.getElementById(id); };
  function apply() {
    window.cnht.translate(lang, T[lang]);
    document.title = T[lang].heading + " — CNHT";
  }
  $("lang").addEventListener("click", function () {
    lang = lang === "vi" ? "en" : "vi";
    store.set("cnht.lang", lang);
    apply();
  });
  fetch("/admin/api/csrf", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) { csrf = d.csrf; });
  $("login").addEventListener("submit", function (e) {
    e.preventDefault();
    $("problem").textContent = "";
    fetch("/admin/api/login", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ username: $("username").value, password: $("password").value })
    }).then(function (r) {
      return r.json().then(function (d) {
        if (r.ok) { location.href = "/admin"; return; }
        var e = d.error || {};
        $("problem").textContent = (e.messages && e.messages[lang]) || T[lang].error;
        $("password").value = "";
        $("password").focus();
      });
    }).catch(function () { $("problem").textContent = T[lang].error; });
  });
  apply();
})();
