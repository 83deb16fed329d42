// linkflow report: sortable tables, the page search box and print support.
// Plain DOM code and no network (the charts use the inlined ECharts, when present);
// cells carry their sort key in data-v.
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

// The pages explorer: every page from the embedded columnar JSON, one screen of rows at a
// time. Strings from crawled pages only ever reach the page as textContent, and only
// http(s) URLs become links.
(function () {
  "use strict";
  var holder = document.getElementById("explorer-data");
  var body = document.getElementById("ex-body");
  if (!holder || !body) return;
  var data = JSON.parse(holder.textContent);
  var P = data.pages, n = P.url.length, PAGE = 50;
  var keys = ["url", "status", "depth", "score", "flow", "inlinks", "outlinks", "backlinks", "findings"];
  var state = { order: null, key: "score", asc: false, page: 0, rows: [] };
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function safeLink(url, text) {
    if (/^https?:\/\//i.test(url)) {
      var a = el("a", text === undefined ? url : text);
      a.href = url; a.rel = "noopener noreferrer nofollow";
      return a;
    }
    return el("span", text === undefined ? url : text);
  }
  function path(url) {
    var m = /^https?:\/\/[^\/?#]*(.*)$/i.exec(url);
    return m ? (m[1] || "/") : url;
  }
  function fmt(v, digits) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "number") return numberFormat(digits === undefined ? 1 : digits).format(v);
    return String(v);
  }
  // toLocaleString builds a new formatter on every call (most of the time of drawing a
  // screen of rows); one formatter per precision, made once
  var formats = {};
  function numberFormat(digits) {
    return formats[digits] || (formats[digits] = new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }));
  }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toPrecision(3) + "%"; }

  // Lower-cased search text, built once.
  var haystack = new Array(n);
  for (var i = 0; i < n; i++) haystack[i] = (P.url[i] + " " + (P.title[i] || "")).toLowerCase();

  function filter() {
    var words = $("ex-search").value.toLowerCase().split(/\s+/).filter(Boolean);
    var status = $("ex-status").value, depth = $("ex-depth").value;
    var maxDepth = depth === "" ? null : +depth;
    var money = $("ex-money").checked, withFindings = $("ex-findings").checked;
    var out = [];
    for (var i = 0; i < n; i++) {
      if (money && !P.money[i]) continue;
      if (withFindings && !P.findings[i]) continue;
      if (status && String(P.status[i] || "").charAt(0) !== status) continue;
      if (maxDepth !== null && (P.depth[i] === null || P.depth[i] > maxDepth)) continue;
      var ok = true;
      for (var w = 0; w < words.length && ok; w++) ok = haystack[i].indexOf(words[w]) !== -1;
      if (ok) out.push(i);
    }
    var col = P[state.key], asc = state.asc;
    out.sort(function (a, b) {
      var x = col[a], y = col[b];
      if (x === y) return a - b;
      if (x === null || x === undefined) return 1; // unknown values last
      if (y === null || y === undefined) return -1;
      var c = x < y ? -1 : 1;
      return asc ? c : -c;
    });
    state.rows = out;
    state.page = 0;
    draw();
  }

  function draw() {
    var rows = state.rows, pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * PAGE, frag = document.createDocumentFragment();
    for (var r = start; r < Math.min(rows.length, start + PAGE); r++) {
      var i = rows[r], tr = el("tr");
      tr.tabIndex = 0;
      tr.setAttribute("data-i", i);
      if (P.money[i]) tr.className = "money";
      var td = el("td", null, "url");
      var open = el("button", path(P.url[i]), "linklike");
      open.type = "button";
      open.setAttribute("data-i", i);
      open.title = P.url[i];
      td.appendChild(open);
      if (P.money[i]) td.appendChild(el("span", "money", "badge money"));
      if (P.title[i]) td.appendChild(el("span", P.title[i], "title"));
      tr.appendChild(td);
      for (var k = 1; k < keys.length; k++) tr.appendChild(el("td", fmt(P[keys[k]][i]), "n"));
      frag.appendChild(tr);
    }
    body.textContent = "";
    if (!rows.length) {
      var none = el("td", "No page matches.", "empty");
      none.colSpan = keys.length;
      var tr0 = el("tr"); tr0.appendChild(none); frag.appendChild(tr0);
    }
    body.appendChild(frag);
    $("ex-count").textContent = numberFormat(0).format(rows.length) + " of " + numberFormat(0).format(n) + " pages";
    $("ex-page").textContent = "page " + (state.page + 1) + " of " + pages;
    $("ex-prev").disabled = state.page === 0;
    $("ex-next").disabled = state.page >= pages - 1;
  }

  function linkTable(title, rows, pageKey) {
    var box = el("div");
    box.appendChild(el("h4", title));
    if (!rows.length) { box.appendChild(el("p", "None embedded.", "empty")); return box; }
    var wrap = el("div", null, "table-wrap"), t = el("table"), head = el("tr");
    ["Page", "Anchor", "Position", "Follow"].forEach(function (h) { var th = el("th", h); th.scope = "col"; head.appendChild(th); });
    var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    var tb = el("tbody");
    rows.forEach(function (j) {
      var L = data.links, other = L[pageKey][j], tr = el("tr"), td = el("td", null, "url");
      if (other >= 0) {
        var b = el("button", path(P.url[other]), "linklike");
        b.type = "button"; b.setAttribute("data-i", other); b.title = P.url[other];
        td.appendChild(b);
      } else {
        td.appendChild(safeLink(data.targets[-1 - other]));
      }
      tr.appendChild(td);
      tr.appendChild(el("td", data.anchors[L.anchor[j]] || "(no text)"));
      tr.appendChild(el("td", data.positions[L.position[j]]));
      tr.appendChild(el("td", L.follow[j] ? "follow" : "nofollow"));
      tb.appendChild(tr);
    });
    t.appendChild(tb); wrap.appendChild(t); box.appendChild(wrap);
    return box;
  }

  function show(i) {
    var view = $("ex-view");
    view.textContent = "";
    var head = el("div", null, "pv-head");
    head.appendChild(el("h3", P.title[i] || path(P.url[i])));
    var close = el("button", "Close", "pv-close"); close.type = "button";
    close.addEventListener("click", function () { view.hidden = true; });
    head.appendChild(close);
    view.appendChild(head);
    view.appendChild(safeLink(P.url[i]));
    var facts = el("dl", null, "facts");
    [["Status", fmt(P.status[i])], ["Depth", P.depth[i] === null ? "unreachable" : fmt(P.depth[i])],
     ["Equity score", fmt(P.score[i])], ["Flow (share of the site's)", pct(P.flow_share[i])],
     ["Authority entering here", pct(P.flow_in[i])], ["Of it trapped", P.flow_in[i] ? pct(P.trapped[i] / P.flow_in[i]) : "—"],
     ["Inlinks", fmt(P.inlinks[i])], ["Content inlinks", fmt(P.content_in[i])], ["Outlinks", fmt(P.outlinks[i])],
     ["Backlinks", fmt(P.backlinks[i])], ["Money page", P.money[i] ? "yes" : "no"]].forEach(function (f) {
      var d = el("div"); d.appendChild(el("dt", f[0])); d.appendChild(el("dd", f[1])); facts.appendChild(d);
    });
    view.appendChild(facts);
    var kinds = data.page_kinds[i];
    view.appendChild(el("h4", "Findings"));
    if (kinds.length) {
      var ul = el("ul", null, "kinds");
      kinds.forEach(function (k) { ul.appendChild(el("li", data.kinds[k].replace(/-/g, " "))); });
      view.appendChild(ul);
    } else view.appendChild(el("p", "None.", "empty"));
    if (i < data.link_pages) {
      var L = data.links, ins = [], outs = [];
      for (var j = 0; j < L.src.length; j++) {
        if (L.dst[j] === i) ins.push(j);
        if (L.src[j] === i) outs.push(j);
      }
      var grid = el("div", null, "grid2");
      grid.appendChild(linkTable("Inlinks: " + ins.length + " shown of " + fmt(P.inlinks[i]) + " linking pages", ins, "src"));
      grid.appendChild(linkTable("Outlinks: " + outs.length + " shown (the first " + data.links_per_page + " on the page)", outs, "dst"));
      view.appendChild(grid);
    } else {
      view.appendChild(el("p", "Links are embedded for the " + data.link_pages.toLocaleString("en-US") + " strongest pages; the links export has this page's.", "more"));
    }
    view.hidden = false;
    view.focus();
    view.scrollIntoView({ block: "nearest" });
  }

  function openFrom(target) {
    var at = target.closest ? target.closest("[data-i]") : null;
    if (at) show(+at.getAttribute("data-i"));
  }
  body.addEventListener("click", function (e) { openFrom(e.target); });
  body.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.tagName === "TR") openFrom(e.target);
  });
  var graph = $("site-graph");
  if (graph) {
    graph.addEventListener("click", function (e) { openFrom(e.target); });
    graph.addEventListener("keydown", function (e) { if (e.key === "Enter") openFrom(e.target); });
  }
  $("ex-view").addEventListener("click", function (e) {
    if (e.target.classList && e.target.classList.contains("linklike")) openFrom(e.target);
  });
  document.querySelectorAll("#ex-table th[data-key] button").forEach(function (b) {
    b.addEventListener("click", function () {
      var th = b.parentNode, key = th.getAttribute("data-key");
      state.asc = state.key === key ? !state.asc : key === "url" || key === "depth";
      state.key = key;
      document.querySelectorAll("#ex-table th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", state.asc ? "ascending" : "descending");
      filter();
    });
  });
  ["ex-search", "ex-depth"].forEach(function (id) { $(id).addEventListener("input", filter); });
  ["ex-status", "ex-money", "ex-findings"].forEach(function (id) { $(id).addEventListener("change", filter); });
  $("ex-prev").addEventListener("click", function () { state.page--; draw(); });
  $("ex-next").addEventListener("click", function () { state.page++; draw(); });
  filter();
})();

// Charts: each figure.chart-box carries its numbers as JSON in data-echart; where ECharts
// loaded, it draws them with axes, units, legend and tooltips, and the SVG (kept for print
// and for a browser without JavaScript) is hidden. Tooltips are drawn on the canvas
// (renderMode "richText"), so no page text ever reaches innerHTML.
// Drawing is lazy: at load each chart only gets its sized box (so the page does not jump
// when it is drawn); the chart is created and drawn when its figure comes within 400 px of
// the viewport, so the first paint and the explorer never wait for charts further down.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  // Colours come from the style sheet's variables, read at the first drawing: reading
  // computed style while the page is still loading forces a style pass over the whole page.
  var ink, muted, line, bar, hi, bad, good, accent, axis, base;
  function palette() {
    if (base) return;
    var css = getComputedStyle(document.documentElement);
    function v(name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; }
    ink = v("--ink", "#1d2126"); muted = v("--muted", "#5f6b76"); line = v("--line", "#e3e5e8");
    bar = v("--bar", "#6b8fe8"); hi = v("--bar-hi", "#e08a2c"); bad = v("--bad", "#b42318");
    good = v("--good", "#2f6f4f"); accent = v("--accent", "#2a5bd7");
    axis = {
      axisLine: { lineStyle: { color: line } }, splitLine: { lineStyle: { color: line } },
      axisLabel: { color: muted }, nameTextStyle: { color: muted }
    };
    base = {
      animation: false, textStyle: { color: ink },
      title: { textStyle: { color: ink, fontSize: 13, fontWeight: 600 }, left: 0, top: 0 },
      legend: { top: 22, left: 0, textStyle: { color: muted } },
      tooltip: { renderMode: "richText", confine: true }
    };
  }
  function merge(a, b) { var o = {}, k; for (k in a) o[k] = a[k]; for (k in b) o[k] = b[k]; return o; }
  var twoDigits = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
  function fmt(n) { return twoDigits.format(n); }

  function barOption(s) {
    var scale = s.scale || 1;
    var plain = [], marked = [];
    s.values.forEach(function (x, i) {
      plain.push(s.hi[i] ? "-" : x * scale);
      marked.push(s.hi[i] ? x * scale : "-");
    });
    var series = [{ name: s.series, type: "bar", stack: "v", data: plain, itemStyle: { color: bar }, barMaxWidth: 18 }];
    var names = [s.series];
    if (s.marked && s.hi.some(Boolean)) {
      series.push({ name: s.marked, type: "bar", stack: "v", data: marked, itemStyle: { color: hi }, barMaxWidth: 18 });
      names.push(s.marked);
    }
    return merge(base, {
        title: merge(base.title, { text: s.title }),
        legend: merge(base.legend, { data: names }),
        tooltip: merge(base.tooltip, {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (p) { var i = p[0].dataIndex; return s.titles[i] + "\n" + s.texts[i]; }
        }),
        grid: { left: 4, right: 24, top: 52, bottom: 40, containLabel: true },
        xAxis: merge(axis, { type: "value", name: s.unit, nameLocation: "middle", nameGap: 26 }),
        yAxis: merge(axis, {
          type: "category", data: s.labels, inverse: true,
          axisLabel: { color: muted, width: 150, overflow: "truncate" }
        }),
        series: series
      });
  }

  function columnOption(s) {
    return merge(base, {
        title: merge(base.title, { text: s.title }),
        legend: merge(base.legend, { data: ["new", "lost"] }),
        tooltip: merge(base.tooltip, {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (p) {
            var i = p[0].dataIndex;
            return s.labels[i] + "\n" + fmt(s.up[i]) + " new, " + fmt(s.down[i]) + " lost (" + s.unit + ")";
          }
        }),
        grid: { left: 28, right: 12, top: 56, bottom: 8, containLabel: true },
        xAxis: merge(axis, { type: "category", data: s.labels }),
        yAxis: merge(axis, {
          type: "value", name: s.unit, nameLocation: "middle", nameGap: 40,
          axisLabel: { color: muted, formatter: function (x) { return fmt(Math.abs(x)); } }
        }),
        series: [
          { name: "new", type: "bar", stack: "v", data: s.up, itemStyle: { color: bar },
            label: { show: true, position: "top", color: muted, fontSize: 10,
                     formatter: function (p) { return p.value ? fmt(p.value) : ""; } } },
          { name: "lost", type: "bar", stack: "v", itemStyle: { color: bad },
            data: s.down.map(function (x) { return -x; }) }
        ]
      });
  }

  function pct(x) { return (x * 100).toFixed(x < 0.001 ? 3 : 1) + "%"; }

  // referring domains → landing pages → money pages or trapped; values are shares of 1
  function sankeyOption(s) {
    var byName = {};
    var colors = { source: bar, direct: muted, landing: accent, money: good, trapped: bad };
    s.nodes.forEach(function (n) { byName[n.name] = n; });
    function name(id) { return byName[id] ? byName[id].title : id; }
    // no title: the figure's caption names the diagram
    return merge(base, {
        tooltip: merge(base.tooltip, {
          trigger: "item",
          formatter: function (p) {
            if (p.dataType === "edge") return name(p.data.source) + " → " + name(p.data.target) + "\n" + pct(p.value);
            return name(p.name) + "\n" + pct(p.value) + " of the authority entering the site";
          }
        }),
        series: [{
          type: "sankey", left: 4, right: 4, top: 8, bottom: 8, nodeWidth: 12, nodeGap: 10,
          layoutIterations: 0, draggable: false, emphasis: { focus: "adjacency" },
          lineStyle: { color: "source", opacity: 0.3, curveness: 0.5 },
          label: {
            color: ink, fontSize: 11, width: 200, overflow: "truncate",
            formatter: function (p) { return (byName[p.name] || {}).label + "  " + pct(p.value); }
          },
          data: s.nodes.map(function (n) {
            return {
              name: n.name, depth: n.depth, value: n.value, itemStyle: { color: colors[n.kind] || muted },
              label: { position: n.depth === 2 ? "left" : "right" }
            };
          }),
          // the last stage in the outcome's colour: reaches a money page or trapped
          links: s.links.map(function (k) {
            var to = byName[k.target] || {};
            var color = to.kind === "money" ? good : to.kind === "trapped" ? bad : "source";
            return { source: k.source, target: k.target, value: k.value, lineStyle: { color: color } };
          })
        }]
      });
  }

  // a Lorenz curve: share of pages (most equity first) against the share of equity held
  function lorenzOption(s) {
    var curve = s.x.map(function (x, i) { return [x * 100, s.y[i] * 100]; });
    return merge(base, {
        title: merge(base.title, { text: s.title }),
        legend: merge(base.legend, { data: ["top pages", "every page equal"] }),
        tooltip: merge(base.tooltip, {
          trigger: "axis",
          formatter: function (p) {
            var d = p[0].data;
            return "top " + fmt(d[0]) + "% of " + fmt(s.pages) + " pages\n" + fmt(d[1]) + "% of the equity";
          }
        }),
        grid: { left: 8, right: 16, top: 56, bottom: 36, containLabel: true },
        xAxis: merge(axis, { type: "value", min: 0, max: 100, name: "pages, most equity first", nameLocation: "middle", nameGap: 26,
                             axisLabel: { color: muted, formatter: "{value}%" } }),
        yAxis: merge(axis, { type: "value", min: 0, max: 100, axisLabel: { color: muted, formatter: "{value}%" } }),
        series: [
          { name: "top pages", type: "line", data: curve, showSymbol: false, lineStyle: { color: bar, width: 2.5 },
            itemStyle: { color: bar }, areaStyle: { color: bar, opacity: 0.12 } },
          { name: "every page equal", type: "line", data: [[0, 0], [100, 100]], showSymbol: false, silent: true,
            lineStyle: { color: muted, type: "dashed", width: 1 }, itemStyle: { color: muted } }
        ]
      });
  }

  var OPTIONS = { bar: barOption, columns: columnOption, sankey: sankeyOption, lorenz: lorenzOption };
  // each chart's height in px, known before it is drawn so that drawing moves nothing
  var HEIGHTS = {
    bar: function (s) { return Math.max(s.labels.length * 26, 60) + 100; },
    columns: function () { return 320; },
    lorenz: function () { return 340; },
    sankey: function (s) {
      var columns = [0, 0, 0];
      s.nodes.forEach(function (n) { columns[n.depth] = (columns[n.depth] || 0) + 1; });
      return Math.max(420, Math.max.apply(null, columns) * 40 + 60);
    }
  };
  var charts = [];
  // echarts.init and the first setOption cost tens of milliseconds per chart whatever it
  // shows, so a chart is created only when it is drawn
  function draw(fig, box, spec) {
    palette();
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption((OPTIONS[spec.kind] || barOption)(spec));
    charts.push(chart);
    fig.setAttribute("data-drawn", "");
  }
  var pending = typeof IntersectionObserver === "function" ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (!e.isIntersecting) return;
      pending.unobserve(e.target);
      var job = e.target.lfChart;
      if (job) { e.target.lfChart = null; draw(e.target, job.box, job.spec); }
    });
  }, { rootMargin: "400px 0px" }) : null;

  document.querySelectorAll("figure.chart-box[data-echart]").forEach(function (fig) {
    var spec;
    try { spec = JSON.parse(fig.getAttribute("data-echart")); } catch (e) { return; }
    var box = document.createElement("div");
    box.className = "echart";
    box.style.height = (HEIGHTS[spec.kind] || HEIGHTS.bar)(spec) + "px";
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", spec.title);
    var slot = fig.querySelector(".chart-scroll");
    if (slot) slot.insertBefore(box, slot.firstChild); else fig.appendChild(box);
    fig.classList.add("js-chart");
    if (pending) { fig.lfChart = { box: box, spec: spec }; pending.observe(fig); }
    else draw(fig, box, spec);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
