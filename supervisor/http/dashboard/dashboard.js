// The dashboard of `supervise up --http`: the tree from /api/v1/status, kept
// up to date by the server-sent events of /api/v1/events (the status is read
// again after each), and the operator commands as POSTs with the token.
// Plain JavaScript, no library: the binary serves it as it is.
'use strict';

const TOKEN_KEY = 'supervise-token';
// The journal's kinds (docs/HTTP.md): an EventSource hears only the named
// events it listens for.
const EVENT_KINDS = ['start', 'exit', 'restart', 'backoff', 'give_up', 'command', 'stop', 'done',
  'dropped', 'stalled', 'unstalled'];
const MAX_EVENTS_SHOWN = 100;
// Task progress changes without an event: the status is also read this often.
const STATUS_REFRESH_MS = 5000;
// An event stream the browser gave up on is opened again after this.
const REOPEN_MS = 2000;

const page = {
  tree: document.getElementById('tree'),
  events: document.getElementById('events'),
  connection: document.getElementById('connection'),
  initiative: document.getElementById('initiative'),
  tokenNote: document.getElementById('token-note'),
  notice: document.getElementById('notice'),
  announcer: document.getElementById('announcer'),
  down: document.getElementById('down'),
  confirmDown: document.getElementById('confirm-down'),
  template: document.getElementById('child-template'),
};

/** Cards by child id, kept across updates so focus and replies survive. */
const cards = new Map();
/** The last status and when it was read (performance.now()), for clocks. */
let lastStatus = null;
let lastStatusAt = 0;
let supervisorPid = null;
let lastEventId = 0;
let statusInFlight = false;
let statusAgain = false;
let source = null;

// ------------------------------------------------------------- token ---

/** Moves `?token=` from the address into this tab's sessionStorage. */
function takeTokenFromAddress() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  page.tokenNote.hidden = Boolean(sessionStorage.getItem(TOKEN_KEY));
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

// ---------------------------------------------------------- formatting ---

function duration(seconds) {
  if (seconds === null || seconds === undefined) {
    return '–';
  }
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

function lastExitText(child) {
  if (!child.last_exit) {
    return '–';
  }
  const at = child.last_exit_at ? ` at ${child.last_exit_at.slice(11, 19)}` : '';
  return `${child.last_exit.description}${at}`;
}

/** Seconds since the status was read: the clocks on the page run on. */
function sinceStatus() {
  return (performance.now() - lastStatusAt) / 1000;
}

function setText(element, text) {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}

function say(text) {
  page.announcer.textContent = text;
}

function showNotice(text) {
  page.notice.textContent = text;
  page.notice.hidden = !text;
}

// ------------------------------------------------------------ the tree ---

function field(card, name) {
  return card.querySelector(`[data-field="${name}"]`);
}

function makeCard(child) {
  const card = page.template.content.firstElementChild.cloneNode(true);
  card.dataset.child = child.id;
  const label = child.name && child.name !== child.id ? `${child.name} (${child.id})` : child.id;
  for (const button of card.querySelectorAll('[data-action]')) {
    const action = button.dataset.action;
    button.setAttribute('aria-label', `${button.textContent} ${label}`);
    button.addEventListener('click', () => childCommand(child.id, action, card));
  }
  const headingId = `child-${cards.size}`;
  field(card, 'name').id = headingId;
  card.setAttribute('aria-labelledby', headingId);
  return card;
}

function updateCard(card, child) {
  setText(field(card, 'name'), child.name || child.id);
  setText(field(card, 'id'), child.name && child.name !== child.id ? child.id : '');
  const state = field(card, 'state');
  setText(state, child.state);
  card.dataset.state = child.state;
  state.dataset.state = child.state;
  setText(field(card, 'pid'), child.pid === null || child.pid === undefined ? '–' : String(child.pid));
  setText(field(card, 'restarts'), String(child.restarts));
  setText(field(card, 'last-exit'), lastExitText(child));
  setText(field(card, 'waiting-for'),
    child.waiting_for && child.waiting_for.length ? child.waiting_for.join(', ') : '–');
  const stalled = field(card, 'stalled');
  setText(stalled, child.stalled ? 'stalled' : 'no');
  stalled.classList.toggle('alert', Boolean(child.stalled));
  const tasks = field(card, 'tasks');
  if (child.tasks && child.tasks.total > 0) {
    tasks.hidden = false;
    const progress = field(card, 'progress');
    progress.max = child.tasks.total;
    progress.value = child.tasks.completed;
    setText(field(card, 'tasks-text'), `Tasks: ${child.tasks.completed} of ${child.tasks.total} done`);
  } else {
    tasks.hidden = true;
  }
  updateClocks(card, child);
}

/** Uptime and the backoff's countdown, moved on from the last status. */
function updateClocks(card, child) {
  const elapsed = sinceStatus();
  setText(field(card, 'uptime'),
    child.uptime_seconds === null || child.uptime_seconds === undefined
      ? '–' : duration(child.uptime_seconds + elapsed));
  const next = child.next_restart_in_seconds;
  setText(field(card, 'next-restart'),
    next === null || next === undefined ? '–' : `in ${Math.max(0, next - elapsed).toFixed(1)} s`);
}

/** Children by supervisor node ('' the root), each node's by dependency depth. */
function grouped(children) {
  const groups = new Map([['', new Map()]]);
  for (const child of children) {
    const parent = child.parent || '';
    if (!groups.has(parent)) {
      groups.set(parent, new Map());
    }
    const depths = groups.get(parent);
    const depth = child.depth || 0;
    if (!depths.has(depth)) {
      depths.set(depth, []);
    }
    depths.get(depth).push(child);
  }
  return groups;
}

function groupSection(parent, byId) {
  const section = document.createElement('section');
  section.className = 'group';
  section.dataset.group = parent;
  const head = document.createElement('div');
  head.className = 'group-head';
  const heading = document.createElement('h3');
  if (parent === '') {
    heading.textContent = 'Root supervisor';
  } else {
    const node = byId.get(parent);
    heading.textContent = `Supervisor ${node && node.name ? node.name : parent}`;
  }
  head.append(heading);
  section.append(head);
  return section;
}

function renderTree(status) {
  // Cards move into a new fragment below, which takes focus from a button:
  // it is given back at the end.
  const focused = document.activeElement;
  const byId = new Map(status.children.map((child) => [child.id, child]));
  const fragment = document.createDocumentFragment();
  const groups = grouped(status.children);
  for (const [parent, depths] of groups) {
    if (depths.size === 0) {
      continue;
    }
    const section = groupSection(parent, byId);
    for (const depth of [...depths.keys()].sort((a, b) => a - b)) {
      const label = document.createElement('p');
      label.className = 'depth-label';
      label.textContent = depth === 0 ? 'No dependencies' : `Dependency depth ${depth}`;
      const list = document.createElement('div');
      list.className = 'cards';
      for (const child of depths.get(depth)) {
        let card = cards.get(child.id);
        if (!card) {
          card = makeCard(child);
          cards.set(child.id, card);
        }
        updateCard(card, child);
        list.append(card);
      }
      section.append(label, list);
    }
    fragment.append(section);
  }
  for (const id of [...cards.keys()]) {
    if (!byId.has(id)) {
      cards.delete(id);
    }
  }
  page.tree.replaceChildren(fragment);
  if (focused && focused !== document.activeElement && page.tree.contains(focused)) {
    focused.focus({preventScroll: true});
  }
  if (status.children.length === 0) {
    page.tree.innerHTML = '<p class="muted">The tree has no children.</p>';
  }
}

function renderStatus(status) {
  lastStatus = status;
  lastStatusAt = performance.now();
  if (supervisorPid !== null && status.supervisor_pid !== supervisorPid) {
    say(`The supervisor runs again, now as PID ${status.supervisor_pid}.`);
  }
  supervisorPid = status.supervisor_pid;
  const initiative = status.initiative && status.initiative.name ? status.initiative.name : '';
  setText(page.initiative,
    `${initiative ? `${initiative} · ` : ''}supervisor PID ${status.supervisor_pid ?? '–'}`);
  renderTree(status);
}

async function readStatus() {
  if (statusInFlight) {
    statusAgain = true;  // one more read once this one is in
    return;
  }
  statusInFlight = true;
  try {
    const response = await fetch('/api/v1/status', {cache: 'no-store'});
    if (response.ok) {
      renderStatus(await response.json());
    }
  } catch (error) {
    // The supervisor is not there (restarting, or down): the event stream
    // says so and brings a new read once it is back.
  } finally {
    statusInFlight = false;
    if (statusAgain) {
      statusAgain = false;
      readStatus();
    }
  }
}

// ------------------------------------------------------------- events ---

function eventText(data) {
  const text = data.detail || (data.reason || '').replaceAll('_', ' ');
  return data.pid && !/\bpid\b/i.test(text) ? `${text} · PID ${data.pid}` : text;
}

function showEvent(kind, data) {
  const item = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = typeof data.time === 'string' ? data.time.slice(11, 19) : '';
  if (typeof data.time === 'string') {
    time.dateTime = data.time;
  }
  const what = document.createElement('span');
  what.className = 'event-kind';
  what.dataset.kind = kind;
  what.textContent = kind.replace('_', ' ');
  const text = document.createElement('span');
  text.className = 'event-text';
  const child = document.createElement('strong');
  child.textContent = data.child || '';
  text.append(child, document.createTextNode(` ${eventText(data)}`));
  item.append(time, what, text);
  page.events.prepend(item);
  while (page.events.children.length > MAX_EVENTS_SHOWN) {
    page.events.lastElementChild.remove();
  }
}

function setConnection(state, text) {
  page.connection.dataset.connection = state;
  setText(page.connection, text);
}

function openEvents() {
  // After `?since=ID` the server sends what this page has not seen; a
  // reconnect of the browser's own sends Last-Event-ID instead.
  source = new EventSource(`/api/v1/events?since=${lastEventId}`);
  source.addEventListener('open', () => {
    setConnection('live', 'live');
    readStatus();
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      setConnection('reconnecting', 'disconnected: trying again…');
      setTimeout(openEvents, REOPEN_MS);
    } else {
      setConnection('reconnecting', 'reconnecting…');
    }
  });
  for (const kind of EVENT_KINDS) {
    source.addEventListener(kind, (message) => {
      const id = Number(message.lastEventId);
      if (Number.isFinite(id)) {
        lastEventId = id;
      }
      let data = {};
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      showEvent(kind, data);
      readStatus();
    });
  }
}

// ----------------------------------------------------------- commands ---

async function post(path) {
  const response = await fetch(path, {
    method: 'POST',
    headers: {Authorization: `Bearer ${token()}`},
    cache: 'no-store',
  });
  let body = {};
  try {
    body = await response.json();
  } catch (error) {
    body = {};
  }
  if (response.status === 401 || response.status === 403) {
    throw new Error('the token was refused: each start of `supervise up` makes a new one; ' +
      'open the address it printed');
  }
  if (!response.ok || body.ok === false) {
    throw new Error(body.error || `HTTP ${response.status}`);
  }
  return body;
}

async function childCommand(id, action, card) {
  // One command at a time per child; the buttons stay enabled so that the
  // keyboard focus stays where it is.
  if (card.getAttribute('aria-busy') === 'true') {
    return;
  }
  card.setAttribute('aria-busy', 'true');
  const reply = field(card, 'reply');
  setText(reply, `${action}…`);
  try {
    const body = await post(`/api/v1/children/${encodeURIComponent(id)}/${action}`);
    setText(reply, body.message || `${action} ${id}: accepted`);
    say(reply.textContent);
    showNotice('');
  } catch (error) {
    setText(reply, `${action} ${id}: ${error.message}`);
    showNotice(`${action} ${id}: ${error.message}`);
  } finally {
    card.removeAttribute('aria-busy');
    readStatus();
  }
}

function askDown() {
  page.confirmDown.returnValue = '';
  page.confirmDown.showModal();
}

async function down() {
  page.down.disabled = true;
  try {
    const body = await post('/api/v1/down');
    showNotice(`Shutting down (supervisor PID ${body.supervisor_pid}).`);
    say('The tree is shutting down.');
  } catch (error) {
    showNotice(`down: ${error.message}`);
  } finally {
    page.down.disabled = false;
  }
}

// -------------------------------------------------------------- start ---

function tick() {
  if (!lastStatus) {
    return;
  }
  for (const child of lastStatus.children) {
    const card = cards.get(child.id);
    if (card) {
      updateClocks(card, child);
    }
  }
}

takeTokenFromAddress();
page.down.addEventListener('click', askDown);
page.confirmDown.addEventListener('close', () => {
  if (page.confirmDown.returnValue === 'down') {
    down();
  }
  page.down.focus();
});
readStatus();
openEvents();
setInterval(tick, 1000);
setInterval(readStatus, STATUS_REFRESH_MS);
