/**
 * /assets/run-page.js: the run page's live lanes, buttons and log viewer. The log arrives over one
 * Server-Sent Events stream in batches; only the lines in view (plus a margin) are in the DOM, so
 * 200,000 lines scroll smoothly. ANSI SGR colours are rendered; `#L<n>` selects a line.
 */
export const RUN_PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var LH = 18, OVERSCAN = 30;
  var log = document.getElementById('log');
  if (!log) return;
  var spacer = log.querySelector('.log-spacer'), rows = log.querySelector('.log-rows');
  var state = document.getElementById('log-state'), lanesEl = document.getElementById('lanes');
  var runId = log.getAttribute('data-run'), filter = log.getAttribute('data-filter');
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var followBox = document.getElementById('log-follow');
  var lines = [], selected = -1, shown = [-1, -1], dirty = true, ended = false, firstPaint = false, pendingHash = true;

  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  var COLORS = ['#6e7681', '#ff7b72', '#7ee787', '#e3b341', '#79c0ff', '#d2a8ff', '#76e3ea', '#e6edf3'];
  var BRIGHT = ['#8b949e', '#ffa198', '#aff5b4', '#f8e3a1', '#a5d6ff', '#e2c5ff', '#b3f0ff', '#ffffff'];
  function ansi(text) {
    if (text.indexOf('\x1b') < 0) return esc(text);
    var out = '', fg = null, bg = null, bold = false, last = 0, m;
    var re = /\x1b\[([0-9;]*)([A-Za-z])/g;
    function seg(s) {
      if (!s) return;
      var style = (fg ? 'color:' + fg + ';' : '') + (bg ? 'background:' + bg + ';' : '') + (bold ? 'font-weight:700;' : '');
      out += style ? '<span style="' + style + '">' + esc(s) + '</span>' : esc(s);
    }
    while ((m = re.exec(text)) !== null) {
      seg(text.slice(last, m.index));
      last = re.lastIndex;
      if (m[2] !== 'm') continue;
      var codes = m[1] === '' ? [0] : m[1].split(';').map(Number);
      for (var i = 0; i < codes.length; i++) {
        var c = codes[i];
        if (c === 0) { fg = null; bg = null; bold = false; }
        else if (c === 1) bold = true;
        else if (c === 22) bold = false;
        else if (c >= 30 && c <= 37) fg = COLORS[c - 30];
        else if (c === 39) fg = null;
        else if (c >= 40 && c <= 47) bg = COLORS[c - 40];
        else if (c === 49) bg = null;
        else if (c >= 90 && c <= 97) fg = BRIGHT[c - 90];
        else if ((c === 38 || c === 48) && codes[i + 1] === 5) i += 2;
        else if ((c === 38 || c === 48) && codes[i + 1] === 2) i += 4;
      }
    }
    seg(text.slice(last));
    return out;
  }
  function render() {
    var top = log.scrollTop, h = log.clientHeight;
    var first = Math.max(0, Math.floor(top / LH) - OVERSCAN), last = Math.min(lines.length, Math.ceil((top + h) / LH) + OVERSCAN);
    if (!dirty && first === shown[0] && last === shown[1]) return;
    var out = [];
    for (var i = first; i < last; i++) {
      var l = lines[i];
      out.push('<div class="ll' + (i === selected ? ' sel' : '') + (l[3] === 'stderr' ? ' err' : l[3] === 'system' ? ' sys' : '') + '" data-n="' + (i + 1) +
        '" data-group="' + esc(l[0]) + '" data-step="' + l[1] + '" data-attempt="' + l[2] + '"><a class="ln" tabindex="-1" href="#L' + (i + 1) + '">' + (i + 1) +
        '</a><span class="lg">' + esc(l[0]) + ' ' + (l[1] + 1) + '#' + l[2] + '</span><span class="lt">' + ansi(l[4]) + '</span></div>');
    }
    rows.style.transform = 'translateY(' + first * LH + 'px)';
    rows.innerHTML = out.join('');
    shown = [first, last];
    dirty = false;
  }
  var scheduled = false;
  function schedule() { if (!scheduled) { scheduled = true; requestAnimationFrame(function () { scheduled = false; render(); }); } }
  log.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', function () { dirty = true; schedule(); });

  function atBottom() { return log.scrollTop + log.clientHeight >= log.scrollHeight - 2 * LH; }
  function scrollToLine(i, select) {
    if (i < 0 || i >= lines.length) return;
    if (select) { selected = i; followBox.checked = false; }
    log.scrollTop = Math.max(0, i * LH - log.clientHeight / 3);
    dirty = true; render();
  }
  function fromHash() {
    var m = /^#L(\d+)$/.exec(location.hash);
    if (!m) return false;
    var n = Number(m[1]);
    if (n > lines.length) return false;
    scrollToLine(n - 1, true);
    return true;
  }
  window.addEventListener('hashchange', function () { fromHash(); });
  log.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a.ln') : null;
    if (!a) return;
    e.preventDefault();
    history.replaceState(null, '', a.getAttribute('href'));
    fromHash();
  });
  log.addEventListener('keydown', function (e) {
    var moves = { ArrowDown: LH, ArrowUp: -LH, PageDown: log.clientHeight - LH, PageUp: -(log.clientHeight - LH) };
    if (moves[e.key] !== undefined) log.scrollTop += moves[e.key];
    else if (e.key === 'Home') log.scrollTop = 0;
    else if (e.key === 'End') log.scrollTop = log.scrollHeight;
    else return;
    e.preventDefault();
    if (e.key !== 'End') followBox.checked = false;
    schedule();
  });

  function add(batch) {
    var stick = followBox.checked && (atBottom() || lines.length === 0);
    for (var i = 0; i < batch.length; i++) lines.push(batch[i]);
    spacer.style.height = lines.length * LH + 'px';
    dirty = true;
    if (pendingHash && fromHash()) pendingHash = false;
    else if (stick) log.scrollTop = log.scrollHeight;
    render();
    if (!firstPaint && lines.length > 0) { firstPaint = true; performance.mark('pistages:first-lines'); }
    state.textContent = lines.length + ' lines' + (ended ? '' : ', following…');
  }
  var source = new EventSource('/ui/runs/' + runId + '/events' + (filter ? '?' + filter : ''));
  source.addEventListener('lines', function (e) { add(JSON.parse(e.data)); });
  source.addEventListener('end', function (e) {
    var end = JSON.parse(e.data);
    ended = true;
    source.close();
    if (pendingHash) fromHash();
    performance.mark('pistages:log-loaded');
    state.textContent = lines.length + ' lines · run ' + end.status.replace('_', ' ') + (end.message ? ': ' + end.message : '');
    log.setAttribute('data-ended', end.status);
    refreshLanes();
  });
  source.addEventListener('failure', function (e) { state.textContent = JSON.parse(e.data).message; });

  var searchBox = document.getElementById('log-search'), info = document.getElementById('search-info');
  function searchNext() {
    var q = searchBox.value.toLowerCase();
    if (!q) return;
    for (var k = 1; k <= lines.length; k++) {
      var i = (Math.max(selected, -1) + k) % lines.length;
      if (lines[i][4].toLowerCase().indexOf(q) >= 0) {
        scrollToLine(i, true);
        history.replaceState(null, '', '#L' + (i + 1));
        info.textContent = 'line ' + (i + 1);
        return;
      }
    }
    info.textContent = 'no match';
  }
  document.getElementById('search-next').addEventListener('click', searchNext);
  searchBox.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); searchNext(); } });
  document.getElementById('log-attempt').addEventListener('change', function (e) {
    var params = new URLSearchParams(filter);
    if (e.target.value) params.set('attempt', e.target.value); else params.delete('attempt');
    location.href = '/runs/' + runId + (params.toString() ? '?' + params.toString() : '');
  });

  var jump = document.getElementById('jump-failing');
  function failing() { var l = lanesEl.querySelector('.lanes'); var f = l && l.getAttribute('data-failing'); return f ? JSON.parse(f) : null; }
  jump.addEventListener('click', function () {
    var f = failing();
    if (!f) return;
    lanesEl.querySelectorAll('.step.target').forEach(function (s) { s.classList.remove('target'); });
    var step = lanesEl.querySelector('.step[data-group="' + CSS.escape(f.group) + '"][data-step="' + f.step + '"]');
    if (step) step.classList.add('target');
    for (var i = 0; i < lines.length; i++) {
      if (lines[i][0] === f.group && lines[i][1] === f.step && lines[i][2] === f.attempt) {
        var end = i;
        while (end + 1 < lines.length && lines[end + 1][0] === f.group && lines[end + 1][1] === f.step && lines[end + 1][2] === f.attempt) end++;
        scrollToLine(end, true);
        history.replaceState(null, '', '#L' + (end + 1));
        log.focus();
        return;
      }
    }
    if (step) step.scrollIntoView();
  });

  var buttons = { rerun: document.getElementById('rerun'), failed: document.getElementById('rerun-failed'), cancel: document.getElementById('cancel') };
  var message = document.getElementById('action-message');
  function syncLanes() {
    var l = lanesEl.querySelector('.lanes');
    if (!l) return;
    var status = l.getAttribute('data-status'), terminal = l.getAttribute('data-terminal') === '1';
    document.getElementById('run-status').innerHTML = '<span class="status s-' + status + '">' + status.replace('_', ' ') + '</span>';
    jump.disabled = !failing();
    if (buttons.rerun) {
      buttons.rerun.disabled = !terminal;
      buttons.failed.disabled = !terminal || status === 'success';
      buttons.cancel.disabled = terminal;
    }
  }
  function refreshLanes() { return window.Pistages.refresh(lanesEl).then(syncLanes); }
  syncLanes();
  window.Pistages.poll(lanesEl, 2000, function () { var l = lanesEl.querySelector('.lanes'); return !(l && l.getAttribute('data-terminal') === '1' && ended); });
  function post(url) {
    message.textContent = '';
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf, accept: 'application/json' } }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.message || ('HTTP ' + res.status));
        return body;
      });
    }).catch(function (err) { message.textContent = err.message; throw err; });
  }
  if (buttons.rerun) {
    buttons.rerun.addEventListener('click', function () { post('/ui/runs/' + runId + '/rerun').then(function (b) { location.href = '/runs/' + b.id; }); });
    buttons.failed.addEventListener('click', function () { post('/ui/runs/' + runId + '/rerun?failed=true').then(function (b) { location.href = '/runs/' + b.id; }); });
    buttons.cancel.addEventListener('click', function () {
      post('/ui/runs/' + runId + '/cancel').then(function (b) { message.textContent = b.status === 'cancelled' ? 'Cancelled.' : 'Cancel requested; stopping the containers…'; refreshLanes(); });
    });
  }
})();
`;
