// The jvmchat page: plain DOM, the official @microsoft/signalr browser client.
// User data is only ever put in the page with textContent, never as HTML.
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const PAGE_SIZE = 50;
  const TYPING_SEND_INTERVAL_MS = 2000;
  const TYPING_SHOW_MS = 3000;

  const state = {
    token: null,
    tokenFactory: null, // set when signed in with the OpenID Connect provider (oidc.js)
    userId: null,
    connection: null,
    rooms: [],
    roomId: null,
    nextBefore: null,
    shownIds: new Set(),
    typers: new Map(), // userId -> { name, timer }
    lastTypingSent: 0,
  };

  function showError(text) {
    $('error').textContent = text || '';
  }

  function errorText(err) {
    if (!err) return 'Unknown error';
    const msg = err.message || String(err);
    // Hub errors read "An unexpected error occurred invoking 'X' on the server. HubException: <why>"
    const i = msg.indexOf('HubException: ');
    return i >= 0 ? msg.substring(i + 'HubException: '.length) : msg;
  }

  function setStatus(text, stateName) {
    const s = $('status');
    s.textContent = text;
    s.dataset.state = stateName;
  }

  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + (await currentToken()) };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return null;
    const isJson = (res.headers.get('content-type') || '').includes('json');
    const data = isJson ? await res.json() : await res.text();
    if (!res.ok) {
      throw new Error((data && (data.detail || data.title)) || ('HTTP ' + res.status));
    }
    return data;
  }

  function currentToken() {
    return state.tokenFactory ? state.tokenFactory() : Promise.resolve(state.token);
  }

  // ------------------------------------------------------------------ sign in

  async function enter(userId, protocol) {
    state.userId = userId;
    await connect(protocol);
    $('signin').hidden = true;
    $('app').hidden = false;
    await refreshRooms();
  }

  // The server says how to sign in: dev tokens (Development) and/or its OpenID Connect provider.
  async function initSignIn() {
    const res = await fetch('/api/v1/auth/config');
    const config = res.ok ? await res.json() : { devTokens: true, oidc: null };
    if (!config.devTokens) {
      $('signin-form').hidden = true;
      document.querySelector('#signin .hint').hidden = true;
      document.querySelector('#signin h2').textContent = 'Sign in';
    }
    if (!config.oidc) return;
    const oidc = window.JvmchatOidc.createClient({
      authority: config.oidc.authority,
      clientId: config.oidc.clientId,
      scopes: config.oidc.scopes,
      redirectUri: location.origin + '/',
      onSignedOut: (err) => {
        if (state.connection) state.connection.stop();
        $('app').hidden = true;
        $('signin').hidden = false;
        $('signout').hidden = true;
        setStatus('signed out', 'offline');
        if (err) alertInSignin(errorText(err));
      },
    });
    $('oidc-signin').hidden = false;
    $('oidc-signin').addEventListener('click', () => oidc.signIn().catch((err) => alertInSignin(errorText(err))));
    $('signout').addEventListener('click', async () => {
      if (state.connection) await state.connection.stop();
      await oidc.signOut();
    });
    try {
      if ((await oidc.handleRedirect()) || oidc.resume()) {
        state.tokenFactory = () => oidc.accessToken();
        $('signout').hidden = false;
        await enter(oidc.user().id, params.get('protocol') || 'json');
      }
    } catch (err) {
      $('signin').hidden = false;
      setStatus('signed out', 'offline');
      alertInSignin(errorText(err));
    }
  }
  initSignIn().catch((err) => alertInSignin(errorText(err)));

  $('signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showError('');
    const userId = $('signin-user').value.trim();
    const name = $('signin-name').value.trim() || userId;
    try {
      const res = await fetch('/api/v1/auth/dev-token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId, name }),
      });
      const data = await res.json();
      if (!res.ok) throw new Error(data.detail || data.title || ('HTTP ' + res.status));
      state.token = data.accessToken;
      await enter(userId, $('signin-protocol').value);
    } catch (err) {
      $('signin').hidden = false;
      setStatus('signed out', 'offline');
      alertInSignin(errorText(err));
    }
  });

  function alertInSignin(text) {
    let p = document.querySelector('#signin .error');
    if (!p) {
      p = document.createElement('p');
      p.className = 'error';
      p.setAttribute('role', 'alert');
      $('signin').appendChild(p);
    }
    p.textContent = text;
  }

  // ------------------------------------------------------------------ connection

  async function connect(protocol) {
    const options = { accessTokenFactory: currentToken };
    const transport = params.get('transport');
    if (transport && signalR.HttpTransportType[transport] !== undefined) {
      options.transport = signalR.HttpTransportType[transport];
    }
    const builder = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/chat', options)
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning);
    if (protocol === 'messagepack') {
      builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
    }
    const connection = builder.build();
    connection.on('ReceiveMessage', onReceiveMessage);
    connection.on('UserJoined', (e) => onPresence(e, 'joined'));
    connection.on('UserLeft', (e) => onPresence(e, 'left'));
    connection.on('UserTyping', onTyping);
    connection.on('ReceiveAssistantChunk', onAssistantChunk);
    connection.onreconnecting(() => setStatus('reconnecting…', 'reconnecting'));
    connection.onreconnected(() => {
      setStatus('connected as ' + state.userId, 'connected');
      if (state.roomId) selectRoom(state.roomId);
    });
    connection.onclose(() => setStatus('disconnected', 'offline'));
    state.connection = connection;
    await connection.start();
    document.body.dataset.protocol = protocol;
    setStatus('connected as ' + state.userId, 'connected');
  }

  // ------------------------------------------------------------------ rooms

  async function refreshRooms() {
    state.rooms = await api('GET', '/api/v1/rooms');
    renderRooms();
  }

  function renderRooms() {
    const list = $('rooms');
    list.replaceChildren();
    for (const room of state.rooms) {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.roomId = room.id;
      button.textContent = room.name;
      if (room.isPrivate) {
        const mark = document.createElement('span');
        mark.className = 'private-mark';
        mark.textContent = 'private';
        button.appendChild(mark);
      }
      if (room.id === state.roomId) button.classList.add('active');
      button.addEventListener('click', () => selectRoom(room.id));
      li.appendChild(button);
      list.appendChild(li);
    }
  }

  $('refresh-rooms').addEventListener('click', () => refreshRooms().catch((err) => showError(errorText(err))));

  $('create-room-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showError('');
    try {
      const room = await api('POST', '/api/v1/rooms', {
        name: $('room-name').value,
        isPrivate: $('room-private').checked,
      });
      $('room-name').value = '';
      $('room-private').checked = false;
      await refreshRooms();
      await selectRoom(room.id);
    } catch (err) {
      showError(errorText(err));
    }
  });

  async function selectRoom(roomId) {
    showError('');
    try {
      const room = await state.connection.invoke('JoinRoom', roomId);
      state.roomId = room.id;
      state.shownIds = new Set();
      state.nextBefore = null;
      clearTypers();
      $('room-title').textContent = room.name + (room.isPrivate ? ' (private)' : '');
      $('add-participant-form').hidden = false;
      $('messages').replaceChildren();
      $('message-input').disabled = false;
      $('send-button').disabled = false;
      renderRooms();
      await loadPage(null);
      $('message-input').focus();
    } catch (err) {
      showError(errorText(err));
    }
  }

  // ------------------------------------------------------------------ history

  async function loadPage(before) {
    const roomId = state.roomId;
    let path = '/api/v1/rooms/' + encodeURIComponent(roomId) + '/messages?limit=' + PAGE_SIZE;
    if (before) path += '&before=' + encodeURIComponent(before);
    const page = await api('GET', path);
    if (state.roomId !== roomId) return;
    const list = $('messages');
    const first = list.firstChild;
    for (const m of page.items) {
      if (state.shownIds.has(m.id)) continue;
      state.shownIds.add(m.id);
      const li = messageElement(m);
      if (before) list.insertBefore(li, first);
      else list.appendChild(li);
    }
    // The first page may have raced with live messages: keep the list in id (time) order.
    if (!before) sortMessages();
    state.nextBefore = page.nextBefore;
    $('load-older').hidden = !page.nextBefore;
    if (!before) list.scrollTop = list.scrollHeight;
  }

  function sortMessages() {
    const list = $('messages');
    const items = Array.from(list.querySelectorAll('li.message'));
    items.sort((a, b) => (a.dataset.seq < b.dataset.seq ? -1 : a.dataset.seq > b.dataset.seq ? 1 : 0));
    for (const li of items) list.appendChild(li);
  }

  $('load-older').addEventListener('click', async () => {
    showError('');
    try {
      if (state.nextBefore) await loadPage(state.nextBefore);
    } catch (err) {
      showError(errorText(err));
    }
  });

  function messageElement(m) {
    const li = document.createElement('li');
    li.className = 'message';
    li.dataset.id = m.id;
    li.dataset.seq = m.id; // ids are time-ordered (UUIDv7), so they sort like the history
    li.dataset.kind = m.kind;
    const time = document.createElement('span');
    time.className = 'time';
    const created = new Date(m.createdAt);
    time.textContent = isNaN(created) ? '' : created.toLocaleTimeString();
    const sender = document.createElement('span');
    sender.className = 'sender';
    sender.textContent = m.senderName;
    const content = document.createElement('span');
    content.className = 'content';
    content.textContent = m.content;
    li.append(time, sender, content);
    return li;
  }

  // ------------------------------------------------------------------ live events

  // An assistant reply still being written: shown as it streams, replaced by the stored message.
  const drafts = new Map();

  function onAssistantChunk(c) {
    if (c.roomId !== state.roomId || state.shownIds.has(c.messageId)) return;
    let li = drafts.get(c.messageId);
    if (!li) {
      li = messageElement({
        id: c.messageId,
        roomId: c.roomId,
        senderName: 'Assistant',
        content: '',
        kind: 'assistant',
        createdAt: new Date().toISOString(),
      });
      li.classList.add('draft');
      drafts.set(c.messageId, li);
      $('messages').appendChild(li);
    }
    const content = li.querySelector('.content');
    content.textContent = content.textContent + c.delta;
    const list = $('messages');
    list.scrollTop = list.scrollHeight;
  }

  function onReceiveMessage(m) {
    if (m.roomId !== state.roomId || state.shownIds.has(m.id)) return;
    state.shownIds.add(m.id);
    const draft = drafts.get(m.id);
    if (draft) {
      drafts.delete(m.id);
      draft.remove();
    }
    const typer = state.typers.get(m.senderId);
    if (typer) {
      clearTimeout(typer.timer);
      state.typers.delete(m.senderId);
      renderTypers();
    }
    const list = $('messages');
    list.appendChild(messageElement(m));
    list.scrollTop = list.scrollHeight;
  }

  function onPresence(e, verb) {
    if (e.roomId !== state.roomId) return;
    const li = document.createElement('li');
    li.className = 'notice';
    li.textContent = e.userName + ' ' + verb + ' the room';
    $('messages').appendChild(li);
  }

  function onTyping(e) {
    if (e.roomId !== state.roomId || e.userId === state.userId) return;
    const existing = state.typers.get(e.userId);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      state.typers.delete(e.userId);
      renderTypers();
    }, TYPING_SHOW_MS);
    state.typers.set(e.userId, { name: e.userName, timer });
    renderTypers();
  }

  function clearTypers() {
    for (const t of state.typers.values()) clearTimeout(t.timer);
    state.typers.clear();
    renderTypers();
  }

  function renderTypers() {
    const names = Array.from(state.typers.values()).map((t) => t.name);
    $('typing').textContent =
      names.length === 0 ? '' : names.join(', ') + (names.length === 1 ? ' is typing…' : ' are typing…');
  }

  // ------------------------------------------------------------------ sending

  $('message-input').addEventListener('input', () => {
    const now = Date.now();
    if (!state.roomId || now - state.lastTypingSent < TYPING_SEND_INTERVAL_MS) return;
    state.lastTypingSent = now;
    state.connection.send('SendTyping', state.roomId).catch(() => {});
  });

  $('send-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('message-input');
    const content = input.value;
    if (!content || !state.roomId) return;
    showError('');
    try {
      await state.connection.invoke('SendMessage', state.roomId, content);
      input.value = '';
      state.lastTypingSent = 0;
    } catch (err) {
      showError(errorText(err));
    }
  });

  $('add-participant-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showError('');
    const userId = $('participant-id').value.trim();
    try {
      await api('POST', '/api/v1/rooms/' + encodeURIComponent(state.roomId) + '/participants', { userId });
      $('participant-id').value = '';
      const li = document.createElement('li');
      li.className = 'notice';
      li.textContent = userId + ' can now take part in this room';
      $('messages').appendChild(li);
    } catch (err) {
      showError(errorText(err));
    }
  });
})();
