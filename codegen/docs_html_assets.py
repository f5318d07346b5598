"""The inline stylesheet and script of ``docs/protocol.html``.

Inline so that the page works offline and from ``file://``: it loads nothing from anywhere.
"""

from __future__ import annotations

__all__ = ["CSS", "JS"]

CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1d232b;background:#fff}
nav{position:fixed;top:0;left:0;bottom:0;width:270px;overflow-y:auto;padding:16px;background:#f4f6f9;
border-right:1px solid #dde2ea;font-size:14px}
nav input{width:100%;padding:6px 8px;margin-bottom:10px;border:1px solid #c5ccd6;border-radius:4px}
nav ul{list-style:none;margin:0;padding-left:0}nav ul ul{padding-left:14px}
nav a{display:block;padding:2px 4px;color:#2a4d7a;text-decoration:none;border-radius:3px}
nav a:hover,nav a.active{background:#dde7f5}
main{margin-left:270px;padding:24px 40px;max-width:1200px}
h1{margin-top:0}h2{border-bottom:2px solid #dde2ea;padding-bottom:4px;margin-top:48px}
h3{margin-top:36px}section.event{border-top:1px solid #eef0f4;padding-top:4px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;
padding:1px 4px;border-radius:3px}
pre{background:#f6f8fa;border:1px solid #e1e5eb;border-radius:4px;padding:10px;overflow-x:auto}
pre code{background:none;padding:0}
table{border-collapse:collapse;margin:10px 0;font-size:14px}
th,td{border:1px solid #dde2ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f6f9}
.meta{color:#4a5563}.dir{font-weight:600}
.ext{display:inline-block;font-size:11px;font-weight:700;color:#7a3e00;background:#ffe8cc;
border-radius:3px;padding:0 5px;margin-left:4px;vertical-align:middle}
.seq{max-width:100%;height:auto}
.diagram{overflow-x:auto;border:1px solid #e1e5eb;border-radius:4px;padding:8px;background:#fcfcfd}
.seq text{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#1d232b}
.seq .seq-name{font-weight:700}
.seq-box{fill:#e6eefb;stroke:#2a4d7a}.seq-life{stroke:#9aa5b4;stroke-dasharray:4 4}
.seq-call{stroke:#1d232b;stroke-width:1.4}
.seq-reply{stroke:#2a6d3a;stroke-width:1.4;stroke-dasharray:6 3}
.seq-head{fill:#1d232b}.seq-note{fill:#fff7d6;stroke:#c9a227}
"""

# Filters the sidebar and marks the section in view. No comments: the page must not contain "//".
JS = """
(function () {
  var box = document.getElementById("filter");
  var items = Array.prototype.slice.call(document.querySelectorAll("nav li"));
  box.addEventListener("input", function () {
    var q = box.value.toLowerCase();
    items.forEach(function (li) {
      li.style.display = li.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
    });
  });
  var links = {};
  document.querySelectorAll("nav a").forEach(function (a) {
    links[a.getAttribute("href").slice(1)] = a;
  });
  var spy = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      var a = links[e.target.id];
      if (a && e.isIntersecting) {
        document.querySelectorAll("nav a.active").forEach(function (x) {
          x.classList.remove("active");
        });
        a.classList.add("active");
      }
    });
  }, {rootMargin: "0px 0px -70% 0px"});
  document.querySelectorAll("main [id]").forEach(function (el) { spy.observe(el); });
})();
"""
