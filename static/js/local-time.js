// Show each UTC time also in the reader's own time zone, next to it, written the way the page's language
// writes dates. Without this script the UTC time stays.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var format;
  try {
    format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      weekday: "short", year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
  } catch (e) {
    return;
  }
  document.querySelectorAll("time.js-local-time[datetime]").forEach(function (node) {
    var when = new Date(node.getAttribute("datetime"));
    if (isNaN(when.getTime())) {
      return;
    }
    var local = document.createElement("span");
    local.className = "local-time";
    local.textContent = " " + gettext("(your time: %s)").replace("%s", format.format(when));
    node.insertAdjacentElement("afterend", local);
  });
})();
