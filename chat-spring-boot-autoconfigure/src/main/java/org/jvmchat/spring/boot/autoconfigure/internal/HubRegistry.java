package org.jvmchat.spring.boot.autoconfigure.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.spring.boot.HubContexts;
import org.jvmchat.spring.boot.HubEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The hubs of the application: every {@link HubMapping} bean and every {@link HubEndpoint} bean
 * (prototype-scoped: a new instance per invocation, from the bean factory). Also the {@link
 * HubContexts} bean, resolving contexts on the host once it exists.
 */
public final class HubRegistry implements HubContexts {
  private final List<HubMapping> mappings;
  private final Map<Class<?>, String> pathsByType;
  private final ObjectProvider<HubHost> host;

  public HubRegistry(
      ConfigurableListableBeanFactory beanFactory,
      ObjectProvider<HubMapping> mappingBeans,
      HubOptions endpointOptions,
      ObjectProvider<HubHost> host) {
    this.host = host;
    Map<String, HubMapping> byPath = new LinkedHashMap<>();
    Map<Class<?>, String> types = new LinkedHashMap<>();
    for (String name : beanFactory.getBeanNamesForAnnotation(HubEndpoint.class)) {
      HubEndpoint endpoint = beanFactory.findAnnotationOnBean(name, HubEndpoint.class);
      Class<?> type = beanFactory.getType(name);
      if (endpoint == null || type == null) {
        continue;
      }
      if (!Hub.class.isAssignableFrom(type)) {
        throw new IllegalStateException(
            "@HubEndpoint bean '" + name + "' (" + type.getName() + ") does not extend Hub");
      }
      if (!beanFactory.isPrototype(name)) {
        throw new IllegalStateException(
            "@HubEndpoint bean '"
                + name
                + "' must be prototype-scoped: a hub instance lives for one invocation");
      }
      String path = path(endpoint, type);
      HubMapping mapping =
          HubMapping.builder(path, () -> beanFactory.getBean(name, Hub.class))
              .options(endpointOptions)
              .requireAuthenticatedUser(endpoint.requireAuthenticatedUser())
              .build();
      put(byPath, mapping, "@HubEndpoint " + type.getName());
      types.put(type, path);
    }
    mappingBeans.orderedStream().forEach(m -> put(byPath, m, "HubMapping bean"));
    this.mappings = List.copyOf(new ArrayList<>(byPath.values()));
    this.pathsByType = Map.copyOf(types);
  }

  static String path(HubEndpoint endpoint, Class<?> type) {
    String path = endpoint.value().isEmpty() ? endpoint.path() : endpoint.value();
    if (path.isEmpty() || !path.startsWith("/")) {
      throw new IllegalStateException(
          "@HubEndpoint of " + type.getName() + " needs a path starting with '/', e.g. /hubs/chat");
    }
    return path;
  }

  private static void put(Map<String, HubMapping> byPath, HubMapping mapping, String what) {
    if (byPath.putIfAbsent(mapping.path(), mapping) != null) {
      throw new IllegalStateException(
          "Two hubs are mapped to " + mapping.path() + " (the second is a " + what + ")");
    }
  }

  /** The mappings, in order: {@code @HubEndpoint} beans, then {@code HubMapping} beans. */
  public List<HubMapping> mappings() {
    return mappings;
  }

  @Override
  public HubContext hubContext(String path) {
    HubHost h = host.getIfAvailable();
    if (h == null) {
      throw new IllegalStateException(
          "The hubs are not served: the application has no Servlet web server and"
              + " jvmchat.server.port is not set");
    }
    return h.hubContext(path);
  }

  @Override
  public HubContext hubContext(Class<? extends Hub> hubType) {
    String path = pathsByType.get(hubType);
    if (path == null) {
      throw new IllegalArgumentException(hubType.getName() + " is not mapped with @HubEndpoint");
    }
    return hubContext(path);
  }

  @Override
  public Set<String> paths() {
    Set<String> paths = new java.util.LinkedHashSet<>();
    for (HubMapping m : mappings) {
      paths.add(m.path());
    }
    return java.util.Collections.unmodifiableSet(paths);
  }
}
