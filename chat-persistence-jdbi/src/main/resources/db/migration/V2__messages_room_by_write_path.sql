-- jvmchat chat store, schema version 2.
--
-- messages.room_id is no longer a declared foreign key. Every message row is inserted by the
-- statement that locks its room's row and raises rooms.last_seq to reserve the row's seq (the
-- store's only write path, AppendTransaction): a row whose room does not exist joins no reserved
-- room and is never inserted, and rooms are never deleted. The declared key checked the same thing
-- again with one query per inserted row (RI_FKey_check: an executor start, an index probe and a
-- KEY SHARE lock on a row the statement already holds), which was a quarter of PostgreSQL's CPU
-- per stored message (chat-load echo, 2026-12-07: 48 -> 36 us per message).
alter table messages drop constraint messages_room_id_fkey;
