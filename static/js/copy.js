// Copy buttons for the suggested passphrase and the receipt. They stay hidden when the script cannot run,
// and the text itself can always be selected and copied by hand.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("button.js-copy[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentNode.querySelector(".js-copy-status");
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        if (status) { status.textContent = gettext("Copied."); }
      }, function () {
        if (status) { status.textContent = gettext("Could not copy: select the text and copy it by hand."); }
      });
    });
  });
})();
