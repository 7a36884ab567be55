// chat-recovery.mjs: gap-free message delivery for @microsoft/signalr clients of the jvmchat server.
//
// Every Message carries `seq`, its position in its room (1, 2, 3, ... with no gaps). This helper
// keeps the last seq shown per followed room and hands your `onMessage` each room's messages in
// seq order, each exactly once, whatever was lost on the way: a dropped or replaced connection
// (automatic reconnect, a new connection, a server restart, another instance taking over), a
// stateful-reconnect buffer that overflowed, Server-Sent Events or long polling, a laptop that
// slept. It fetches what was missed from GET /api/v1/rooms/{id}/messages?after=<seq> before it
// shows anything newer.
//
//   import { RoomRecovery } from '/js/chat-recovery.mjs';
//   const connection = new signalR.HubConnectionBuilder()
//     .withUrl('/hubs/chat', { accessTokenFactory: () => token })
//     .withAutomaticReconnect().withStatefulReconnect().build();
//   const recovery = new RoomRecovery(connection, {
//     accessTokenFactory: () => token,        // for the REST fetches (same as the hub's)
//     baseUrl: '',                            // where /api/v1 is ('' = this page's origin)
//     onMessage: (message) => show(message),  // in seq order per room, exactly once
//     onError: (error, roomId) => console.warn('catching up', roomId, error), // retried
//   });
//   await recovery.start();                   // connection.start(), then catch up every room
//   const room = await connection.invoke('JoinRoom', roomId);
//   const page = await fetchNewest(roomId);   // e.g. GET .../messages (the newest 50)
//   page.items.forEach(show);
//   recovery.follow(roomId, page.items.at(-1)?.seq ?? 0); // after the last one you showed
//
// What it does:
// - a ReceiveMessage of a followed room with seq = last + 1 is shown at once; seq <= last is a
//   duplicate and dropped; seq > last + 1 is a gap: newer messages wait (at most `maxPending` per
//   room, beyond that they are dropped and fetched again) until the missing ones were fetched;
// - after every automatic reconnect (`onreconnected`) and after `start()` (a new connection), it
//   invokes JoinRoom for each followed room (the connection is then surely in the room's group:
//   nothing newer can be lost) and fetches everything after the last seq, page by page;
// - a failed fetch is retried with backoff (0.25 s doubling to 5 s) until it succeeds, the room is
//   unfollowed or the helper disposed; `onError` hears of each failure;
// - messages with seq 0 (notices the server sends you alone and does not store) are shown at once.
//
// - before every automatic reconnect (`onreconnecting`) and before `start()`, it puts the last seq
//   of every followed room on the hub URL (`?lastSeq=<roomId>:<seq>,...`, `connection.baseUrl`):
//   the server, whichever instance answers, then gives the new connection what each room received
//   since, in order, before anything newer, so the fetches below usually find nothing. Pass
//   `sendLastSeq: false` to leave the URL alone.
//
// After you restart a closed connection yourself, call `recovery.catchUp()` (or use
// `recovery.start()`, which does both).

const PAGE = 200;

export class RoomRecovery {
  /**
   * @param connection a HubConnection of @microsoft/signalr (built, not necessarily started)
   * @param options {onMessage(message), onError?(error, roomId), accessTokenFactory?(): string|Promise,
   *   baseUrl?: string, fetchAfter?(roomId, after, limit): Promise<{items, nextAfter}>,
   *   rejoin?: boolean (default true), maxPending?: number (default 10000),
   *   sendLastSeq?: boolean (default true)}
   */
  constructor(connection, options) {
    if (!options || typeof options.onMessage !== 'function') {
      throw new TypeError('RoomRecovery needs options.onMessage(message)');
    }
    this.connection = connection;
    this.onMessage = options.onMessage;
    this.onError = options.onError || (() => {});
    this.rejoin = options.rejoin !== false;
    this.maxPending = options.maxPending || 10_000;
    this.fetchAfter = options.fetchAfter || defaultFetch(options.baseUrl || '', options.accessTokenFactory);
    this.rooms = new Map();
    this.disposed = false;
    this.receive = (message) => this.#received(message);
    this.reconnected = () => this.catchUp();
    this.sendLastSeq = options.sendLastSeq !== false;
    connection.on('ReceiveMessage', this.receive);
    connection.onreconnected(this.reconnected);
    if (this.sendLastSeq) connection.onreconnecting(() => this.#carryLastSeq());
  }

  /** Starts the connection, then catches up every followed room. */
  async start() {
    if (this.sendLastSeq) this.#carryLastSeq();
    await this.connection.start();
    await this.catchUp();
  }

  /**
   * Follows a room from `lastSeq` (the seq of the newest message already shown; 0 = none): shows
   * everything after it, in order, once. Fetches what came after `lastSeq` at once.
   */
  follow(roomId, lastSeq = 0) {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { id: roomId, last: lastSeq, pending: new Map(), running: null, again: false, needsJoin: false };
      this.rooms.set(roomId, room);
    } else if (lastSeq > room.last) {
      room.last = lastSeq;
    }
    return this.#catchUpRoom(room, false);
  }

  /** Stops following a room (its messages are then ignored by this helper). */
  unfollow(roomId) {
    this.rooms.delete(roomId);
  }

  /** The seq of the newest message shown in the room, or undefined when not followed. */
  lastSeq(roomId) {
    return this.rooms.get(roomId)?.last;
  }

  /** The server's `lastSeq` connect parameter for the followed rooms: `roomId:seq,...` ('' = none). */
  lastSeqParameter() {
    return [...this.rooms.values()].filter((r) => r.last > 0).map((r) => `${r.id}:${r.last}`).join(',');
  }

  #carryLastSeq() {
    if (this.disposed) return;
    try {
      this.connection.baseUrl = withQueryParameter(this.connection.baseUrl, 'lastSeq', this.lastSeqParameter());
    } catch {
      // not Disconnected or Reconnecting: the URL stays as it is
    }
  }

  /** After a new connection: rejoins (when `rejoin`) and fetches what every followed room missed. */
  catchUp() {
    return Promise.all([...this.rooms.values()].map((room) => this.#catchUpRoom(room, this.rejoin)));
  }

  /** Removes the handlers from the connection; pending fetches stop. */
  dispose() {
    this.disposed = true;
    this.connection.off('ReceiveMessage', this.receive);
    this.rooms.clear();
  }

  #received(message) {
    const room = message && this.rooms.get(message.roomId);
    if (!room) return;
    const seq = message.seq;
    if (!(seq > 0)) {
      this.#show(message);
      return;
    }
    if (seq <= room.last) return; // a duplicate
    if (!room.running && seq === room.last + 1) {
      room.last = seq;
      this.#show(message);
      return;
    }
    if (room.pending.size < this.maxPending) room.pending.set(seq, message);
    if (!room.running) this.#catchUpRoom(room, false);
  }

  #catchUpRoom(room, join) {
    if (join) room.needsJoin = true;
    if (room.running) {
      room.again = true;
      return room.running;
    }
    room.running = this.#run(room).finally(() => {
      room.running = null;
    });
    return room.running;
  }

  async #run(room) {
    let delay = 250;
    do {
      room.again = false;
      try {
        if (room.needsJoin) {
          room.needsJoin = false;
          try {
            await this.connection.invoke('JoinRoom', room.id);
          } catch (e) {
            room.needsJoin = true;
            throw e;
          }
        }
        let after = room.last;
        while (after !== null && this.#live(room)) {
          const page = await this.fetchAfter(room.id, room.last, PAGE);
          for (const message of page.items) {
            if (message.seq === room.last + 1) {
              room.last = message.seq;
              room.pending.delete(message.seq);
              this.#show(message);
            }
          }
          after = page.items.length ? page.nextAfter : null;
        }
        this.#drain(room);
        if (room.pending.size > 0) {
          // Newer messages arrived than the store gave: fetch again (they were committed by now).
          room.again = true;
        }
        delay = 250;
      } catch (error) {
        if (!this.#live(room)) return;
        this.onError(error, room.id);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
        room.again = true;
      }
    } while (room.again && this.#live(room));
  }

  #drain(room) {
    for (const seq of [...room.pending.keys()]) if (seq <= room.last) room.pending.delete(seq);
    for (let next = room.pending.get(room.last + 1); next; next = room.pending.get(room.last + 1)) {
      room.pending.delete(next.seq);
      room.last = next.seq;
      this.#show(next);
    }
  }

  #live(room) {
    return !this.disposed && this.rooms.get(room.id) === room;
  }

  #show(message) {
    try {
      this.onMessage(message);
    } catch (e) {
      this.onError(e, message.roomId);
    }
  }
}

/** `url` with the query parameter `name` set to `value` (removed when `value` is empty). */
export function withQueryParameter(url, name, value) {
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const q = base.indexOf('?');
  const path = q < 0 ? base : base.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : base.slice(q + 1));
  if (value) params.set(name, value);
  else params.delete(name);
  const query = params.toString();
  return path + (query ? '?' + query : '');
}

function defaultFetch(baseUrl, accessTokenFactory) {
  return async (roomId, after, limit) => {
    const headers = {};
    if (accessTokenFactory) headers.Authorization = 'Bearer ' + (await accessTokenFactory());
    const res = await fetch(
      `${baseUrl}/api/v1/rooms/${encodeURIComponent(roomId)}/messages?after=${after}&limit=${limit}`,
      { headers },
    );
    if (!res.ok) {
      let detail = '';
      try {
        detail = (await res.json()).detail || '';
      } catch {
        // not problem+json
      }
      throw new Error(`GET messages after ${after} answered ${res.status}${detail ? ': ' + detail : ''}`);
    }
    return res.json();
  };
}
