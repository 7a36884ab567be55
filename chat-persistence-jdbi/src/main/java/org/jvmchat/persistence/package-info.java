/**
 * The chat store SPI: rooms, participants, messages with keyset-paged history, and the group
 * memberships that outlive a connection.
 *
 * <p>{@link org.jvmchat.persistence.ChatStore} is the aggregate the chat server uses. {@link
 * org.jvmchat.persistence.ChatStores#open(StoreOptions)} opens the PostgreSQL store (embedded or
 * external); {@link org.jvmchat.persistence.InMemoryChatStore} is for tests and embedders.
 *
 * <p>Threading: {@link org.jvmchat.persistence.MessageStore#append} and {@link
 * org.jvmchat.persistence.MessageStore#appendAll} are asynchronous and never block the caller, and
 * so are {@link org.jvmchat.persistence.GroupMembershipStore#joinAsync} and {@link
 * org.jvmchat.persistence.GroupMembershipStore#groupsOfAsync} in the stores of this module. Every
 * other method is <b>blocking</b> (a short indexed query, bounded by the pool's connection
 * timeout): call them off any event loop.
 *
 * <p>Errors: invalid arguments throw {@link java.lang.IllegalArgumentException} with a message a
 * person can read ({@link org.jvmchat.persistence.ChatLimits} has the limits); an unknown room
 * raises {@link org.jvmchat.persistence.NoSuchRoomException}; a database that cannot be reached
 * raises {@link org.jvmchat.persistence.StoreUnavailableException}; a full write queue raises
 * {@link org.jvmchat.persistence.StoreOverloadedException}. Asynchronous methods report the same
 * exceptions through their future.
 */
package org.jvmchat.persistence;
