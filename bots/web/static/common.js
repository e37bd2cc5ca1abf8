// What every page shares: elements built from text (never from HTML), the page's language, and settings
// kept in the browser.
window.cnht = (function () {
  "use strict";
  return {
    el: function (tag, attrs, text) {
      var node = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      if (text !== undefined && text !== null) node.textContent = String(text);
      return node;
    },
    translate: function (lang, texts) {
      document.documentElement.lang = lang;
      if (texts.title) document.title = texts.title;
      document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = texts[n.getAttribute("data-i18n")]; });
      document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) { n.setAttribute("placeholder", texts[n.getAttribute("data-i18n-placeholder")]); });
      document.querySelectorAll("[data-i18n-label]").forEach(function (n) { n.setAttribute("aria-label", texts[n.getAttribute("data-i18n-label")]); });
      var button = document.getElementById("lang");
      if (button) {
        button.textContent = texts.switchLabel;
        button.setAttribute("aria-label", texts.switchLabel + " — " + texts.switchTo);  // the visible text first
      }
    },
    store: {
      get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
      set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) {} }
    }
  };
})();
