/**
 * The event browser's script, served as `{basePath}/browser.js`: vanilla JavaScript (no
 * framework, nothing loaded from elsewhere) that routes on the URL's hash (`#/log?start=&topics=`,
 * `#/aggregate/{id}`, `#/tail`, `#/lag`), reads the JSON API and builds every view with
 * `textContent` and `setAttribute`, never `innerHTML`: event fields are user data.
 *
 * @internal
 */
export const PAGE_SCRIPT = String.raw`'use strict';
(function () {
  var base = document.body.getAttribute('data-base-path') || '';
  var main = document.getElementById('view');
  var summary = document.getElementById('app-summary');
  var cleanup = null;
  var renderCount = 0;
  // Starts of the pages before the current one, per topic filter, for "Previous".
  var pageStarts = [];
  var pageFilter = '';

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'text') node.textContent = String(value);
        else if (key === 'onclick') node.addEventListener('click', value);
        else if (key === 'onsubmit') node.addEventListener('submit', value);
        else node.setAttribute(key, value === true ? '' : String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.append(child);
    }
    return node;
  }

  function api(path) {
    return fetch(base + '/api/' + path, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { body = null; }
        if (!response.ok) {
          var message = body && typeof body.error === 'string' ? body.error : text;
          var error = new Error(message || response.status + ' ' + response.statusText);
          error.status = response.status;
          throw error;
        }
        return body;
      });
    });
  }

  function showError(error) {
    return el('p', { class: 'error', role: 'alert', text: error && error.message ? error.message : String(error) });
  }

  function aggregateHref(id) {
    return '#/aggregate/' + encodeURIComponent(id);
  }

  function logHref(start, topics) {
    var params = new URLSearchParams();
    if (start && start > 1) params.set('start', String(start));
    if (topics) params.set('topics', topics);
    var query = params.toString();
    return '#/log' + (query ? '?' + query : '');
  }

  function fieldText(value) {
    if (typeof value === 'string') return value;
    return JSON.stringify(value, null, 2);
  }

  function fieldsSummary(event) {
    if (event.fields === null) return 'undecodable: ' + (event.error || '');
    var text = JSON.stringify(event.fields);
    return text.length > 160 ? text.slice(0, 159) + '\u2026' : text;
  }

  function eventRow(event, onTopic) {
    var topic = onTopic
      ? el('button', { class: 'link topic', type: 'button', title: 'Show only this topic', text: event.topic,
          onclick: function () { onTopic(event.topic); } })
      : el('span', { class: 'topic', text: event.topic });
    return el('tr', { 'data-id': event.id === null ? '' : event.id, 'data-originator-id': event.originatorId },
      el('td', { class: 'num id', text: event.id === null ? '' : event.id }),
      el('td', { class: 'mono' }, el('a', { class: 'aggregate-link', href: aggregateHref(event.originatorId), text: event.originatorId })),
      el('td', { class: 'num version', text: event.originatorVersion }),
      el('td', null, topic),
      el('td', { class: 'mono time', text: event.timestamp || '' }),
      el('td', { class: 'fields', title: event.error ? event.error : JSON.stringify(event.fields),
        text: fieldsSummary(event) }));
  }

  function eventsTable(id) {
    return el('table', { id: id },
      el('thead', null, el('tr', null,
        el('th', { class: 'num', text: 'Id' }), el('th', { text: 'Aggregate' }),
        el('th', { class: 'num', text: 'Version' }), el('th', { text: 'Topic' }),
        el('th', { text: 'Timestamp' }), el('th', { text: 'Fields' }))),
      el('tbody'));
  }

  function refreshSummary() {
    return api('info').then(function (info) {
      var parts = [info.maxNotificationId === null ? 'No events stored yet' : info.maxNotificationId + ' notifications'];
      summary.textContent = parts.join(' · ') + ' ';
      if (info.notificationLogPath) {
        summary.append(el('a', { href: info.notificationLogPath, text: 'notification log (JSON)' }));
      }
      return info;
    }, function (error) {
      summary.textContent = '';
      summary.append(showError(error));
    });
  }

  // The log: a page of notifications, filtered by topic.
  function renderLog(params, token) {
    var start = Number(params.get('start') || '1');
    var topics = params.get('topics') || '';
    if (topics !== pageFilter) { pageFilter = topics; pageStarts = []; }
    if (start <= 1) pageStarts = [];
    var input = el('input', { type: 'search', id: 'topic-filter', name: 'topics', value: topics,
      placeholder: 'Topics, separated by commas', 'aria-label': 'Filter by topic', list: 'topic-options' });
    var options = el('datalist', { id: 'topic-options' });
    var prev = el('button', { type: 'button', id: 'previous-page', text: '\u2039 Previous', disabled: start <= 1 });
    var next = el('button', { type: 'button', id: 'next-page', text: 'Next \u203a', disabled: true });
    var first = el('button', { type: 'button', id: 'first-page', text: 'First', disabled: start <= 1 });
    var range = el('span', { id: 'page-range', class: 'muted' });
    var table = eventsTable('log-table');
    var body = table.querySelector('tbody');
    var form = el('form', { class: 'toolbar', id: 'log-filter', onsubmit: function (e) {
      e.preventDefault();
      location.hash = logHref(1, input.value.split(',').map(function (t) { return t.trim(); }).filter(Boolean).join(','));
    } }, input, options,
      el('button', { type: 'submit', id: 'apply-filter', text: 'Filter' }),
      el('button', { type: 'button', id: 'clear-filter', text: 'Clear', disabled: !topics,
        onclick: function () { location.hash = logHref(1, ''); } }),
      el('span', { class: 'spacer' }), range, first, prev, next);
    first.addEventListener('click', function () { location.hash = logHref(1, topics); });
    prev.addEventListener('click', function () {
      var before = pageStarts.pop();
      location.hash = logHref(before || 1, topics);
    });
    main.replaceChildren(el('h2', { text: topics ? 'Notification log: ' + topics : 'Notification log' }), form, table);
    var query = new URLSearchParams({ start: String(start), limit: '20' });
    if (topics) query.set('topics', topics);
    return api('notifications?' + query.toString()).then(function (page) {
      if (token !== renderCount) return;
      var seen = {};
      page.items.forEach(function (event) {
        body.append(eventRow(event, function (topic) { location.hash = logHref(1, topic); }));
        if (!seen[event.topic]) { seen[event.topic] = true; options.append(el('option', { value: event.topic })); }
      });
      if (page.items.length === 0) {
        table.after(el('p', { class: 'empty', id: 'log-empty', text: start > 1 ? 'No more notifications.' : 'No notifications' + (topics ? ' of these topics.' : ' yet.') }));
      } else {
        range.textContent = 'ids ' + page.items[0].id + '\u2013' + page.items[page.items.length - 1].id;
      }
      if (page.next !== null) {
        next.disabled = false;
        next.addEventListener('click', function () {
          pageStarts.push(start);
          location.hash = logHref(page.next, topics);
        });
      }
    });
  }

  // An aggregate: its events, each with its fields.
  function renderAggregate(id, token) {
    var input = el('input', { type: 'text', id: 'aggregate-id', name: 'id', value: id,
      placeholder: 'Aggregate id (originator id)', 'aria-label': 'Aggregate id' });
    var form = el('form', { class: 'toolbar', id: 'aggregate-form', onsubmit: function (e) {
      e.preventDefault();
      if (input.value.trim()) location.hash = aggregateHref(input.value.trim());
    } }, input, el('button', { type: 'submit', id: 'open-aggregate', text: 'Open' }));
    main.replaceChildren(el('h2', { text: 'Aggregate' }), form);
    if (!id) {
      main.append(el('p', { class: 'empty', text: 'Enter an aggregate id, or open one from the log.' }));
      return Promise.resolve();
    }
    return api('aggregates/' + encodeURIComponent(id)).then(function (history) {
      if (token !== renderCount) return;
      var list = el('div', { class: 'events', id: 'aggregate-events' });
      history.events.forEach(function (event) {
        var rows = el('tbody');
        Object.keys(event.fields || {}).forEach(function (name) {
          rows.append(el('tr', { class: 'field', 'data-name': name },
            el('th', { class: 'mono', text: name }),
            el('td', null, el('pre', { class: 'field-value', text: fieldText(event.fields[name]) }))));
        });
        list.append(el('section', { class: 'event', 'data-version': event.originatorVersion },
          el('div', { class: 'event-head' },
            el('span', { class: 'pill', text: 'v' + event.originatorVersion }),
            el('h3', { class: 'topic', text: event.topic }),
            event.className && event.className !== event.topic ? el('span', { class: 'muted', text: event.className }) : null,
            event.id === null ? null : el('a', { class: 'muted', href: logHref(event.id, ''), text: '#' + event.id }),
            el('span', { class: 'time', text: event.timestamp || '' })),
          event.error ? el('p', { class: 'error decode-error', text: event.error }) : null,
          el('table', null, rows)));
      });
      main.append(el('p', { class: 'muted', id: 'aggregate-summary' },
        el('span', { class: 'mono', text: history.originatorId }),
        ' \u00b7 ' + history.events.length + (history.events.length === 1 ? ' event' : ' events')), list);
    }, function (error) {
      if (token === renderCount) main.append(showError(error));
    });
  }

  // The live tail: notifications as they are recorded, newest first.
  function renderTail() {
    var status = el('span', { id: 'tail-status', class: 'status', text: 'connecting\u2026' });
    var count = 0;
    var counter = el('span', { id: 'tail-count', class: 'muted', text: '0 received' });
    var table = eventsTable('tail-table');
    var body = table.querySelector('tbody');
    var empty = el('p', { class: 'empty', id: 'tail-empty', text: 'Waiting for new events\u2026' });
    main.replaceChildren(el('h2', { text: 'Live tail' }),
      el('div', { class: 'toolbar' }, status, counter, el('span', { class: 'spacer' }),
        el('button', { type: 'button', id: 'clear-tail', text: 'Clear',
          onclick: function () { body.replaceChildren(); } })),
      table, empty);
    var source = new EventSource(base + '/api/tail', { withCredentials: true });
    source.addEventListener('ready', function (message) {
      var ready = JSON.parse(message.data);
      status.textContent = 'live' + (ready.gt === null ? '' : ' after #' + ready.gt);
      status.className = 'status live';
    });
    source.addEventListener('notification', function (message) {
      var event = JSON.parse(message.data);
      var row = eventRow(event, null);
      row.classList.add('new');
      body.prepend(row);
      while (body.children.length > 500) body.lastElementChild.remove();
      count += 1;
      counter.textContent = count + ' received';
      empty.remove();
      refreshSummary();
    });
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) {
        status.textContent = 'closed (reload to reconnect)';
        status.className = 'status closed';
      } else {
        status.textContent = 'reconnecting\u2026';
        status.className = 'status';
      }
    });
    cleanup = function () { source.close(); };
    return Promise.resolve();
  }

  function age(seconds) {
    if (seconds === null) return 'unknown';
    if (seconds < 1) return '<1 s';
    if (seconds < 120) return Math.round(seconds) + ' s';
    if (seconds < 7200) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return Math.round(seconds / 3600) + ' h';
    return Math.round(seconds / 86400) + ' days';
  }

  // Lag: each projection and follower, how far it has processed and how far behind it is.
  function renderLag(token) {
    var stamp = el('span', { id: 'lag-updated', class: 'muted' });
    var holder = el('div');
    function load() {
      return api('lag').then(function (lag) {
        if (token !== renderCount) return;
        if (lag.items.length === 0) {
          holder.replaceChildren(el('p', { class: 'empty', id: 'lag-empty', text: 'No projection or follower has tracked this application yet.' }));
        } else {
          var body = el('tbody');
          lag.items.forEach(function (row) {
            body.append(el('tr', { 'data-name': row.name, class: row.eventsBehind > 0 ? 'behind' : null },
              el('td', { class: 'name' }, el('span', { text: row.name }), ' ', el('span', { class: 'pill', text: row.kind })),
              el('td', { class: 'upstream', text: row.applicationName }),
              el('td', { class: 'num position', text: row.position === null ? '\u2014' : row.position }),
              el('td', { class: 'num head', text: row.head === null ? '\u2014' : row.head }),
              el('td', { class: 'num behind', text: row.eventsBehind }),
              el('td', { class: 'num age', title: row.oldestUnprocessedAt || '', text: row.eventsBehind > 0 ? age(row.ageSeconds) : '' }),
              el('td', { class: 'mono where', text: row.where })));
          });
          holder.replaceChildren(el('table', { id: 'lag-table' },
            el('thead', null, el('tr', null,
              el('th', { text: 'Projection or follower' }), el('th', { text: 'Follows' }),
              el('th', { class: 'num', text: 'Position' }), el('th', { class: 'num', text: 'Last id' }),
              el('th', { class: 'num', text: 'Behind' }), el('th', { class: 'num', text: 'Oldest unprocessed' }),
              el('th', { text: 'Tracked in' }))),
            body));
        }
        stamp.textContent = 'updated ' + new Date().toLocaleTimeString();
      }, function (error) {
        if (token === renderCount) holder.replaceChildren(showError(error));
      });
    }
    main.replaceChildren(el('h2', { text: 'Lag' }),
      el('div', { class: 'toolbar' }, stamp, el('span', { class: 'spacer' }),
        el('button', { type: 'button', id: 'refresh-lag', text: 'Refresh', onclick: function () { load(); } })),
      holder);
    var timer = setInterval(load, 5000);
    cleanup = function () { clearInterval(timer); };
    return load();
  }

  function route() {
    if (cleanup) { cleanup(); cleanup = null; }
    renderCount += 1;
    var token = renderCount;
    main.setAttribute('data-state', 'loading');
    main.setAttribute('data-route', location.hash || '#/log');
    var hash = location.hash.replace(/^#\/?/, '');
    var queryAt = hash.indexOf('?');
    var path = queryAt === -1 ? hash : hash.slice(0, queryAt);
    var params = new URLSearchParams(queryAt === -1 ? '' : hash.slice(queryAt + 1));
    var name = path.split('/')[0] || 'log';
    document.querySelectorAll('#views a').forEach(function (link) {
      if (link.getAttribute('data-view') === name) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    });
    var done;
    var id = '';
    try {
      id = decodeURIComponent(path.slice('aggregate/'.length));
    } catch (e) {
      id = path.slice('aggregate/'.length);
    }
    if (name === 'aggregate') done = renderAggregate(path.startsWith('aggregate/') ? id : '', token);
    else if (name === 'tail') done = renderTail(token);
    else if (name === 'lag') done = renderLag(token);
    else done = renderLog(params, token);
    Promise.resolve(done).catch(function (error) {
      if (token === renderCount) main.append(showError(error));
    }).then(function () {
      if (token === renderCount) main.setAttribute('data-state', 'ready');
    });
  }

  window.addEventListener('hashchange', route);
  refreshSummary();
  route();
})();
`;
