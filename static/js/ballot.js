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

  // The same reading as the server's: an unranked candidate sits at the lowest rank (tied last), "No opinion"
  // apart.
  var lowest = list.getAttribute("data-lowest-rank");

  function render() {
    var groups = {};
    var noOpinion = [];
    var touched = false;
    list.querySelectorAll(".ballot-row").forEach(function (row) {
      var select = row.querySelector("select");
      var name = row.querySelector("label").textContent.trim();
      if (select.value === "no-opinion") {
        noOpinion.push(name);
        return;
      }
      touched = touched || select.value !== "";
      var rank = select.value === "" ? lowest : select.value;
      (groups[rank] = groups[rank] || []).push(name);
    });
    var ranks = Object.keys(groups).map(Number).sort(function (a, b) { return a - b; });
    // Tied names in the order the review page lists them (sorted by code point, as Python sorts).
    ranks.forEach(function (rank) { groups[rank].sort(); });
    noOpinion.sort();
    summary.textContent = "";
    var heading = document.createElement("p");
    heading.textContent = touched ? "Your ranking so far, as it will be counted:"
      : "You have not ranked anyone yet.";
    summary.appendChild(heading);
    if (touched) {
      var ol = document.createElement("ol");
      ol.className = "live-ranks";
      ranks.forEach(function (rank) {
        var li = document.createElement("li");
        var label = "Rank " + rank + (String(rank) === lowest && Number(lowest) > 1 ? ", last" : "");
        var tie = groups[rank].length > 1 ? " (tie)" : "";
        li.textContent = label + tie + ": " + groups[rank].join(", ");
        ol.appendChild(li);
      });
      summary.appendChild(ol);
    }
    if (noOpinion.length) {
      var rest = document.createElement("p");
      rest.textContent = (list.getAttribute("data-no-opinion-label") || "No opinion") + ": " + noOpinion.join(", ");
      summary.appendChild(rest);
    }
  }
  list.addEventListener("change", render);
  render();
})();
