// A page that answers a form's POST (a cast refused with what to fix, a ballot shown for its passphrase)
// replaces its own history entry with the address of the page to show instead, fetched with a GET. Back and
// Reload then never offer to send the form again, and never show the answer again without the form. The
// address names the main content (#main): a browser keeps the POST of an entry whose address stays the same.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");
  if (url && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", url);
  }
})();
