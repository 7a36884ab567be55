// Interop of chat-protocol with the official JS hub protocols (@microsoft/signalr 10.0.11 and
// @microsoft/signalr-protocol-msgpack 10.0.11).
//  1. Parses what the Java protocols wrote (target/interop/java.*, from InteropVectorWriter) with
//     the official parseMessages and checks every decoded value.
//  2. Writes messages with the official writeMessage into target/interop/js.*, which
//     ProtocolInteropIT (failsafe, runs after this) decodes with the Java protocols.
// Run by Maven (mvn verify) after the Java vector writer; by hand:
//   mvn -q -pl chat-protocol test-compile exec:exec@interop-java-vectors && node --test chat-protocol/src/test/node/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { JsonHubProtocol, NullLogger, MessageType } = require("@microsoft/signalr");
const { MessagePackHubProtocol } = require("@microsoft/signalr-protocol-msgpack");

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.env.INTEROP_DIR ?? join(here, "..", "..", "..", "target", "interop");

// Must equal InteropMessages.CONTENT in Java.
const CONTENT =
  "Héllo from the JVM 😀 with a record separator \u001e, quotes \" ' and <tags>; " +
  "long enough to be typical.";

function chatMessage(createdAt) {
  return {
    id: "m1",
    roomId: "room-1",
    senderId: "alice",
    senderName: "Alice",
    content: CONTENT,
    kind: "user",
    createdAt,
  };
}

function room(createdAt) {
  return { id: "room-1", name: "General", isPrivate: true, createdBy: "alice", createdAt };
}

function toArrayBuffer(buffer) {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
}

test("the official JsonHubProtocol parses every message the Java JsonHubProtocol wrote", () => {
  const text = readFileSync(join(dir, "java.json.txt"), "utf8");
  const messages = new JsonHubProtocol().parseMessages(text, NullLogger.instance);
  // Types 4 (StreamInvocation) and 5 (CancelInvocation) are skipped by the client parser, which
  // only proves they were framed correctly: everything after them is still there.
  assert.deepEqual(messages, [
    {
      type: MessageType.Invocation,
      target: "ReceiveMessage",
      arguments: [chatMessage("2024-01-01T00:00:00.500Z")],
    },
    {
      type: MessageType.Invocation,
      headers: { x: "y" },
      invocationId: "s1",
      target: "GetName",
      arguments: [],
    },
    { type: MessageType.StreamItem, invocationId: "2", item: 7 },
    { type: MessageType.StreamItem, invocationId: "2", item: 2.5 },
    { type: MessageType.StreamItem, invocationId: "2", item: "AQID" },
    { type: MessageType.Completion, invocationId: "0", result: 42 },
    { type: MessageType.Completion, invocationId: "1", result: null },
    { type: MessageType.Completion, invocationId: "2" },
    { type: MessageType.Completion, invocationId: "3", error: "boom" },
    { type: MessageType.Ping },
    { type: MessageType.Close, error: "Connection closed with an error.", allowReconnect: true },
    { type: MessageType.Close },
    { type: MessageType.Ack, sequenceId: 36 },
    { type: MessageType.Sequence, sequenceId: 19 },
    {
      type: MessageType.Invocation,
      target: "Nested",
      arguments: [{ list: [1, "two", null, true], n: 12345678901 }],
    },
    {
      type: MessageType.Invocation,
      target: "UserJoined",
      arguments: [{ roomId: "room-1", userId: "bob", userName: "Bob" }],
    },
    {
      type: MessageType.Invocation,
      target: "ReceiveAssistantChunk",
      arguments: [{ roomId: "room-1", messageId: "m2", delta: "Hel" }],
    },
    { type: MessageType.Completion, invocationId: "5", result: room("2024-01-01T00:00:00.500Z") },
    { type: MessageType.StreamItem, invocationId: "6", item: "2024-01-01T02:00:00.5+02:00" },
  ]);
});

test("the official MessagePackHubProtocol parses every message the Java MessagePackHubProtocol wrote", () => {
  const bytes = toArrayBuffer(readFileSync(join(dir, "java.msgpack.bin")));
  const messages = new MessagePackHubProtocol().parseMessages(bytes, NullLogger.instance);
  assert.deepEqual(messages, [
    {
      arguments: [chatMessage(new Date("2024-01-01T00:00:00.500Z"))],
      headers: {},
      streamIds: [],
      target: "ReceiveMessage",
      type: MessageType.Invocation,
    },
    {
      arguments: [],
      headers: { x: "y" },
      invocationId: "s1",
      streamIds: [],
      target: "GetName",
      type: MessageType.Invocation,
    },
    { headers: {}, invocationId: "2", item: 7, type: MessageType.StreamItem },
    { headers: {}, invocationId: "2", item: 2.5, type: MessageType.StreamItem },
    { headers: {}, invocationId: "2", item: new Uint8Array([1, 2, 3]), type: MessageType.StreamItem },
    { error: undefined, headers: {}, invocationId: "0", result: 42, type: MessageType.Completion },
    { error: undefined, headers: {}, invocationId: "1", result: null, type: MessageType.Completion },
    { error: undefined, headers: {}, invocationId: "2", result: undefined, type: MessageType.Completion },
    { error: "boom", headers: {}, invocationId: "3", result: undefined, type: MessageType.Completion },
    { type: MessageType.Ping },
    { allowReconnect: true, error: "Connection closed with an error.", type: MessageType.Close },
    { allowReconnect: false, error: null, type: MessageType.Close },
    { sequenceId: 36, type: MessageType.Ack },
    { sequenceId: 19, type: MessageType.Sequence },
    {
      arguments: [{ list: [1, "two", null, true], n: 12345678901 }],
      headers: {},
      streamIds: [],
      target: "Nested",
      type: MessageType.Invocation,
    },
    {
      arguments: [{ roomId: "room-1", userId: "bob", userName: "Bob" }],
      headers: {},
      streamIds: [],
      target: "UserJoined",
      type: MessageType.Invocation,
    },
    {
      arguments: [{ roomId: "room-1", messageId: "m2", delta: "Hel" }],
      headers: {},
      streamIds: [],
      target: "ReceiveAssistantChunk",
      type: MessageType.Invocation,
    },
    {
      error: undefined,
      headers: {},
      invocationId: "5",
      result: room(new Date("2024-01-01T00:00:00.500Z")),
      type: MessageType.Completion,
    },
    // An OffsetDateTime as ASP.NET Core writes a DateTimeOffset: [local time as a UTC Date, minutes].
    {
      headers: {},
      invocationId: "6",
      item: [new Date("2024-01-01T02:00:00.500Z"), 120],
      type: MessageType.StreamItem,
    },
  ]);
});

// Must decode to InteropMessages.jsToJava() in Java.
const jsMessages = [
  { type: MessageType.Invocation, invocationId: "0", target: "SendMessage", arguments: ["room-1", CONTENT] },
  { type: MessageType.Invocation, target: "SendTyping", arguments: ["room-1"] },
  { type: MessageType.Invocation, invocationId: "2", target: "Upload", arguments: [], streamIds: ["1"] },
  { type: MessageType.StreamItem, invocationId: "1", item: { a: 1, b: [true, null] } },
  { type: MessageType.StreamItem, invocationId: "1", item: 2.5 },
  { type: MessageType.Completion, invocationId: "1" },
  { type: MessageType.StreamInvocation, invocationId: "3", target: "StreamAssistant", arguments: ["room-1", "hi"] },
  { type: MessageType.CancelInvocation, invocationId: "3" },
  { type: MessageType.Completion, invocationId: "s1", result: "Bob" },
  { type: MessageType.Completion, invocationId: "s2", error: "Client didn't provide a result." },
  { type: MessageType.Completion, invocationId: "s3", result: null },
  { type: MessageType.Completion, invocationId: "s4", result: 12345678901 },
  { type: MessageType.Invocation, headers: { x: "y" }, invocationId: "4", target: "Echo", arguments: ["e"] },
  { type: MessageType.Ping },
  { type: MessageType.Close },
  { type: MessageType.Ack, sequenceId: 36 },
  { type: MessageType.Sequence, sequenceId: 19 },
];

test("the official protocols write every message type for the Java decoders", () => {
  mkdirSync(dir, { recursive: true });
  const json = new JsonHubProtocol();
  const text = jsMessages.map((m) => json.writeMessage(m)).join("");
  writeFileSync(join(dir, "js.json.txt"), text, "utf8");
  // Sanity: the official parser reads its own output back (types 4 and 5 are skipped).
  assert.equal(json.parseMessages(text, NullLogger.instance).length, jsMessages.length - 2);

  const msgpack = new MessagePackHubProtocol();
  const chunks = jsMessages.map((m) => Buffer.from(msgpack.writeMessage(m)));
  const bytes = Buffer.concat(chunks);
  writeFileSync(join(dir, "js.msgpack.bin"), bytes);
  // The spec's vectors: JS writes 5-element invocations without streams and [7, nil] for Close.
  // [1, {}, nil, "SendTyping", ["room-1"]]
  assert.equal(chunks[1].toString("hex"), "17950180c0aa53656e64547970696e6791a6726f6f6d2d31");
  assert.deepEqual([...chunks[14]], [0x03, 0x92, 0x07, 0xc0]);
  assert.equal(msgpack.parseMessages(toArrayBuffer(bytes), NullLogger.instance).length, jsMessages.length - 2);
});
