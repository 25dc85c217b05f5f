// A running summary of the ranking under the ballot, so a voter sees the order as they choose ranks.
// The ballot works without it: the review page shows the same summary before anything is cast.
(function () {
  "use strict";
  var list = document.querySelector(".js-ballot");
  if (!list) {
    return;
  }
  var summary = document.createElement("div");
  summary.className = "card ballot-live-summary";
  summary.setAttribute("aria-live", "polite");
  list.parentNode.appendChild(summary);

  function render() {
    var groups = {};
    var unranked = [];
    list.querySelectorAll(".ballot-row").forEach(function (row) {
      var select = row.querySelector("select");
      var name = row.querySelector("label").textContent.trim();
      if (select.value === "") {
        unranked.push(name);
      } else {
        (groups[select.value] = groups[select.value] || []).push(name);
      }
    });
    var ranks = Object.keys(groups).map(Number).sort(function (a, b) { return a - b; });
    summary.textContent = "";
    var heading = document.createElement("p");
    heading.textContent = ranks.length ? "Your ranking so far, as it will be counted:"
      : "You have not ranked anyone yet.";
    summary.appendChild(heading);
    if (ranks.length) {
      var ol = document.createElement("ol");
      ol.className = "live-ranks";
      ranks.forEach(function (rank) {
        var li = document.createElement("li");
        var tie = groups[rank].length > 1 ? " (tie)" : "";
        li.textContent = "Rank " + rank + tie + ": " + groups[rank].join(", ");
        ol.appendChild(li);
      });
      summary.appendChild(ol);
    }
    if (unranked.length && ranks.length) {
      var rest = document.createElement("p");
      rest.textContent = (list.getAttribute("data-unranked-label") || "Not ranked") + ": " + unranked.join(", ") +
        (list.hasAttribute("data-no-opinion") ? " (no preference about them: counted neither for nor against them)" : "");
      summary.appendChild(rest);
    }
  }
  list.addEventListener("change", render);
  render();
})();
