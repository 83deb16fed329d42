// linkflow report: sortable tables, the page search box and print support.
// Plain DOM code, no library and no network; cells carry their sort key in data-v.
(function () {
  "use strict";

  function cellKey(row, index) {
    var cell = row.cells[index];
    return cell ? cell.getAttribute("data-v") || "" : "";
  }

  function compare(a, b, numeric) {
    if (a === "" && b === "") return 0;
    if (a === "") return 1; // missing values last, whatever the direction
    if (b === "") return -1;
    if (numeric) return parseFloat(a) - parseFloat(b);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-type") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    if (th.getAttribute("aria-sort") === null && numeric) ascending = false; // big first
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var a = cellKey(r1, index), b = cellKey(r2, index);
      if (a === "" || b === "") return compare(a, b, numeric);
      var order = compare(a, b, numeric);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th) {
      var button = th.querySelector("button");
      if (button) button.addEventListener("click", function () { sortBy(table, th); });
    });
  }

  function makeFilter(input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    var moneyOnly = document.getElementById(input.getAttribute("data-money"));
    var counter = document.getElementById(input.getAttribute("data-count"));
    if (!table) return;
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var rows = table.tBodies[0].rows, shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var text = rows[i].textContent.toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) !== -1; });
        if (moneyOnly && moneyOnly.checked && !rows[i].classList.contains("money")) ok = false;
        rows[i].hidden = !ok;
        if (ok) shown++;
      }
      if (counter) counter.textContent = shown + " of " + rows.length + " rows shown";
    }
    input.addEventListener("input", apply);
    if (moneyOnly) moneyOnly.addEventListener("change", apply);
    apply();
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("input[data-table]").forEach(makeFilter);

  // A printed report shows every finding's details and every row.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
