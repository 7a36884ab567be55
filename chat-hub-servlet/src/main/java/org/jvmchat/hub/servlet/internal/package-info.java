/** The Servlet host's adapters to chat-hub-core's host seam (internal; may change at any time). */
package org.jvmchat.hub.servlet.internal;
