// CNHT Assistant widget: <script src="https://HOST/widget.js" data-lang="vi" defer></script>
// The chat opens in an iframe inside a closed shadow root, so the host page's styles and the chat's never touch.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__cnhtWidget) return;
  window.__cnhtWidget = true;
  var origin = new URL(script.src).origin;
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "vi";
  var host = document.createElement("div");
  host.setAttribute("data-cnht-widget", "");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent =
    ":host{all:initial}" +
    ".bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#0b5cad;color:#fff;font:600 24px/56px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3);z-index:2147483646}" +
    ".bubble:focus-visible{outline:3px solid #1b1f24;outline-offset:2px;box-shadow:0 0 0 2px #fff}" +
    ".frame{position:fixed;right:20px;bottom:88px;width:min(400px,calc(100vw - 24px));height:min(620px,calc(100vh - 120px));border:1px solid #d0d7de;border-radius:12px;background:#fff;box-shadow:0 4px 16px rgba(0,0,0,.25);z-index:2147483647}" +
    ".frame[hidden]{display:none}";
  var bubble = document.createElement("button");
  bubble.className = "bubble";
  bubble.type = "button";
  bubble.setAttribute("aria-label", lang === "en" ? "Open the policy assistant" : "Mở trợ lý chính sách");
  bubble.setAttribute("aria-expanded", "false");
  bubble.textContent = "?";
  var frame = document.createElement("iframe");
  frame.className = "frame";
  frame.hidden = true;
  frame.title = lang === "en" ? "Policy assistant" : "Trợ lý chính sách";
  frame.setAttribute("data-src", origin + "/?embed=1&lang=" + lang);
  function setOpen(open) {
    frame.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    bubble.textContent = open ? "×" : "?";
    if (open) frame.focus(); else bubble.focus();
  }
  frame.addEventListener("load", function () { if (!frame.hidden) frame.focus(); });
  bubble.addEventListener("click", function () {
    if (!frame.getAttribute("src")) frame.setAttribute("src", frame.getAttribute("data-src"));
    setOpen(frame.hidden);
  });
  // The chat inside the frame asks to close on Esc (it keeps Tab inside itself while open).
  window.addEventListener("message", function (e) {
    if (e.origin === origin && e.source === frame.contentWindow && e.data && e.data.cnht === "close" && !frame.hidden) setOpen(false);
  });
  bubble.addEventListener("keydown", function (e) { if (e.key === "Escape" && !frame.hidden) setOpen(false); });
  root.appendChild(style);
  root.appendChild(frame);
  root.appendChild(bubble);
  document.body.appendChild(host);
})();
