package org.jvmchat.protocol.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Checks a library's {@code module-info} from outside, as a modular application sees it: reads the
 * descriptor the build compiled, then compiles a consumer module that {@code requires} the library
 * and imports each of its packages, with the library and what it requires on the module path. A
 * package compiles for the consumer only if it is exported to everyone; the check fails when an
 * internal package becomes exported (or a public one stops being).
 *
 * <p>Works whether the tests run on the class path or the module path: the library and its
 * dependencies are found among the entries of either.
 */
public final class ModuleBoundary {
  private final ModuleDescriptor descriptor;
  private final Path location;

  private ModuleBoundary(ModuleDescriptor descriptor, Path location) {
    this.descriptor = descriptor;
    this.location = location;
  }

  /** The module the build compiled for the classes of {@code anyClassOfIt}. */
  public static ModuleBoundary of(Class<?> anyClassOfIt) {
    Path location;
    try {
      location = Path.of(anyClassOfIt.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    // a directory of classes (surefire) or the packaged jar (failsafe)
    Set<ModuleReference> found = ModuleFinder.of(location).findAll();
    assertThat(found).as("the module at %s, beside %s", location, anyClassOfIt).hasSize(1);
    ModuleDescriptor descriptor = found.iterator().next().descriptor();
    assertThat(descriptor.isAutomatic())
        .as("%s has a module-info (not an automatic module)", location)
        .isFalse();
    return new ModuleBoundary(descriptor, location);
  }

  public ModuleDescriptor descriptor() {
    return descriptor;
  }

  /**
   * Asserts the exports: exactly {@code exported} to everyone, exactly {@code qualified} to the
   * named modules, and no package with an {@code internal} segment exported to everyone.
   */
  public ModuleBoundary assertExports(Set<String> exported, Map<String, Set<String>> qualified) {
    Set<String> unqualified = new TreeSet<>();
    Map<String, Set<String>> targeted = new TreeMap<>();
    for (ModuleDescriptor.Exports e : descriptor.exports()) {
      if (e.isQualified()) {
        targeted.put(e.source(), new TreeSet<>(e.targets()));
      } else {
        unqualified.add(e.source());
      }
    }
    assertThat(unqualified)
        .as("packages %s exports to everyone", descriptor.name())
        .noneMatch(p -> p.contains(".internal"))
        .containsExactlyInAnyOrderElementsOf(exported);
    assertThat(targeted)
        .as("packages %s exports only to named modules", descriptor.name())
        .isEqualTo(new TreeMap<>(qualified));
    return this;
  }

  /**
   * Compiles, in {@code workDir}, a consumer module that requires this one and imports each of its
   * packages, and asserts that exactly the packages exported to everyone compile.
   */
  public ModuleBoundary assertOnlyExportedPackagesCompileFromOutside(Path workDir)
      throws IOException {
    Path src = workDir.resolve("src");
    Path pkgDir = Files.createDirectories(src.resolve("consumer/check"));
    Files.writeString(
        src.resolve("module-info.java"),
        "module consumer.check { requires " + descriptor.name() + "; }\n");
    Map<String, String> packageOfFile = new LinkedHashMap<>();
    List<Path> sources = new ArrayList<>(List.of(src.resolve("module-info.java")));
    int n = 0;
    for (String pkg : new TreeSet<>(descriptor.packages())) {
      String name = "Use" + n++;
      Path file = pkgDir.resolve(name + ".java");
      Files.writeString(
          file, "package consumer.check;\nimport " + pkg + ".*;\nfinal class " + name + " {}\n");
      packageOfFile.put(name + ".java", pkg);
      sources.add(file);
    }

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Set<String> rejected = new TreeSet<>();
    StringWriter out = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      List<String> options =
          List.of(
              "--module-path",
              modulePath().stream()
                  .map(Path::toString)
                  .collect(Collectors.joining(File.pathSeparator)),
              "-d",
              Files.createDirectories(workDir.resolve("out")).toString(),
              "-proc:none",
              "-Xlint:-module");
      javac
          .getTask(
              out, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources))
          .call();
    }
    List<String> unexpected = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      String file =
          d.getSource() == null ? "" : Path.of(d.getSource().toUri()).getFileName().toString();
      String pkg = packageOfFile.get(file);
      if (pkg != null && d.getMessage(null).contains("is not visible")) {
        rejected.add(pkg);
      } else {
        unexpected.add(file + ": " + d.getMessage(null));
      }
    }
    assertThat(unexpected).as("javac errors other than an invisible package; %s", out).isEmpty();
    Set<String> publicPackages =
        descriptor.exports().stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> hidden = new TreeSet<>(descriptor.packages());
    hidden.removeAll(publicPackages);
    assertThat(rejected)
        .as("packages of %s a consumer module cannot import", descriptor.name())
        .isEqualTo(hidden);
    return this;
  }

  /** This module and every module it requires (not {@code static}), found on the test's paths. */
  private List<Path> modulePath() {
    Map<String, Path> found = new HashMap<>();
    for (String property : List.of("jdk.module.path", "java.class.path")) {
      for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
        if (entry.isEmpty()) {
          continue;
        }
        Path path = Path.of(entry);
        try {
          for (ModuleReference ref : ModuleFinder.of(path).findAll()) {
            found.putIfAbsent(ref.descriptor().name(), path);
          }
        } catch (FindException | UncheckedIOException notAModule) {
          // test-classes directories and the like: not wanted on the module path
        }
      }
    }
    Set<Path> path = new LinkedHashSet<>(List.of(location));
    Deque<ModuleDescriptor> todo = new ArrayDeque<>(List.of(descriptor));
    Set<String> seen = new TreeSet<>(Set.of(descriptor.name()));
    while (!todo.isEmpty()) {
      for (ModuleDescriptor.Requires r : todo.pop().requires()) {
        if (r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)
            || !seen.add(r.name())
            || ModuleFinder.ofSystem().find(r.name()).isPresent()) {
          continue;
        }
        Path where = found.get(r.name());
        assertThat(where).as("module %s required by %s", r.name(), descriptor.name()).isNotNull();
        path.add(where);
        Optional<ModuleReference> ref = ModuleFinder.of(where).find(r.name());
        ref.ifPresent(m -> todo.add(m.descriptor()));
      }
    }
    return new ArrayList<>(path);
  }
}
