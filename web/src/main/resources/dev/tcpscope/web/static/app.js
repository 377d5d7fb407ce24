// tcpscope's operator page: the live list of suspicious sessions (server-sent events from
// the anomaly topic), filters, a ladder per chosen session, hotspots and agents.
import { drawLadder, timeOfDay, dateTime, duration, endpoint } from './ladder.js';

const MAX_SESSIONS = 5000;
const $ = id => document.getElementById(id);

const state = {
  sessions: [],            // newest last, as they arrived
  keys: new Set(),
  selected: null,          // key of the chosen session
  hotspots: null,
  agents: null,
  utc: false,
};

const keyOf = s => `${s.observer}/${s.session_id}/${s.end_us}`;

function cell(tr, text, cls) {
  const td = document.createElement('td');
  if (cls) td.className = cls;
  if (text instanceof Node) td.append(text); else td.textContent = text;
  tr.append(td);
  return td;
}

function badges(list, cls) {
  const span = document.createElement('span');
  for (const r of list) {
    const b = document.createElement('span');
    b.className = `badge ${cls}`;
    b.textContent = r;
    span.append(b);
  }
  return span;
}

// ---- filters: reason, observer, address, port; kept in the address bar's #fragment ----

const filters = { reason: '', observer: '', address: '', port: '' };

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const k of Object.keys(filters)) filters[k] = p.get(k) || '';
  state.selected = p.get('session') || null;
  state.utc = p.get('utc') === '1';
  $('filter-address').value = filters.address;
  $('filter-port').value = filters.port;
  $('utc').checked = state.utc;
}

function writeHash() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) p.set(k, v);
  if (state.selected) p.set('session', state.selected);
  if (state.utc) p.set('utc', '1');
  history.replaceState(null, '', p.toString() ? `#${p}` : location.pathname);
}

function portFilter() {
  const text = filters.port.trim();
  if (text === '') return null;
  const n = Number(text);
  const ok = /^\d+$/.test(text) && n <= 65535;
  $('filter-port').classList.toggle('invalid', !ok);
  $('filter-port').title = ok ? '' : 'a port is a number from 0 to 65535';
  return ok ? n : null;
}

function matches(s) {
  if (filters.reason && !s.reasons.includes(filters.reason)) return false;
  if (filters.observer && s.observer !== filters.observer) return false;
  const address = filters.address.trim();
  if (address && !s.client_ip.includes(address) && !s.server_ip.includes(address)) return false;
  const port = portFilter();
  if (port !== null && s.client_port !== port && s.server_port !== port) return false;
  return true;
}

function fillSelect(select, values, current) {
  const wanted = ['', ...[...values].sort()];
  if (current && !values.has(current)) wanted.push(current);
  const have = [...select.options].map(o => o.value);
  if (have.join('\n') !== wanted.join('\n')) {
    select.replaceChildren(...wanted.map(v => {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = v || 'any';
      return o;
    }));
  }
  select.value = current;
}

// ---- the live list ----

function renderSessions() {
  const reasons = new Set();
  const observers = new Set();
  for (const s of state.sessions) {
    s.reasons.forEach(r => reasons.add(r));
    observers.add(s.observer);
  }
  fillSelect($('filter-reason'), reasons, filters.reason);
  fillSelect($('filter-observer'), observers, filters.observer);

  const shown = state.sessions.filter(matches).sort((a, b) => b.end_us - a.end_us);
  const rows = shown.map(s => {
    const tr = document.createElement('tr');
    const key = keyOf(s);
    tr.dataset.key = key;
    tr.dataset.sessionId = s.session_id;
    tr.dataset.clientPort = s.client_port;
    if (key === state.selected) tr.classList.add('selected');
    cell(tr, timeOfDay(s.end_us, state.utc)).title = dateTime(s.end_us, state.utc);
    cell(tr, s.observer);
    // the pair may break after the arrow when the list is narrow
    cell(tr, `${endpoint(s.client_ip, s.client_port)}\u00a0→ ${endpoint(s.server_ip, s.server_port)}`, 'pair');
    cell(tr, badges(s.reasons, 'reason'));
    const zeek = document.createElement('span');
    const history = document.createElement('span');
    history.className = 'muted';
    history.textContent = ` ${s.history || '-'}`;
    zeek.append(document.createTextNode(s.conn_state), history);
    cell(tr, zeek);
    cell(tr, s.segments, 'num').title = `${s.bytes} bytes`;
    cell(tr, duration(s.end_us - s.start_us), 'num');
    tr.addEventListener('click', () => select(key));
    return tr;
  });
  $('sessions').tBodies[0].replaceChildren(...rows);
  $('sessions-empty').hidden = rows.length > 0;
  $('sessions-empty').textContent = state.sessions.length === 0
    ? 'No suspicious session yet: they appear here as the processor reports them.'
    : 'No session matches the filters.';
  $('session-count').textContent = shown.length === state.sessions.length
    ? `(${state.sessions.length})` : `(${shown.length} of ${state.sessions.length})`;
}

// ---- the ladder ----

function select(key) {
  state.selected = key;
  writeHash();
  renderSessions();
  renderLadder();
}

function fact(label, value) {
  const span = document.createElement('span');
  span.className = 'fact';
  const b = document.createElement('b');
  b.textContent = `${label} `;
  span.append(b, value instanceof Node ? value : document.createTextNode(value), document.createTextNode('   '));
  return span;
}

function renderLadder() {
  const s = state.sessions.find(x => keyOf(x) === state.selected);
  const head = $('ladder-head');
  if (!s) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = state.selected ? 'That session is no longer kept.' : 'Click a session to draw its ladder.';
    head.replaceChildren(p);
    $('ladder-box').replaceChildren();
    return;
  }
  const endpoints = document.createElement('div');
  endpoints.className = 'endpoints';
  endpoints.textContent = `${endpoint(s.client_ip, s.client_port)} == ${endpoint(s.server_ip, s.server_port)}`;
  const facts = document.createElement('div');
  facts.className = 'facts';
  facts.append(fact('reasons', badges(s.reasons.length ? s.reasons : ['none'], 'reason')),
    fact('conn_state', s.conn_state), fact('history', s.history || '-'), fact('ended by', s.ended_by),
    fact('client', s.client_state), fact('server', s.server_state));
  if (s.partial) facts.append(fact('partial', 'first seen mid-stream'));
  const meta = document.createElement('div');
  meta.className = 'meta';
  const sid = String(s.session_id % 10000).padStart(4, '0');
  meta.textContent = `session ${sid} · observer ${s.observer} · ${s.source} · ${dateTime(s.start_us, state.utc)}` +
    ` · ${duration(s.end_us - s.start_us)} · ${s.segments} segments, ${s.bytes} bytes` +
    ` (client ${s.client_segments}/${s.client_bytes}, server ${s.server_segments}/${s.server_bytes})` +
    (s.handshake_rtt_us != null ? ` · handshake RTT ${duration(s.handshake_rtt_us)}` : '') +
    ` · ${s.shown.length} kept`;
  head.replaceChildren(endpoints, facts, meta);
  $('ladder-box').replaceChildren(drawLadder(s, state.utc));
}

// ---- hotspots ----

function renderHotspots() {
  const h = state.hotspots;
  const rows = (h && h.rows) || [];
  $('hotspot-window').textContent = h && h.window_start_ms != null
    ? `(capture time ${timeOfDay(h.window_start_ms * 1000, state.utc).slice(0, 5)}–${timeOfDay(h.window_end_ms * 1000, state.utc).slice(0, 5)}${state.utc ? ' UTC' : ''})`
    : '';
  $('hotspots').tBodies[0].replaceChildren(...rows.map(r => {
    const tr = document.createElement('tr');
    tr.dataset.key = r.key;
    tr.title = 'show these sessions';
    cell(tr, endpoint(r.server_ip, r.server_port));
    cell(tr, badges([r.reason], 'reason'));
    cell(tr, r.sessions, 'num sessions');
    cell(tr, r.observers.join(', '));
    cell(tr, timeOfDay(r.last_end_us, state.utc));
    tr.addEventListener('click', () => {
      Object.assign(filters, { reason: r.reason, address: r.server_ip, port: String(r.server_port), observer: '' });
      $('filter-address').value = filters.address;
      $('filter-port').value = filters.port;
      writeHash();
      renderSessions();
    });
    return tr;
  }));
  $('hotspots-empty').hidden = rows.length > 0;
}

// ---- agents ----

function ago(ms) {
  if (ms < 1500) return 'just now';
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${Math.round(ms / 3_600_000)} h ago`;
}

function renderAgents() {
  const a = state.agents;
  const rows = (a && a.agents) || [];
  $('agents').tBodies[0].replaceChildren(...rows.map(r => {
    const tr = document.createElement('tr');
    tr.dataset.observer = r.observer;
    tr.className = r.status;
    cell(tr, r.observer);
    cell(tr, r.status, `agent-${r.status}`).title = r.status === 'stale'
      ? `no heartbeat for over ${a.stale_after_ms / 1000} s` : r.status === 'finished' ? 'its capture file ended' : 'sending heartbeats';
    cell(tr, ago(r.age_ms)).title = dateTime(r.sent_at_ms * 1000, state.utc);
    cell(tr, r.source);
    cell(tr, timeOfDay(r.capture_clock_us, state.utc)).title = dateTime(r.capture_clock_us, state.utc);
    cell(tr, r.segments_per_second == null ? '—' : r.segments_per_second.toFixed(1), 'num');
    cell(tr, r.frames, 'num');
    cell(tr, r.segments, 'num segments');
    cell(tr, r.header_errors, r.header_errors > 0 ? 'num bad' : 'num');
    cell(tr, r.published, 'num');
    cell(tr, r.dropped_by_agent, r.dropped_by_agent > 0 ? 'num bad' : 'num');
    cell(tr, r.dropped_by_capture, r.dropped_by_capture > 0 || r.dropping ? 'num bad' : 'num');
    cell(tr, r.version);
    return tr;
  }));
  $('agents-empty').hidden = rows.length > 0;
  const stale = rows.filter(r => r.status === 'stale').length;
  $('agent-note').textContent = rows.length ? `(${rows.length}${stale ? `, ${stale} stale` : ''})` : '';
  renderSummary();
}

function renderSummary() {
  const hot = (state.hotspots && state.hotspots.rows.length) || 0;
  const agents = (state.agents && state.agents.agents.length) || 0;
  const n = (count, what) => `${count} ${what}${count === 1 ? '' : 's'}`;
  $('summary').textContent = `${n(state.sessions.length, 'session')} · ${n(hot, 'hotspot')} · ${n(agents, 'agent')}`;
}

// ---- the feed ----

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => {
    renderPending = false;
    renderSessions();
    renderSummary();
    if (state.selected && !$('ladder-box').firstChild) renderLadder();
  }, 30);
}

function connect() {
  const status = $('status');
  const events = new EventSource('events');
  events.addEventListener('open', () => { status.className = 'status live'; status.textContent = 'live'; });
  events.addEventListener('error', () => { status.className = 'status reconnecting'; status.textContent = 'reconnecting…'; });
  events.addEventListener('reset', () => {
    state.sessions = [];
    state.keys.clear();
    $('ladder-box').replaceChildren();
    scheduleRender();
  });
  events.addEventListener('session', e => {
    const s = JSON.parse(e.data);
    const key = keyOf(s);
    if (state.keys.has(key)) return;
    state.keys.add(key);
    state.sessions.push(s);
    if (state.sessions.length > MAX_SESSIONS) state.keys.delete(keyOf(state.sessions.shift()));
    scheduleRender();
  });
  events.addEventListener('hotspots', e => { state.hotspots = JSON.parse(e.data); renderHotspots(); renderSummary(); });
  events.addEventListener('agents', e => { state.agents = JSON.parse(e.data); renderAgents(); });
}

function onFilter() {
  filters.reason = $('filter-reason').value;
  filters.observer = $('filter-observer').value;
  filters.address = $('filter-address').value;
  filters.port = $('filter-port').value;
  writeHash();
  renderSessions();
}

readHash();
for (const id of ['filter-reason', 'filter-observer']) $(id).addEventListener('change', onFilter);
for (const id of ['filter-address', 'filter-port']) $(id).addEventListener('input', onFilter);
$('filter-clear').addEventListener('click', () => {
  Object.assign(filters, { reason: '', observer: '', address: '', port: '' });
  $('filter-address').value = '';
  $('filter-port').value = '';
  $('filter-port').classList.remove('invalid');
  writeHash();
  renderSessions();
});
$('utc').addEventListener('change', () => {
  state.utc = $('utc').checked;
  writeHash();
  renderSessions();
  renderLadder();
  renderHotspots();
  renderAgents();
});
connect();
