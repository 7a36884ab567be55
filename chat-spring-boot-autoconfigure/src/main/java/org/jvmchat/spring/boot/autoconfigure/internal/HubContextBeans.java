package org.jvmchat.spring.boot.autoconfigure.internal;

import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.HubClients;
import org.jvmchat.hub.HubContext;
import org.jvmchat.spring.boot.HubContexts;
import org.jvmchat.spring.boot.HubEndpoint;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;

/**
 * Registers one {@link HubContext} bean per {@link HubEndpoint} class, named {@code
 * jvmchatHubContext:<path>} and qualified by the path, so that {@code HubContext} can be injected
 * (unqualified when the application has one such hub, {@code @Qualifier("/hubs/chat")} otherwise).
 * Each resolves the hub on the host at first use.
 */
public final class HubContextBeans implements BeanDefinitionRegistryPostProcessor {
  public static final String BEAN_NAME_PREFIX = "jvmchatHubContext:";

  @Override
  public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry)
      throws BeansException {
    if (!(registry instanceof BeanFactory beanFactory)) {
      return;
    }
    for (String name : registry.getBeanDefinitionNames()) {
      String path = hubPath(registry.getBeanDefinition(name));
      if (path == null || registry.containsBeanDefinition(BEAN_NAME_PREFIX + path)) {
        continue;
      }
      RootBeanDefinition context = new RootBeanDefinition(HubContext.class);
      context.setInstanceSupplier(() -> new LazyHubContext(beanFactory, path));
      context.addQualifier(new AutowireCandidateQualifier(Qualifier.class, path));
      context.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
      registry.registerBeanDefinition(BEAN_NAME_PREFIX + path, context);
    }
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {}

  private static String hubPath(BeanDefinition definition) {
    MergedAnnotations annotations = null;
    if (definition instanceof AnnotatedBeanDefinition annotated
        && annotated.getFactoryMethodMetadata() == null) {
      annotations = annotated.getMetadata().getAnnotations();
    } else if (definition instanceof AbstractBeanDefinition abd
        && abd.hasBeanClass()
        && definition.getFactoryMethodName() == null) {
      annotations = MergedAnnotations.from(abd.getBeanClass());
    }
    if (annotations == null) {
      return null;
    }
    MergedAnnotation<HubEndpoint> endpoint = annotations.get(HubEndpoint.class);
    if (!endpoint.isPresent()) {
      return null;
    }
    String path = endpoint.getString("value");
    return path.isEmpty() ? endpoint.getString("path") : path;
  }

  /** Looks the hub up on the host when first used (the host starts after the beans exist). */
  private static final class LazyHubContext implements HubContext {
    private final BeanFactory beanFactory;
    private final String path;
    private volatile HubContext target;

    LazyHubContext(BeanFactory beanFactory, String path) {
      this.beanFactory = beanFactory;
      this.path = path;
    }

    private HubContext target() {
      HubContext t = target;
      if (t == null) {
        t = beanFactory.getBean(HubContexts.class).hubContext(path);
        target = t;
      }
      return t;
    }

    @Override
    public HubClients clients() {
      return target().clients();
    }

    @Override
    public GroupManager groups() {
      return target().groups();
    }

    @Override
    public org.jvmchat.hub.UserGroupManager userGroups() {
      return target().userGroups();
    }

    @Override
    public org.jvmchat.hub.ClientManager clientManager() {
      return target().clientManager();
    }

    @Override
    public String toString() {
      return "HubContext[" + path + "]";
    }
  }
}
