// The jvmchat page: the reference client of the server. Plain DOM and the official
// @microsoft/signalr browser client (global `signalR`, loaded before this module); no framework.
// User data only ever reaches the page through textContent, never as HTML.
//
// Pieces: sign-in (pluggable providers, /js/sign-in.mjs), the connection (stateful reconnect,
// automatic reconnect, a visible state with "Retry now"), rooms (listed, refreshed every 15 s and
// on focus, created, joined; unread counts), the open room (history paged on scroll, gap-free live
// messages through /js/chat-recovery.mjs, presence, typing, participants), the assistant (room
// answers streamed as they are written; a private answer with a Stop button).
import { RoomRecovery } from '/js/chat-recovery.mjs';
import { signInProviders } from '/js/sign-in.mjs';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 50;
const TYPING_SEND_INTERVAL_MS = 2000;
const TYPING_SHOW_MS = 3000;
// ?roomsRefreshMs=N overrides how often the room list is refreshed (tests use it).
const RECONNECT_DELAYS = [0, 1000, 2000, 5000, 10_000, 15_000, 30_000];
// How long automatic reconnect keeps trying before the page shows "disconnected" and "Retry now"
// (?reconnectForMs=N overrides it; tests use it).
const RECONNECT_FOR_MS = Number(new URLSearchParams(location.search).get('reconnectForMs')) || 10 * 60_000;

const state = {
  provider: null,
  user: null, // { userId, name }
  connection: null,
  recovery: null,
  rooms: new Map(), // id -> Room
  joined: new Set(), // room ids this user joined (kept per user in localStorage)
  unread: new Map(), // room id -> count
  opening: 0, // counts openRoom calls: only the latest one goes on after an await
  onlineSince: new Set(), // per online-list request in flight, the presence events since it left
  roomId: null,
  nextBefore: null,
  loadingOlder: false,
  shown: new Set(), // message ids shown in the open room
  online: new Map(), // userId -> userName, for the open room
  typers: new Map(), // userId -> { name, timer }
  lastTypingSent: 0,
  streams: new Map(), // messageId -> li of an assistant answer being written
  privateStream: null,
};

// ------------------------------------------------------------------ helpers

function showError(text) {
  $('error').textContent = text || '';
}

function errorText(err) {
  if (!err) return 'Unknown error';
  const msg = err.message || String(err);
  const i = msg.indexOf('HubException: ');
  return i >= 0 ? msg.substring(i + 'HubException: '.length) : msg;
}

async function token() {
  return state.provider.accessToken();
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + (await token()) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  const isJson = (res.headers.get('content-type') || '').includes('json');
  const data = isJson ? await res.json() : await res.text();
  if (!res.ok) throw new Error((data && (data.detail || data.title)) || `HTTP ${res.status}`);
  return data;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function joinedKey() {
  return `jvmchat.joined.${state.user.userId}`;
}

function saveJoined() {
  localStorage.setItem(joinedKey(), JSON.stringify([...state.joined]));
}

function lastReadKey(roomId) {
  return `jvmchat.read.${state.user.userId}.${roomId}`;
}

// ------------------------------------------------------------------ sign in

async function setUpSignIn() {
  const list = signInProviders();
  const available = [];
  for (const p of list) {
    try {
      if (await p.available()) available.push(p);
    } catch {
      // unavailable
    }
  }
  for (const p of available) {
    const session = p.restore ? await p.restore().catch(() => null) : null;
    if (session) {
      await signedIn(p, session, sessionStorage.getItem('jvmchat.protocol') || 'json');
      return;
    }
  }
  const form = available.find((p) => p.form);
  $('signin-form').hidden = !form;
  if (form) {
    $('signin-form').onsubmit = async (e) => {
      e.preventDefault();
      $('signin-error').textContent = '';
      const userId = $('signin-user').value.trim();
      const name = $('signin-name').value.trim() || userId;
      try {
        const session = await form.signIn({ userId, name });
        sessionStorage.setItem('jvmchat.protocol', $('signin-protocol').value);
        await signedIn(form, session, $('signin-protocol').value);
      } catch (err) {
        $('signin-error').textContent = errorText(err);
      }
    };
  }
  const box = $('signin-providers');
  box.replaceChildren();
  for (const p of available.filter((x) => !x.form)) {
    const b = el('button', 'provider', p.label || p.id);
    b.type = 'button';
    if (p.buttonId) b.id = p.buttonId;
    b.onclick = async () => {
      $('signin-error').textContent = '';
      try {
        await signedIn(p, await p.signIn({}), 'json');
      } catch (err) {
        $('signin-error').textContent = errorText(err);
      }
    };
    box.append(b);
  }
  $('signin-none').hidden = available.length > 0;
  (form ? $('signin-user') : box.querySelector('button'))?.focus();
}

async function signedIn(provider, session, protocol) {
  state.provider = provider;
  state.user = session;
  state.joined = new Set(JSON.parse(localStorage.getItem(joinedKey()) || '[]'));
  $('signin').hidden = true;
  $('app').hidden = false;
  $('me').hidden = false;
  $('me').textContent = session.name === session.userId ? session.userId : `${session.name} (${session.userId})`;
  $('signout').hidden = false;
  $('toggle-rooms').hidden = false;
  await connect(protocol);
  await refreshRooms();
  await followJoinedRooms();
}

$('signout').addEventListener('click', async () => {
  if (state.recovery) state.recovery.dispose();
  if (state.connection) await state.connection.stop().catch(() => {});
  await state.provider.signOut?.();
  if (!state.provider.signOutNavigates) location.reload();
});

// ------------------------------------------------------------------ connection

function setStatus(text, name) {
  if (name === 'connected' && state.user) text = `connected as ${state.user.userId}`;
  const s = $('status');
  s.textContent = text;
  s.dataset.state = name;
  $('retry').hidden = name !== 'disconnected';
}

async function connect(protocol) {
  const builder = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/chat', { accessTokenFactory: () => token() })
    .withAutomaticReconnect({
      nextRetryDelayInMilliseconds: (ctx) =>
        ctx.elapsedMilliseconds > RECONNECT_FOR_MS ? null : RECONNECT_DELAYS[Math.min(ctx.previousRetryCount, RECONNECT_DELAYS.length - 1)],
    })
    .withStatefulReconnect()
    .configureLogging(signalR.LogLevel.Warning);
  if (protocol === 'messagepack') builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
  const c = builder.build();
  state.connection = c;
  state.recovery = new RoomRecovery(c, {
    accessTokenFactory: () => token(),
    onMessage: onMessage,
    onError: (err, roomId) => console.warn('catching up', roomId, err),
  });
  // The room list updates live: the server sends each room that enters this user's list (a new
  // public room, or a private one the user was added to); a reconnect reloads the whole list.
  c.on('RoomAdded', (room) => {
    if (!state.rooms.has(room.id)) {
      state.rooms.set(room.id, room);
      renderRooms();
    }
  });
  c.on('UserJoined', (e) => {
    if (e.roomId === state.roomId) {
      addNotice(`${e.userName} joined the room`);
      setOnline(e.userId, e.userName, true);
    }
  });
  c.on('UserLeft', (e) => {
    if (e.roomId === state.roomId) addNotice(`${e.userName} left the room`);
  });
  c.on('UserTyping', (e) => {
    if (e.roomId === state.roomId) showTyping(e.userId, e.userName);
  });
  c.on('UserOnline', (e) => {
    if (e.roomId === state.roomId) setOnline(e.userId, e.userName, true);
  });
  c.on('UserOffline', (e) => {
    if (e.roomId === state.roomId) setOnline(e.userId, e.userName, false);
  });
  c.on('ReceiveAssistantChunk', (e) => {
    if (e.roomId === state.roomId) assistantChunk(e);
  });
  c.onreconnecting(() => setStatus('reconnecting…', 'reconnecting'));
  c.onreconnected(() => {
    setStatus('connected', 'connected');
    if (state.roomId) refreshOnline();
    refreshRooms().catch(() => {});
  });
  c.onclose(() => setStatus('disconnected', 'disconnected'));
  setStatus('connecting…', 'connecting');
  try {
    await state.recovery.start();
    setStatus('connected', 'connected');
  } catch (err) {
    setStatus('disconnected', 'disconnected');
    showError('Could not connect: ' + errorText(err));
  }
}

$('retry').addEventListener('click', async () => {
  setStatus('connecting…', 'connecting');
  try {
    await state.recovery.start(); // a new connection: catches up every followed room
    setStatus('connected', 'connected');
    showError('');
    if (state.roomId) refreshOnline();
  } catch (err) {
    setStatus('disconnected', 'disconnected');
    showError('Could not connect: ' + errorText(err));
  }
});

// ------------------------------------------------------------------ rooms

async function refreshRooms() {
  const rooms = await api('GET', '/api/v1/rooms');
  state.rooms = new Map(rooms.map((r) => [r.id, r]));
  renderRooms();
}

function renderRooms() {
  const list = $('rooms');
  const focused = document.activeElement && document.activeElement.dataset.roomId;
  list.replaceChildren();
  for (const room of state.rooms.values()) {
    const li = el('li');
    const b = el('button', room.id === state.roomId ? 'active' : '');
    b.type = 'button';
    b.dataset.roomId = room.id;
    if (room.id === state.roomId) b.setAttribute('aria-current', 'true');
    b.append(el('span', 'room-name', room.name));
    if (room.isPrivate) b.append(el('span', 'private-mark', '🔒 private'));
    const unread = state.unread.get(room.id) || 0;
    if (unread > 0) {
      const badge = el('span', 'unread', String(unread));
      badge.setAttribute('aria-label', `${unread} unread`);
      b.append(badge);
    }
    b.addEventListener('click', () => openRoom(room.id));
    li.append(b);
    list.append(li);
  }
  if (focused) list.querySelector(`[data-room-id="${CSS.escape(focused)}"]`)?.focus();
}

/** Follows every joined room from its newest message, with unread counts since the last read. */
async function followJoinedRooms() {
  for (const roomId of state.joined) {
    if (!state.rooms.has(roomId)) continue;
    try {
      const page = await api('GET', `/api/v1/rooms/${roomId}/messages?limit=1`);
      const newest = page.items.length ? page.items[0].seq : 0;
      const read = Number(localStorage.getItem(lastReadKey(roomId)) || newest);
      state.unread.set(roomId, Math.max(0, newest - read));
      state.recovery.follow(roomId, newest);
    } catch (err) {
      console.warn('room', roomId, err);
    }
  }
  renderRooms();
}

$('create-room-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  showError('');
  try {
    const room = await api('POST', '/api/v1/rooms', { name: $('room-name').value, isPrivate: $('room-private').checked });
    $('room-name').value = '';
    $('room-private').checked = false;
    state.rooms.set(room.id, room);
    await openRoom(room.id);
  } catch (err) {
    showError(errorText(err));
  }
});

$('toggle-rooms').addEventListener('click', () => {
  const open = document.body.classList.toggle('rooms-open');
  $('toggle-rooms').setAttribute('aria-expanded', String(open));
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.user) refreshRooms().catch(() => {});
});

async function openRoom(roomId) {
  showError('');
  document.body.classList.remove('rooms-open');
  $('toggle-rooms').setAttribute('aria-expanded', 'false');
  // A later click wins: an openRoom that another one overtook while it awaited the server still
  // records the room as joined and follows it (its messages then count as unread), but shows
  // nothing of it and does not mark it read.
  const opening = ++state.opening;
  const current = () => opening === state.opening;
  try {
    const room = await state.connection.invoke('JoinRoom', roomId);
    state.rooms.set(room.id, room);
    if (!state.joined.has(room.id)) {
      state.joined.add(room.id);
      saveJoined();
    }
    if (current()) {
      state.roomId = room.id;
      state.shown = new Set();
      state.streams = new Map();
      state.online = new Map();
      clearTyping();
      $('room-title').textContent = room.name;
      $('add-participant-form').hidden = !room.isPrivate;
      $('messages').replaceChildren();
    }
    const page = await api('GET', `/api/v1/rooms/${room.id}/messages?limit=${PAGE_SIZE}`);
    const newest = page.items.length ? page.items[page.items.length - 1].seq : 0;
    if (!current()) {
      if (state.recovery.lastSeq(room.id) === undefined) await state.recovery.follow(room.id, newest);
      renderRooms();
      return;
    }
    for (const m of page.items) appendMessage(m);
    state.nextBefore = page.nextBefore;
    $('load-older').hidden = !state.nextBefore;
    if (state.recovery.lastSeq(room.id) === undefined) await state.recovery.follow(room.id, newest);
    if (!current()) {
      renderRooms();
      return;
    }
    markRead(room.id);
    refreshOnline();
    renderRooms();
    scrollToBottom();
    $('message-input').disabled = false;
    $('send-button').disabled = false;
    $('ask-button').disabled = false;
    $('message-input').focus();
  } catch (err) {
    if (current()) showError(errorText(err));
  }
}

function markRead(roomId) {
  const seq = state.recovery.lastSeq(roomId);
  if (seq !== undefined) localStorage.setItem(lastReadKey(roomId), String(seq));
  state.unread.set(roomId, 0);
}

// ------------------------------------------------------------------ messages

function onMessage(m) {
  if (m.roomId !== state.roomId) {
    if (m.seq > 0) {
      state.unread.set(m.roomId, (state.unread.get(m.roomId) || 0) + 1);
      renderRooms();
    }
    return;
  }
  const atBottom = isAtBottom();
  appendMessage(m);
  clearTyper(m.senderId);
  if (document.hasFocus()) markRead(m.roomId);
  if (atBottom || m.senderId === state.user.userId) scrollToBottom();
}

function messageItem(m) {
  const li = el('li', `message kind-${m.kind}`);
  li.dataset.messageId = m.id;
  if (m.seq) li.dataset.seq = String(m.seq);
  const head = el('div', 'head');
  const dot = el('span', 'dot');
  dot.dataset.user = m.senderId;
  dot.setAttribute('aria-hidden', 'true');
  if (state.online.has(m.senderId)) dot.classList.add('on');
  head.append(dot, el('span', 'sender', m.senderName));
  const time = el('time', 'time', new Date(m.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  time.dateTime = m.createdAt;
  head.append(time);
  li.append(head, el('div', 'content', m.content));
  return li;
}

function appendMessage(m) {
  if (state.shown.has(m.id)) return;
  state.shown.add(m.id);
  const li = messageItem(m);
  const streaming = state.streams.get(m.id);
  if (streaming) {
    streaming.replaceWith(li);
    state.streams.delete(m.id);
  } else {
    $('messages').append(li);
  }
}

function addNotice(text) {
  $('messages').append(el('li', 'notice', text));
  if (isAtBottom()) scrollToBottom();
}

function isAtBottom() {
  const box = $('messages-box');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 40;
}

function scrollToBottom() {
  const box = $('messages-box');
  box.scrollTop = box.scrollHeight;
}

async function loadOlder() {
  if (!state.nextBefore || state.loadingOlder) return;
  state.loadingOlder = true;
  const roomId = state.roomId;
  try {
    const page = await api('GET', `/api/v1/rooms/${roomId}/messages?limit=${PAGE_SIZE}&before=${state.nextBefore}`);
    if (roomId !== state.roomId) return;
    const box = $('messages-box');
    const fromBottom = box.scrollHeight - box.scrollTop;
    const items = page.items.filter((m) => !state.shown.has(m.id));
    items.forEach((m) => state.shown.add(m.id));
    $('messages').prepend(...items.map(messageItem));
    box.scrollTop = box.scrollHeight - fromBottom; // keep what the reader looked at in place
    state.nextBefore = page.nextBefore;
    $('load-older').hidden = !state.nextBefore;
  } catch (err) {
    showError(errorText(err));
  } finally {
    state.loadingOlder = false;
  }
}

$('load-older').addEventListener('click', loadOlder);
$('messages-box').addEventListener('scroll', () => {
  if ($('messages-box').scrollTop < 60) loadOlder();
});

async function send() {
  const input = $('message-input');
  const content = input.value;
  if (!content.trim() || !state.roomId) return;
  showError('');
  // Cleared at once, not when the server answers: what the user types meanwhile (the next
  // message) is theirs, and is not wiped by this one's completion.
  input.value = '';
  autoGrow();
  try {
    await state.connection.invoke('SendMessage', state.roomId, content);
  } catch (err) {
    if (!input.value) {
      input.value = content; // not sent: give it back to edit and retry
      autoGrow();
    }
    showError(errorText(err));
  }
}

$('send-form').addEventListener('submit', (e) => {
  e.preventDefault();
  send();
});

function autoGrow() {
  const input = $('message-input');
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight, 160) + 'px';
}

$('message-input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});

$('message-input').addEventListener('input', () => {
  autoGrow();
  const now = Date.now();
  if (state.roomId && now - state.lastTypingSent > TYPING_SEND_INTERVAL_MS && state.connection.state === 'Connected') {
    state.lastTypingSent = now;
    state.connection.send('SendTyping', state.roomId).catch(() => {});
  }
});

window.addEventListener('focus', () => {
  if (state.roomId) {
    markRead(state.roomId);
    renderRooms();
  }
});

// ------------------------------------------------------------------ typing

function showTyping(userId, name) {
  const old = state.typers.get(userId);
  if (old) clearTimeout(old.timer);
  state.typers.set(userId, { name, timer: setTimeout(() => clearTyper(userId), TYPING_SHOW_MS) });
  renderTyping();
}

function clearTyper(userId) {
  const t = state.typers.get(userId);
  if (!t) return;
  clearTimeout(t.timer);
  state.typers.delete(userId);
  renderTyping();
}

function clearTyping() {
  for (const t of state.typers.values()) clearTimeout(t.timer);
  state.typers.clear();
  renderTyping();
}

function renderTyping() {
  const names = [...state.typers.values()].map((t) => t.name);
  $('typing').textContent =
    names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}

// ------------------------------------------------------------------ presence

async function refreshOnline() {
  const roomId = state.roomId;
  // Presence events that arrive while the list is on its way are newer than it: they are kept
  // and applied over the answer, so a user who joined meanwhile does not vanish from the list.
  const since = [];
  state.onlineSince.add(since);
  try {
    const list = await api('GET', `/api/v1/rooms/${roomId}/online`);
    if (roomId !== state.roomId) return;
    state.online = new Map(list.map((u) => [u.userId, u.userName]));
    for (const [userId, name, on] of since) {
      if (on) state.online.set(userId, name);
      else state.online.delete(userId);
    }
    renderOnline();
  } catch (err) {
    console.warn('online', err);
  } finally {
    state.onlineSince.delete(since);
  }
}

function setOnline(userId, name, on) {
  for (const since of state.onlineSince) since.push([userId, name, on]);
  if (on) state.online.set(userId, name);
  else state.online.delete(userId);
  renderOnline();
}

function renderOnline() {
  const ul = $('online');
  ul.replaceChildren();
  for (const [userId, name] of [...state.online].sort((a, b) => a[1].localeCompare(b[1]))) {
    const li = el('li', 'online-user');
    const dot = el('span', 'dot on');
    dot.setAttribute('aria-hidden', 'true');
    li.append(dot, el('span', '', name));
    li.title = userId;
    ul.append(li);
  }
  $('online-count').textContent = `${state.online.size} online`;
  $('online-box').hidden = false;
  for (const dot of document.querySelectorAll('#messages .dot')) {
    dot.classList.toggle('on', state.online.has(dot.dataset.user));
  }
}

// ------------------------------------------------------------------ participants

$('add-participant-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  showError('');
  const userId = $('participant-id').value.trim();
  try {
    await api('POST', `/api/v1/rooms/${state.roomId}/participants`, { userId });
    $('participant-id').value = '';
    addNotice(`${userId} can now read and write here`);
  } catch (err) {
    showError(errorText(err));
  }
});

// ------------------------------------------------------------------ the assistant

function assistantChunk(e) {
  let li = state.streams.get(e.messageId);
  if (!li) {
    if (state.shown.has(e.messageId)) return;
    li = el('li', 'message kind-assistant streaming');
    li.dataset.messageId = e.messageId;
    const head = el('div', 'head');
    head.append(el('span', 'sender', 'Assistant'), el('span', 'time', 'writing…'));
    li.append(head, el('div', 'content', ''));
    state.streams.set(e.messageId, li);
    $('messages').append(li);
  }
  const atBottom = isAtBottom();
  li.querySelector('.content').textContent += e.delta;
  if (atBottom) scrollToBottom();
}

$('ask-button').addEventListener('click', () => {
  const prompt = $('message-input').value.trim();
  if (!prompt || !state.roomId) {
    showError('Write your question to the assistant first.');
    return;
  }
  if (state.privateStream) state.privateStream.dispose();
  showError('');
  $('private-answer').hidden = false;
  $('private-answer-text').textContent = '';
  $('stop-answer').hidden = false;
  $('close-answer').hidden = true;
  const finish = (note) => {
    state.privateStream = null;
    $('stop-answer').hidden = true;
    $('close-answer').hidden = false;
    if (note) $('private-answer-text').append(el('em', 'note', note));
  };
  state.privateStream = state.connection.stream('StreamAssistant', state.roomId, prompt).subscribe({
    next: (delta) => {
      $('private-answer-text').append(document.createTextNode(delta));
    },
    complete: () => finish(''),
    error: (err) => finish(' ' + errorText(err)),
  });
  $('message-input').value = '';
  autoGrow();
});

$('stop-answer').addEventListener('click', () => {
  if (state.privateStream) {
    state.privateStream.dispose(); // CancelInvocation: the server closes the provider request
    state.privateStream = null;
    $('private-answer-text').append(el('em', 'note', ' (stopped)'));
  }
  $('stop-answer').hidden = true;
  $('close-answer').hidden = false;
  $('close-answer').focus();
});

$('close-answer').addEventListener('click', () => {
  $('private-answer').hidden = true;
  $('message-input').focus();
});

// ------------------------------------------------------------------ start

setUpSignIn().catch((err) => {
  $('signin-error').textContent = errorText(err);
});
