// Rank by hand: the ballot's rows become cards a voter can drag into order, or move with buttons from the
// keyboard (up, down, tie with the one above, set aside, "No opinion"). The rank selects stay the ballot: every
// move writes them, a change of a select is read back, and without this script they work on their own.
// A running summary under the ballot shows the ranking as it will be counted, and every move is announced.
(function () {
  "use strict";
  var list = document.querySelector(".js-ballot");
  if (!list) {
    return;
  }
  var gettext = window.gettext || function (message) { return message; };
  var pgettext = window.pgettext || function (context, message) { return message; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  };
  var NOT_RANKED = "";
  var NO_OPINION = "no-opinion";
  // The same reading as the server's: an unranked candidate sits at the lowest rank (tied last), "No opinion"
  // apart.
  var lowest = list.getAttribute("data-lowest-rank");
  var allowNoOpinion = !!list.querySelector("option[value='" + NO_OPINION + "']");
  var text = {
    up: gettext("Up"), down: gettext("Down"), tie: gettext("Tie with above"), tieLast: gettext("Tie with last"),
    aside: gettext("Set aside"), noOpinion: gettext("No opinion"), rank: gettext("Rank next"),
    drag: gettext("Drag to reorder")
  };
  var rows = Array.prototype.slice.call(list.querySelectorAll(".ballot-row"));

  function select(row) { return row.querySelector("select"); }

  // Places as people count them, from the same messages as the server's (elections/places.py): English picks
  // one of its four endings, every other language translates each of them to its own ordinal.
  function ordinal(place) {
    var form;
    if ([11, 12, 13].indexOf(place % 100) !== -1 || [1, 2, 3].indexOf(place % 10) === -1) {
      form = pgettext("ordinal place, like 4th, 11th, 12th, 13th", "%(place)sth");
    } else if (place % 10 === 1) {
      form = pgettext("ordinal place, like 1st, 21st", "%(place)sst");
    } else if (place % 10 === 2) {
      form = pgettext("ordinal place, like 2nd, 22nd", "%(place)snd");
    } else {
      form = pgettext("ordinal place, like 3rd, 23rd", "%(place)srd");
    }
    return interpolate(form, { place: place }, true);
  }

  function placeLabel(index, tied) {
    var place = ordinal(index + 1);
    return tied ? interpolate(gettext("%(place)s, tied"), { place: place }, true) : place;
  }
  function name(row) { return row.querySelector("label").textContent.trim(); }

  // --- the announcer and the summary ------------------------------------------------------------------
  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  list.parentNode.insertBefore(announcer, list);

  function announce(message) {
    // Emptied first, so that the same words twice in a row are read twice.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 30);
  }

  var summary = document.createElement("div");
  summary.className = "card ballot-live-summary";
  list.parentNode.appendChild(summary);

  // --- the ballot as groups, read from the selects -----------------------------------------------------
  function state() {
    var byRank = {};
    var unranked = [];
    var noOpinion = [];
    rows.forEach(function (row) {
      var value = select(row).value;
      if (value === NO_OPINION) {
        noOpinion.push(row);
      } else if (value === NOT_RANKED) {
        unranked.push(row);
      } else {
        (byRank[value] = byRank[value] || []).push(row);
      }
    });
    var groups = Object.keys(byRank).map(Number).sort(function (a, b) { return a - b; })
      .map(function (rank) { return byRank[rank]; });
    return { groups: groups, unranked: unranked, noOpinion: noOpinion };
  }

  function write(s) {
    // Ranks 1, 2, 3... by group: only the order counts. A last card at the lowest rank counts as one left
    // unranked, and its select says so, as the summary and the review do.
    s.groups = s.groups.filter(function (group) { return group.length; });
    s.groups.forEach(function (group, i) {
      group.forEach(function (row) { select(row).value = String(i + 1) === lowest ? NOT_RANKED : String(i + 1); });
    });
    s.unranked.forEach(function (row) { select(row).value = NOT_RANKED; });
    s.noOpinion.forEach(function (row) { select(row).value = NO_OPINION; });
  }

  function where(s, row) {
    for (var i = 0; i < s.groups.length; i++) {
      if (s.groups[i].indexOf(row) !== -1) {
        return { zone: "ranked", group: i };
      }
    }
    return { zone: s.noOpinion.indexOf(row) !== -1 ? "no-opinion" : "unranked" };
  }

  function groupOf(s, row) {
    return s.groups.filter(function (g) { return g.indexOf(row) !== -1; })[0];
  }

  function remove(s, row) {
    s.groups = s.groups.map(function (g) { return g.filter(function (r) { return r !== row; }); });
    s.unranked = s.unranked.filter(function (r) { return r !== row; });
    s.noOpinion = s.noOpinion.filter(function (r) { return r !== row; });
  }

  // Cards in ranking order, then the unranked ones, then "No opinion"; ties marked.
  function arrange(s) {
    var ordered = [];
    s.groups.forEach(function (group, i) {
      group.forEach(function (row, k) {
        row.classList.toggle("tied", group.length > 1);
        row.classList.toggle("tie-start", group.length > 1 && k === 0);
        row.setAttribute("data-rank", String(i + 1));
        ordered.push(row);
      });
    });
    s.unranked.concat(s.noOpinion).forEach(function (row) {
      row.classList.remove("tied", "tie-start");
      row.removeAttribute("data-rank");
      ordered.push(row);
    });
    ordered.forEach(function (row) { list.appendChild(row); });
    rows.forEach(function (row) { updateButtons(s, row); });
  }

  function describe(s, row) {
    var at = where(s, row);
    if (at.zone === "no-opinion") {
      return interpolate(gettext("%(name)s: No opinion."), { name: name(row) }, true);
    }
    if (at.zone === "unranked") {
      return interpolate(gettext("%(name)s: not ranked, counts last."), { name: name(row) }, true);
    }
    var others = s.groups[at.group].filter(function (r) { return r !== row; }).map(name);
    var values = { name: name(row), place: ordinal(at.group + 1), others: others.join(", ") };
    return interpolate(others.length ? gettext("%(name)s: %(place)s, tied with %(others)s.")
      : gettext("%(name)s: %(place)s."), values, true);
  }

  // --- moves -------------------------------------------------------------------------------------------
  var moves = {
    up: function (s, row) {
      var at = where(s, row);
      if (at.zone !== "ranked") {
        remove(s, row);
        s.groups.push([row]);
      } else if (s.groups[at.group].length > 1) {
        remove(s, row);
        s.groups.splice(at.group, 0, [row]);
      } else if (at.group > 0) {
        var above = s.groups[at.group - 1];
        s.groups[at.group - 1] = s.groups[at.group];
        s.groups[at.group] = above;
      }
    },
    down: function (s, row) {
      var at = where(s, row);
      if (at.zone !== "ranked") {
        return;
      }
      if (s.groups[at.group].length > 1) {
        remove(s, row);
        s.groups.splice(at.group + 1, 0, [row]);
      } else if (at.group < s.groups.length - 1) {
        var below = s.groups[at.group + 1];
        s.groups[at.group + 1] = s.groups[at.group];
        s.groups[at.group] = below;
      }
    },
    tie: function (s, row) {
      var at = where(s, row);
      var target = at.zone === "ranked" ? at.group - 1 : s.groups.length - 1;
      if (target < 0) {
        return;
      }
      var anchor = s.groups[target][0];
      remove(s, row);
      groupOf(s, anchor).push(row);
    },
    aside: function (s, row) {
      remove(s, row);
      s.unranked.push(row);
    },
    noOpinion: function (s, row) {
      remove(s, row);
      s.noOpinion.push(row);
    }
  };
  moves.rank = moves.up;

  function apply(move, row, focusName) {
    var s = state();
    moves[move](s, row);
    write(s);
    s = state();
    arrange(s);
    render();
    announce(describe(s, row));
    var button = row.querySelector("button[data-move='" + focusName + "']");
    if (!button || button.disabled || button.hidden) {
      button = firstEnabled(row);
    }
    if (button) {
      button.focus();
    }
  }

  function firstEnabled(row) {
    var buttons = row.querySelectorAll(".rank-controls button");
    for (var i = 0; i < buttons.length; i++) {
      if (!buttons[i].disabled && !buttons[i].hidden) {
        return buttons[i];
      }
    }
    return select(row);
  }

  // --- controls on each card ---------------------------------------------------------------------------
  function makeButton(row, move, label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary rank-move";
    button.setAttribute("data-move", move);
    button.textContent = label;
    button.setAttribute("aria-label", actionLabel(label, row));
    button.addEventListener("click", function () { apply(move, row, move); });
    return button;
  }

  function actionLabel(action, row) {
    return interpolate(gettext("%(action)s: %(name)s"), { action: action, name: name(row) }, true);
  }

  function updateButtons(s, row) {
    var at = where(s, row);
    var ranked = at.zone === "ranked";
    var controls = row.querySelector(".rank-controls");
    var show = {
      rank: !ranked,
      up: ranked,
      down: ranked,
      tie: ranked ? at.group > 0 || s.groups[at.group].length > 1 : s.groups.length > 0,
      aside: at.zone !== "unranked",
      noOpinion: allowNoOpinion && at.zone !== "no-opinion"
    };
    Array.prototype.forEach.call(controls.querySelectorAll("button"), function (button) {
      var move = button.getAttribute("data-move");
      button.hidden = !show[move];
      if (move === "up") {
        button.disabled = at.group === 0 && s.groups[0].length === 1;
      } else if (move === "down") {
        button.disabled = ranked && at.group === s.groups.length - 1 && s.groups[at.group].length === 1;
      } else if (move === "tie") {
        button.disabled = ranked && at.group === 0;
        button.textContent = ranked ? text.tie : text.tieLast;
        button.setAttribute("aria-label", actionLabel(button.textContent, row));
      }
    });
  }

  rows.forEach(function (row) {
    row.classList.add("rank-card");
    var handle = document.createElement("span");
    handle.className = "drag-handle";
    handle.setAttribute("aria-hidden", "true");
    handle.title = text.drag;
    handle.textContent = "⠿";
    row.insertBefore(handle, row.firstChild);
    var controls = document.createElement("div");
    controls.className = "rank-controls";
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", interpolate(gettext("Move %(name)s"), { name: name(row) }, true));
    [["rank", text.rank], ["up", text.up], ["down", text.down], ["tie", text.tie], ["aside", text.aside],
      ["noOpinion", text.noOpinion]].forEach(function (pair) {
      if (pair[0] !== "noOpinion" || allowNoOpinion) {
        controls.appendChild(makeButton(row, pair[0], pair[1]));
      }
    });
    var link = row.querySelector(".candidate-link");
    row.insertBefore(controls, link);
    handle.addEventListener("pointerdown", function (event) { startDrag(event, row); });
  });
  list.classList.add("rank-board");
  var help = document.createElement("p");
  help.className = "muted rank-help";
  help.id = "rank-help";
  help.textContent = gettext("Drag a candidate by its handle (⠿), or use its buttons; the rank lists follow.");
  list.parentNode.insertBefore(help, list);

  // --- dragging (mouse, pen and touch alike, through pointer events) ----------------------------------
  // The order of the cards is the ballot: a card dropped above, below or onto another takes that place, and the
  // unranked cards shown above the place it is dropped are ranked in the order shown, so that a fresh ballot is
  // ranked by dragging alone. Held near the top or bottom edge of the window, a card scrolls the page.
  var drag = null;
  var EDGE = 56;

  function startDrag(event, row) {
    if (event.button !== 0 && event.pointerType === "mouse") {
      return;
    }
    event.preventDefault();
    drag = { row: row, startY: event.clientY + window.scrollY, lastY: event.clientY, pointerId: event.pointerId,
      target: null, placement: null, timer: null };
    row.classList.add("dragging");
    row.querySelector(".drag-handle").setPointerCapture(event.pointerId);
    drag.timer = window.setInterval(scrollAtEdge, 16);
  }

  function clearMarks() {
    rows.forEach(function (r) { r.classList.remove("drop-before", "drop-onto", "drop-after"); });
  }

  // The card under the pointer and where on it: its top part "before", its middle "onto", its bottom "after".
  // Above the first card is before it, below the last after it, a gap between two cards before the lower one.
  function aim(clientY) {
    var shown = Array.prototype.filter.call(list.children, function (r) {
      return r !== drag.row && r.classList.contains("ballot-row");
    });
    if (!shown.length) {
      return null;
    }
    for (var i = 0; i < shown.length; i++) {
      var box = shown[i].getBoundingClientRect();
      if (clientY < box.top) {
        return { target: shown[i], placement: "before" };
      }
      if (clientY <= box.bottom) {
        var part = (clientY - box.top) / box.height;
        return { target: shown[i], placement: part < 0.3 ? "before" : part > 0.7 ? "after" : "onto" };
      }
    }
    return { target: shown[shown.length - 1], placement: "after" };
  }

  function follow() {
    drag.row.style.transform = "translateY(" + (drag.lastY + window.scrollY - drag.startY) + "px)";
    clearMarks();
    var aimed = aim(drag.lastY);
    drag.target = aimed && aimed.target;
    drag.placement = aimed && aimed.placement;
    if (aimed) {
      aimed.target.classList.add("drop-" + aimed.placement);
    }
  }

  function scrollAtEdge() {
    if (!drag) {
      return;
    }
    var step = 0;
    if (drag.lastY > window.innerHeight - EDGE) {
      step = Math.min(24, drag.lastY - (window.innerHeight - EDGE));
    } else if (drag.lastY < EDGE) {
      step = -Math.min(24, EDGE - drag.lastY);
    }
    if (step) {
      var before = window.scrollY;
      window.scrollBy(0, Math.ceil(Math.abs(step) / 2) * (step > 0 ? 1 : -1));
      if (window.scrollY !== before) {
        follow();
      }
    }
  }

  function onMove(event) {
    if (!drag || event.pointerId !== drag.pointerId) {
      return;
    }
    drag.lastY = event.clientY;
    follow();
  }

  function drop(s, row, target, placement) {
    var at = where(s, target);
    remove(s, row);
    if (at.zone === "no-opinion") {
      s.noOpinion.push(row);
    } else if (at.zone === "unranked") {
      var upTo = s.unranked.indexOf(target) + (placement === "after" ? 1 : 0);
      var above = s.unranked.slice(0, upTo);
      s.unranked = s.unranked.slice(upTo);
      above.forEach(function (r) { s.groups.push([r]); });
      if (placement === "onto") {
        s.unranked = s.unranked.filter(function (r) { return r !== target; });
        s.groups.push([target, row]);
      } else {
        s.groups.push([row]);
      }
    } else {
      var index = s.groups.indexOf(groupOf(s, target));
      if (placement === "onto") {
        s.groups[index].push(row);
      } else {
        s.groups.splice(placement === "before" ? index : index + 1, 0, [row]);
      }
    }
  }

  function onUp(event) {
    if (!drag || event.pointerId !== drag.pointerId) {
      return;
    }
    var row = drag.row;
    var target = drag.target;
    var placement = drag.placement;
    window.clearInterval(drag.timer);
    row.classList.remove("dragging");
    row.style.transform = "";
    clearMarks();
    drag = null;
    if (!target || event.type === "pointercancel") {
      return;
    }
    var s = state();
    drop(s, row, target, placement);
    write(s);
    s = state();
    arrange(s);
    render();
    announce(describe(s, row));
  }

  document.addEventListener("pointermove", onMove);
  document.addEventListener("pointerup", onUp);
  document.addEventListener("pointercancel", onUp);

  // --- the summary -------------------------------------------------------------------------------------
  function render() {
    var groups = {};
    var noOpinion = [];
    var touched = false;
    rows.forEach(function (row) {
      var value = select(row).value;
      if (value === NO_OPINION) {
        noOpinion.push(name(row));
        return;
      }
      touched = touched || value !== NOT_RANKED;
      var rank = value === NOT_RANKED ? lowest : value;
      (groups[rank] = groups[rank] || []).push(name(row));
    });
    var ranks = Object.keys(groups).map(Number).sort(function (a, b) { return a - b; });
    // Tied names in the order the review page lists them (sorted by code point, as Python sorts).
    ranks.forEach(function (rank) { groups[rank].sort(); });
    noOpinion.sort();
    summary.textContent = "";
    var heading = document.createElement("p");
    heading.textContent = touched ? gettext("Your ranking so far, as it will be counted:")
      : gettext("You have not ranked anyone yet.");
    summary.appendChild(heading);
    if (touched) {
      // The same labels as the review (elections/places.py): places with no gap, then the candidates at the
      // lowest rank as not ranked.
      var ol = document.createElement("ol");
      ol.className = "live-ranks";
      ranks.forEach(function (rank, index) {
        var li = document.createElement("li");
        var label = String(rank) === lowest && Number(lowest) > 1
          ? gettext("Not ranked, counts last") : placeLabel(index, groups[rank].length > 1);
        li.textContent = label + ": " + groups[rank].join(", ");
        ol.appendChild(li);
      });
      summary.appendChild(ol);
    }
    if (noOpinion.length) {
      var rest = document.createElement("p");
      rest.textContent = (list.getAttribute("data-no-opinion-label") || text.noOpinion) + ": " + noOpinion.join(", ");
      summary.appendChild(rest);
    }
  }

  // A rank chosen in a select: the summary follows at once; the cards reorder once focus leaves the ballot,
  // so that a keyboard user going down the list is not moved about mid-way.
  var pending = false;
  list.addEventListener("change", function (event) {
    render();
    pending = true;
    var s = state();
    rows.forEach(function (r) { updateButtons(s, r); });
    var row = event.target.closest(".ballot-row");
    if (row) {
      announce(describe(s, row));
    }
  });
  list.addEventListener("focusout", function (event) {
    var next = event.relatedTarget;
    if (pending && !(next && list.contains(next))) {
      pending = false;
      arrange(state());
    }
  });

  // Submitted with ranks 1, 2, 3... in the order shown; the server reads the same order either way.
  list.closest("form").addEventListener("submit", function () {
    var s = state();
    write(s);
  });

  arrange(state());
  render();
})();
