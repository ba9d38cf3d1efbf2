// The style sheet and the script of the HTML report (html_report.h), inlined into each page so
// that the page needs no other file and no network.
//
// The script filters the rows and failure blocks (every element with `data-status`) by status,
// tag and name, and keeps the choice in the URL fragment: `#status=failed,flaky&tag=smoke&q=GET`
// opens the page filtered. Without the script every scenario is shown. When it has run it sets
// `data-ready="1"` on <html>; an uncaught error sets `data-error` (the browser test reads both).
#ifndef PARLEY_HARNESS_REPORT_HTML_REPORT_ASSETS_H_
#define PARLEY_HARNESS_REPORT_HTML_REPORT_ASSETS_H_

#include <string_view>

namespace parley::harness {

inline constexpr std::string_view kHtmlReportStyle = R"css(
:root { color-scheme: light; --fail: #b3261e; --pass: #1a7f37; --skip: #8a6d00; --dim: #667; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 3em; color: #1f2328; }
h1 { font-size: 1.4em; margin: .8em 0 .2em; }
h2 { font-size: 1.15em; margin: 1.4em 0 .4em; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1em; margin: 0 0 .3em; }
code, pre { font: 12.5px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { background: #f6f8fa; padding: .5em .7em; margin: .3em 0; overflow: auto; max-height: 32em;
      white-space: pre; tab-size: 8; }
.dim { color: var(--dim); }
.banner { background: #fff4e5; border: 1px solid #e0a800; padding: .4em .8em; margin: .5em 0; }
#summary { margin: .3em 0; }
#filter { position: sticky; top: 0; background: #fff; padding: .4em 0; z-index: 1;
          border-bottom: 1px solid #d0d7de; display: flex; flex-wrap: wrap; gap: .3em .8em;
          align-items: center; }
#filter label.chip { border: 1px solid #d0d7de; border-radius: 1em; padding: .05em .7em;
                     cursor: pointer; white-space: nowrap; }
#filter label.chip.none { opacity: .5; }
#filter input[type=search] { min-width: 14em; }
.st { display: inline-block; min-width: 5.2em; font-weight: 600; font-size: .85em; }
.st-passed { color: var(--pass); }
.st-flaky, .st-skipped { color: var(--skip); }
.st-failed, .st-target-error, .st-interrupted { color: var(--fail); }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: .1em .6em .1em 0; vertical-align: top; }
th { font-weight: 600; border-bottom: 1px solid #d0d7de; }
tr.scenario:hover { background: #f6f8fa; }
td.time, td.where { white-space: nowrap; color: var(--dim); }
.tag { font-size: .8em; background: #eef1f4; border-radius: .6em; padding: 0 .45em;
       margin-right: .25em; white-space: nowrap; }
.note { color: var(--dim); font-size: .9em; }
.problem { border-left: 4px solid var(--fail); padding: .4em .8em; margin: .8em 0;
           background: #fffafa; }
.problem[data-status=flaky] { border-color: #e0a800; background: #fffdf5; }
.problem .at code { font-weight: 600; }
details > summary { cursor: pointer; color: #0550ae; }
.d-hunk { color: #6639ba; }
.d-del, .d-exp { background: #ffebe9; color: #82071e; }
.d-add, .d-act { background: #dafbe1; color: #116329; }
.d-caret { color: var(--fail); font-weight: 700; }
.t-sent { color: #0550ae; }
.t-recv { color: #116329; }
.t-note { color: var(--dim); }
[hidden] { display: none !important; }
)css";

inline constexpr std::string_view kHtmlReportOnError = R"js(
window.onerror = function (message) {
  document.documentElement.setAttribute('data-error', String(message));
};
)js";

inline constexpr std::string_view kHtmlReportScript = R"js(
(function () {
  'use strict';
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filter input[name=status]'));
  var tagSelect = document.getElementById('tag');
  var search = document.getElementById('q');
  var shown = document.getElementById('shown');
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-status]')).map(
    function (el) {
      var tags = Array.prototype.map.call(el.querySelectorAll('.tag'),
                                          function (t) { return t.textContent; });
      var name = el.querySelector('.name');
      return {el: el, status: el.getAttribute('data-status'), tags: tags,
              name: name ? name.textContent.toLowerCase() : '',
              row: el.classList.contains('scenario')};
    });

  function apply() {
    var statuses = {};
    boxes.forEach(function (b) { statuses[b.value] = b.checked; });
    var tag = tagSelect.value;
    var text = search.value.trim().toLowerCase();
    var rows = 0;
    items.forEach(function (it) {
      var visible = statuses[it.status] !== false &&
                    (tag === '' || it.tags.indexOf(tag) >= 0) &&
                    (text === '' || it.name.indexOf(text) >= 0);
      it.el.hidden = !visible;
      if (visible && it.row) rows += 1;
    });
    shown.textContent = String(rows);
  }

  function fragment() {
    var parts = [];
    var off = boxes.filter(function (b) { return !b.checked; });
    if (off.length > 0) {
      parts.push('status=' + boxes.filter(function (b) { return b.checked; })
                                  .map(function (b) { return b.value; }).join(','));
    }
    if (tagSelect.value !== '') parts.push('tag=' + encodeURIComponent(tagSelect.value));
    if (search.value !== '') parts.push('q=' + encodeURIComponent(search.value));
    return parts.join('&');
  }

  function onChange() {
    apply();
    var hash = fragment();
    history.replaceState(null, '', hash === '' ? location.pathname + location.search
                                               : '#' + hash);
  }

  // Only a fragment of key=value pairs is a filter: `#d-3` (a link to a failure) is not.
  function readFragment() {
    var hash = location.hash.replace(/^#/, '');
    if (hash.indexOf('=') < 0) return;
    var wanted = {status: null, tag: '', q: ''};
    hash.split('&').forEach(function (pair) {
      var at = pair.indexOf('=');
      if (at < 0) return;
      var key = pair.slice(0, at);
      var value = decodeURIComponent(pair.slice(at + 1));
      if (key in wanted) wanted[key] = value;
    });
    var statuses = wanted.status === null ? null : wanted.status.split(',');
    boxes.forEach(function (b) { b.checked = statuses === null || statuses.indexOf(b.value) >= 0; });
    var known = Array.prototype.some.call(tagSelect.options,
                                          function (o) { return o.value === wanted.tag; });
    tagSelect.value = known ? wanted.tag : '';
    search.value = wanted.q;
  }

  boxes.forEach(function (b) { b.addEventListener('change', onChange); });
  tagSelect.addEventListener('change', onChange);
  search.addEventListener('input', onChange);
  document.getElementById('all').addEventListener('click', function () {
    boxes.forEach(function (b) { b.checked = true; });
    tagSelect.value = '';
    search.value = '';
    onChange();
  });
  window.addEventListener('hashchange', function () { readFragment(); apply(); });
  readFragment();
  apply();
  document.documentElement.setAttribute('data-ready', '1');
})();
)js";

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_REPORT_HTML_REPORT_ASSETS_H_
