// The ladder of one reported session, drawn as SVG from its kept segments: miruo's text
// layout turned into a sequence diagram. Client on the left, server on the right, one arrow
// per kept segment, the "****" stretch where segments were not kept, miruo's colours.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const CLIENT_X = 196;
const SERVER_X = 520;
const TOP = 58;         // below the two endpoint labels
const ROW = 52;         // one arrow
const GAP = 30;         // one "****" stretch
const SLOPE = 14;       // how far an arrow falls while it crosses: time passes on the wire
const MARKS = ['none', 'handshake', 'closed', 'flagged', 'unexpected', 'original'];
const ENDINGS = { timeout: 'time out', duplicate_syn: 'Duplicate connection (packet loss?)', end_of_capture: 'open at end of capture' };

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Time of day with milliseconds, as miruo prints it (local time, or UTC). */
export function timeOfDay(us, utc) {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  const two = n => String(n).padStart(2, '0');
  const h = utc ? d.getUTCHours() : d.getHours();
  const m = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  return `${two(h)}:${two(m)}:${two(s)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}`;
}

/** Date and time of day. */
export function dateTime(us, utc) {
  const d = new Date(Math.floor(us / 1000));
  const two = n => String(n).padStart(2, '0');
  const date = utc
    ? `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`
    : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return `${date} ${timeOfDay(us, utc)}${utc ? ' UTC' : ''}`;
}

/** A duration in microseconds, short. */
export function duration(us) {
  if (us < 1000) return `${us} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(3)} ms`;
  return `${(us / 1_000_000).toFixed(3)} s`;
}

export function endpoint(ip, port) {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const hex = n => Number(n).toString(16).toUpperCase().padStart(8, '0');

/** Flag names for the tooltip, from miruo's six positions UAPRSF. */
function flagNames(flags) {
  const names = ['URG', 'ACK', 'PSH', 'RST', 'SYN', 'FIN'];
  return names.filter((_, i) => flags[i] && flags[i] !== '-').join(' ') || 'none';
}

/**
 * Draws the ladder of a session (a JSON-lines object, as `watch --format jsonl` prints it).
 * Each arrow is a `g.arrow` carrying data-index, data-flags and data-mark; each stretch of
 * segments not kept is a `g.elided` carrying data-skipped.
 */
export function drawLadder(s, utc) {
  const shown = s.shown;
  // rows: arrows and the elided stretches between them (and after the last, as miruo does)
  const rows = [];
  if (shown.length > 0 && shown[0].index > 0) rows.push({ gap: shown[0].index, from: 0 });
  shown.forEach((seg, i) => {
    rows.push({ seg });
    const next = i + 1 < shown.length ? shown[i + 1].index : s.segments;
    if (next > seg.index + 1) rows.push({ gap: next - seg.index - 1, from: seg.index + 1 });
  });
  const ending = ENDINGS[s.ended_by];
  const height = TOP + rows.reduce((h, r) => h + (r.gap ? GAP : ROW), 0) + (ending ? ROW : 10) + 6;

  // as wide as its box up to its natural size (style.css), narrower boxes scale it down
  const svg = el('svg', { class: 'ladder', id: 'ladder', width: '100%', viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img', 'aria-label': `ladder of ${endpoint(s.client_ip, s.client_port)} to ${endpoint(s.server_ip, s.server_port)}` });
  const defs = el('defs');
  for (const mark of MARKS) {
    const m = el('marker', { id: `head-${mark}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8,
      orient: 'auto-start-reverse', class: `mark-${mark}` });
    m.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'head' }));
    defs.append(m);
  }
  svg.append(defs);

  svg.append(el('text', { x: CLIENT_X, y: 18, 'text-anchor': 'middle', class: 'who' }, 'client'));
  svg.append(el('text', { x: CLIENT_X, y: 34, 'text-anchor': 'middle', class: 'who-addr' }, endpoint(s.client_ip, s.client_port)));
  svg.append(el('text', { x: SERVER_X, y: 18, 'text-anchor': 'middle', class: 'who' }, 'server'));
  svg.append(el('text', { x: SERVER_X, y: 34, 'text-anchor': 'middle', class: 'who-addr' }, endpoint(s.server_ip, s.server_port)));
  const bottom = height - 4;
  svg.append(el('line', { x1: CLIENT_X, y1: TOP - 14, x2: CLIENT_X, y2: bottom, class: 'wire' }));
  svg.append(el('line', { x1: SERVER_X, y1: TOP - 14, x2: SERVER_X, y2: bottom, class: 'wire' }));

  let y = TOP;
  for (const row of rows) {
    if (row.gap) {
      const g = el('g', { class: 'elided', 'data-skipped': row.gap });
      g.append(el('rect', { x: CLIENT_X - 3, y: y, width: SERVER_X - CLIENT_X + 6, height: GAP - 4 }));
      g.append(el('line', { x1: CLIENT_X, y1: y, x2: CLIENT_X, y2: y + GAP - 4 }));
      g.append(el('line', { x1: SERVER_X, y1: y, x2: SERVER_X, y2: y + GAP - 4 }));
      const last = row.from + row.gap - 1;
      g.append(el('text', { x: (CLIENT_X + SERVER_X) / 2, y: y + GAP / 2 + 2, 'text-anchor': 'middle' },
        `**** ${row.gap} segment${row.gap === 1 ? '' : 's'} not shown (#${row.from}${last > row.from ? '–#' + last : ''})`));
      g.append(el('title', {}, `segments ${row.from} to ${last} of the session were not kept for display`));
      svg.append(g);
      y += GAP;
      continue;
    }
    const seg = row.seg;
    const fromClient = seg.direction === 'client_to_server';
    const mark = MARKS.includes(seg.mark) ? seg.mark : 'none';
    const g = el('g', { class: `arrow mark-${mark}`, 'data-index': seg.index, 'data-flags': seg.flags, 'data-mark': mark,
      'data-direction': seg.direction });
    const x1 = fromClient ? CLIENT_X : SERVER_X;
    const x2 = fromClient ? SERVER_X : CLIENT_X;
    const yArrow = y + 18;
    g.append(el('text', { x: 6, y: yArrow + 4, class: 'time' }, timeOfDay(seg.ts_us, utc)));
    g.append(el('text', { x: 6, y: yArrow + 18, class: 'time' }, `+${duration(seg.ts_us - s.start_us)}`));
    g.append(el('text', { x: CLIENT_X - 8, y: yArrow + (fromClient ? 4 : SLOPE + 4), 'text-anchor': 'end', class: 'state' }, seg.client_state));
    g.append(el('text', { x: SERVER_X + 8, y: yArrow + (fromClient ? SLOPE + 4 : 4), class: 'state' }, seg.server_state));
    g.append(el('line', { x1, y1: yArrow, x2: x2 + (fromClient ? -2 : 2), y2: yArrow + SLOPE, 'marker-end': `url(#head-${mark})` }));
    const mid = (CLIENT_X + SERVER_X) / 2;
    g.append(el('text', { x: mid, y: yArrow - 2, 'text-anchor': 'middle', class: 'label' },
      `#${seg.index}  ${seg.flags}  ${hex(seg.seq)}/${hex(seg.ack)}  ${seg.length} B${seg.fragment ? '  F' : ''}`));
    const detail = [seg.payload_length > 0 ? `${seg.payload_length} B data` : '', seg.options].filter(Boolean).join(' · ');
    if (detail) {
      g.append(el('text', { x: mid, y: yArrow + SLOPE + 13, 'text-anchor': 'middle', class: 'detail' },
        detail.length > 46 ? detail.slice(0, 45) + '…' : detail));
    }
    g.append(el('title', {}, `#${seg.index} ${fromClient ? 'client → server' : 'server → client'}: ${flagNames(seg.flags)}` +
      `\nseq ${seg.seq} ack ${seg.ack}, frame ${seg.length} bytes, payload ${seg.payload_length}` +
      (seg.fragment ? ', IP-fragmented' : '') + (seg.options ? `\noptions <${seg.options}>` : '') +
      `\nclient ${seg.client_state}, server ${seg.server_state}` + (mark !== 'none' ? `\nmarked ${mark}` : '')));
    svg.append(g);
    y += ROW;
  }
  if (ending) {
    const g = el('g', { class: 'ending' });
    g.append(el('text', { x: (CLIENT_X + SERVER_X) / 2, y: y + 20, 'text-anchor': 'middle' },
      `${ending} at ${timeOfDay(s.end_us, utc)}`));
    svg.append(g);
  }
  return svg;
}
