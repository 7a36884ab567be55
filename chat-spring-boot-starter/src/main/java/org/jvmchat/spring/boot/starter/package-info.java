/**
 * The jvmchat Spring Boot starter has no code: depending on {@code
 * org.jvmchat:chat-spring-boot-starter} brings the auto-configuration ({@code
 * org.jvmchat.spring.boot.autoconfigure}, in chat-spring-boot-autoconfigure), the hub core, the
 * Servlet host and Spring MVC on embedded Tomcat, so that {@code @HubEndpoint} hubs serve on the
 * application's port. This package exists only so that the published javadoc jar says so.
 */
package org.jvmchat.spring.boot.starter;
