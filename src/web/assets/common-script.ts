/**
 * /assets/common.js: keeps relative times and running durations current, and refreshes the live
 * parts of a page (elements with `data-live="<url>"`: the runs table, a run's lanes) from the
 * server's own HTML, so pages have one renderer (an expired session reloads the page, which then
 * asks for a login). Plain ES2017, no build step, works offline.
 */
export const COMMON_SCRIPT = String.raw`(function () {
  'use strict';
  function rel(then, now) {
    var s = Math.round((now - then) / 1000);
    if (s < 5) return 'just now';
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    return Math.floor(s / 86400) + ' d ago';
  }
  function dur(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll('time[data-rel]').forEach(function (t) { t.textContent = rel(Date.parse(t.getAttribute('datetime')), now); });
    document.querySelectorAll('.dur[data-since]').forEach(function (d) { d.textContent = dur(now - Date.parse(d.getAttribute('data-since'))); });
  }
  function refresh(el) {
    var url = el.getAttribute('data-live');
    if (!url) return Promise.resolve(false);
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } }).then(function (res) {
      if (res.redirected) { location.reload(); return null; }
      return res.ok ? res.text() : null;
    }).then(function (text) {
      if (text === null || text === el.getAttribute('data-last')) return false;
      el.setAttribute('data-last', text);
      el.innerHTML = text;
      tick();
      el.dispatchEvent(new CustomEvent('pistages:refreshed', { bubbles: true }));
      return true;
    }).catch(function () { return false; });
  }
  function poll(el, ms, keepGoing) {
    function again() {
      if (keepGoing && !keepGoing()) return;
      setTimeout(function () {
        if (document.hidden) { again(); return; }
        refresh(el).then(again);
      }, ms);
    }
    again();
  }
  window.Pistages = { tick: tick, refresh: refresh, poll: poll };
  setInterval(tick, 5000);
  var rows = document.getElementById('run-rows');
  if (rows && rows.getAttribute('data-live')) poll(rows, 3000);
})();
`;
