// Polls /status and redraws. Rates are computed here from the difference between two polls'
// request counters, so the server keeps no time series.
(function () {
  'use strict';
  var POLL_MS = 1000;
  var HISTORY = 60;
  var KEY_ITEM = 'wsp.adminKey';
  var previous = null;  // {at, total, byAgent}
  var rates = [];

  function $(id) { return document.getElementById(id); }

  function text(el, value) { el.textContent = value; return el; }

  function bytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  function since(iso) {
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return duration(s) + ' ago';
  }

  function duration(s) {
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor(s % 86400 / 3600) + ' h';
  }

  function rate(now, before, seconds) {
    return before === undefined || seconds <= 0 ? 0 : Math.max(0, (now - before) / seconds);
  }

  function cell(row, value, className) {
    var td = row.insertCell();
    if (className) td.className = className;
    text(td, value);
    return td;
  }

  function bar(parent, idle, busy, max) {
    var b = parent.appendChild(document.createElement('span'));
    b.className = 'bar';
    [['idle', idle], ['busy', busy]].forEach(function (part) {
      var s = b.appendChild(document.createElement('span'));
      s.className = part[0];
      s.style.width = (100 * part[1] / max) + '%';
    });
  }

  function poolCell(row, a) {
    var td = row.insertCell();
    bar(td, a.idle, a.busy, Math.max(a.total, a.idleSize, 1));
    td.appendChild(document.createTextNode(a.idle + ' / ' + a.busy + ' (' + a.idleSize + ')'));
  }

  // Other nodes publish no pool size, so a bar is scaled to the agent's open connections.
  function nodeAgentsCell(row, agents) {
    var td = row.insertCell();
    if (agents.length === 0) text(td, '–');
    agents.forEach(function (a) {
      var line = td.appendChild(document.createElement('div'));
      line.className = 'node-agent';
      bar(line, a.idle, a.busy, Math.max(a.idle + a.busy, 1));
      line.appendChild(document.createTextNode(a.id + ' ' + a.idle + ' / ' + a.busy));
      var labels = Object.keys(a.labels).map(function (k) { return k + '=' + a.labels[k]; }).join(', ');
      if (labels) text(line.appendChild(document.createElement('span')), ' ' + labels).className = 'labels';
    });
  }

  function renderCluster(cluster) {
    $('cluster').hidden = !cluster;
    if (!cluster) return;
    var body = $('nodes').tBodies[0];
    body.textContent = '';
    cluster.nodes.forEach(function (n) {
      var row = body.insertRow();
      row.dataset.node = n.id;
      var id = cell(row, n.id);
      if (n.self) text(id.appendChild(document.createElement('span')), 'this node').className = 'self-tag';
      cell(row, n.url);
      nodeAgentsCell(row, n.agents);
      cell(row, n.self ? '–' : n.forwarded, 'num');
      cell(row, n.self ? '–' : n.forwardErrors, 'num');
    });
  }

  function render(status, seconds) {
    var t = status.totals;
    text($('server'), 'version ' + status.version + ' · up ' + duration(status.uptimeSeconds));
    text($('t-agents'), t.agents);
    text($('t-connections'), t.idle + ' / ' + t.busy);
    text($('t-inflight'), t.inFlight);
    text($('t-waiting'), t.waiting);
    text($('t-requests'), t.requests);
    var totalRate = previous ? rate(t.requests, previous.total, seconds) : 0;
    text($('t-rate'), totalRate.toFixed(1));
    text($('t-errors'), t.errors);
    text($('t-bytes'), bytes(t.bytesIn) + ' / ' + bytes(t.bytesOut));
    drawRates(totalRate);

    var body = $('agents').tBodies[0];
    body.textContent = '';
    status.agents.forEach(function (a) {
      var row = body.insertRow();
      row.dataset.agent = a.id;
      cell(row, a.id);
      cell(row, a.remoteAddress || '–');
      cell(row, since(a.connectedSince)).title = a.connectedSince;
      poolCell(row, a);
      cell(row, a.inFlight, 'num');
      cell(row, a.requests, 'num');
      var before = previous ? previous.byAgent[a.id] : undefined;
      cell(row, rate(a.requests, before, seconds).toFixed(1), 'num');
      cell(row, [a.statuses['2xx'], a.statuses['3xx'], a.statuses['4xx'], a.statuses['5xx']].join(' · '));
      cell(row, a.errors, 'num');
      var err = cell(row, a.lastError ? a.lastError : '', 'error');
      if (a.lastErrorAt) err.title = a.lastErrorAt;
      cell(row, bytes(a.bytesIn) + ' / ' + bytes(a.bytesOut), 'num');
    });
    $('no-agents').hidden = status.agents.length > 0;
    renderCluster(status.cluster);

    var limits = $('limits');
    limits.textContent = '';
    status.webSocket.limits.forEach(function (limit) {
      limits.appendChild(document.createElement('li')).textContent = status.webSocket.implementation + ': ' + limit;
    });
    limits.hidden = status.webSocket.limits.length === 0;

    var s = status.security;
    text($('security'), 'caller auth: ' + s.callerAuth + ' (' + s.callerKeys + ' keys) · agent auth: '
      + (s.agentAuth ? 'on' : 'OFF') + ' · admin key: ' + (s.adminKey ? 'on' : 'off') + ' · refused: '
      + s.refusedRegistrations + ' registrations, ' + s.unauthenticatedCalls + ' unauthenticated, '
      + s.forbiddenCalls + ' forbidden, ' + s.refusedAdminCalls + ' admin');
  }

  function drawRates(latest) {
    rates.push(latest);
    if (rates.length > HISTORY) rates.shift();
    var max = Math.max.apply(null, rates.concat([1]));
    var step = 120 / (HISTORY - 1);
    var offset = HISTORY - rates.length;
    var points = rates.map(function (r, i) {
      return ((offset + i) * step).toFixed(1) + ',' + (30 - 28 * r / max).toFixed(1);
    });
    $('rate-chart').firstElementChild.setAttribute('points', points.join(' '));
  }

  function remember(status, at) {
    var byAgent = {};
    status.agents.forEach(function (a) { byAgent[a.id] = a.requests; });
    previous = {at: at, total: status.totals.requests, byAgent: byAgent};
  }

  function setPoll(state, title) {
    var p = $('poll');
    p.className = 'poll ' + state;
    p.title = title;
  }

  function poll() {
    var headers = {};
    var key = sessionStorage.getItem(KEY_ITEM);
    if (key) headers.Authorization = 'Bearer ' + key;
    fetch('../status', {headers: headers, cache: 'no-store'}).then(function (response) {
      if (response.status === 401) {
        $('key-form').hidden = false;
        setPoll('failed', 'the admin key is required');
        return null;
      }
      if (!response.ok) throw new Error('/status answered ' + response.status);
      $('key-form').hidden = true;
      return response.json();
    }).then(function (status) {
      if (status) {
        var at = Date.now();
        render(status, previous ? (at - previous.at) / 1000 : 0);
        remember(status, at);
        setPoll('ok', 'updated ' + new Date(at).toLocaleTimeString());
      }
    }).catch(function (e) {
      setPoll('failed', String(e));
    }).then(function () {
      setTimeout(poll, POLL_MS);
    });
  }

  $('key-form').addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem(KEY_ITEM, $('admin-key').value);
    $('admin-key').value = '';
    previous = null;
  });

  poll();
})();
