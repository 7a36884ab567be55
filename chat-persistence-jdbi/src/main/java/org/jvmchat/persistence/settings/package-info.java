/**
 * How setting values are written in the environment (and, for the chat server, in its JSON file):
 * whole numbers, durations ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 12h}, ISO-8601 {@code
 * PT5S}, or a number of milliseconds) and named choices, each with one readable error that names
 * the setting, quotes the value and says what was expected.
 *
 * <p>One parser for {@link org.jvmchat.persistence.StoreOptions#fromEnvironment(java.util.Map)} and
 * the chat server's {@code SettingsLoader}; it lives here because this is the lowest module that
 * reads the environment. It is a helper for settings readers, not part of the store's API.
 */
package org.jvmchat.persistence.settings;
