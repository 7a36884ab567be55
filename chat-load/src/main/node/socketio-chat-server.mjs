// The socket.io peer of the load tool: a Node socket.io 4.8 chat server, in memory only, that does
// what the chat server's hub does for JoinRoom / UserJoined / SendMessage / ReceiveMessage (the same
// fair "server does only what it must" as the raw Netty ceiling). WebSocket transport only.
//
//   node chat-load/src/main/node/socketio-chat-server.mjs --port 3000   -> "listening on 3000"
//
// Events: "join" (roomId, ack) joins the room and acks {ok: true}; when the socket was not in the
// room yet, the room's other sockets first get "userJoined" {roomId, userId, userName} (what the
// chat server's UserJoined carries; userName is the user id);
// "send" ({roomId, content}, ack) emits "message" {id, roomId, senderId, senderName, content,
// kind: "user", createdAt} to the whole room (sender included) and acks with the message.
// The user id is the `userId` query parameter of the connection (else the socket id).
import { createServer } from "node:http";
import { Server } from "socket.io";

function portArg(argv) {
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === "--port" && i + 1 < argv.length) return Number(argv[i + 1]);
    if (argv[i].startsWith("--port=")) return Number(argv[i].slice(7));
  }
  return Number(process.env.PORT ?? 3000);
}

const http = createServer((req, res) => {
  res.writeHead(404).end();
});
const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 65536,
});

let nextId = 0;

io.on("connection", (socket) => {
  const q = socket.handshake.query.userId;
  const userId = typeof q === "string" && q.length > 0 ? q : socket.id;

  socket.on("join", (roomId, ack) => {
    if (typeof roomId !== "string" || roomId.length === 0) {
      if (typeof ack === "function") ack({ error: "roomId must be a non-empty string" });
      return;
    }
    if (!socket.rooms.has(roomId)) {
      // Encoded once by socket.io's broadcast, then written to each of the other sockets.
      socket.to(roomId).emit("userJoined", { roomId, userId, userName: userId });
      socket.join(roomId);
    }
    if (typeof ack === "function") ack({ ok: true });
  });

  socket.on("send", (payload, ack) => {
    const roomId = payload?.roomId;
    const content = payload?.content;
    if (typeof roomId !== "string" || typeof content !== "string" || content.length === 0) {
      if (typeof ack === "function") ack({ error: "roomId and content are required" });
      return;
    }
    const msg = {
      id: (++nextId).toString(36),
      roomId,
      senderId: userId,
      senderName: userId,
      content,
      kind: "user",
      createdAt: new Date().toISOString(),
    };
    io.to(roomId).emit("message", msg);
    if (typeof ack === "function") ack(msg);
  });
});

const stop = () => {
  io.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

http.listen(portArg(process.argv), () => {
  console.log(`listening on ${http.address().port}`);
});
