/**
 * Runs hub methods (internal; may change at any time), as ASP.NET Core's {@code
 * DefaultHubDispatcher}: finds a hub class's methods once ({@code HubMethods}, {@code
 * HubMethodDescriptor}), binds and invokes them through the filter chain on the hub executor, one
 * invocation at a time per connection ({@link org.jvmchat.hub.internal.dispatch.HubDispatcher}),
 * and runs server-to-client and client-to-server streams ({@code ActiveStreams}, {@code
 * StreamHandle}, {@code UploadStream}). It sees a connection only as a {@link
 * org.jvmchat.hub.internal.dispatch.CallerConnection}; {@link
 * org.jvmchat.hub.internal.dispatch.HubAccess} is how it sets a new hub's context.
 *
 * <p>May depend on the public API only (and chat-protocol): never on the connection, hub or host
 * layers.
 */
package org.jvmchat.hub.internal.dispatch;
