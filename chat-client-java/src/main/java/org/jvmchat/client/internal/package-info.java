/** Implementation of the client. Not API: anything here may change at any time. */
package org.jvmchat.client.internal;
