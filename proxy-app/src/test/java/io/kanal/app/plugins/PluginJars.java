package io.kanal.app.plugins;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds plugin jars for tests the way a user does: a {@code FilterFactory} compiled against the filter API, packed
 * with its {@code META-INF/services} entry. The classes exist only inside the jar, never on the test class path.
 */
final class PluginJars {

    private PluginJars() {
    }

    /**
     * Writes {@code jarName} into {@code directory}, holding {@code className} (in package {@code plugin}): a factory
     * of filters of type {@code type} that take no configuration and register no hooks.
     */
    static Path factoryJar(Path directory, String jarName, String className, String type) throws IOException {
        String source = """
                package plugin;

                import io.kanal.proxy.filter.Filter;
                import io.kanal.proxy.filter.FilterFactory;
                import io.kanal.proxy.filter.FilterFactoryContext;

                public final class %s implements FilterFactory<Void> {
                    @Override public String type() { return "%s"; }
                    @Override public Class<Void> configType() { return Void.class; }
                    @Override public Filter create(Void config, FilterFactoryContext context) {
                        return hooks -> { };
                    }
                }
                """.formatted(className, type);
        Path work = Files.createTempDirectory(directory.getParent(), "plugin-build-");
        Path sourceFile = Files.createDirectories(work.resolve("src/plugin")).resolve(className + ".java");
        Files.writeString(sourceFile, source);
        Path classes = Files.createDirectories(work.resolve("classes"));

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no Java compiler: the tests need a JDK, not a JRE");
        }
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int result = compiler.run(null, diagnostics, diagnostics, "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), sourceFile.toString());
        if (result != 0) {
            throw new IllegalStateException("cannot compile " + className + ":\n"
                    + diagnostics.toString(StandardCharsets.UTF_8));
        }

        Path jar = directory.resolve(jarName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, "META-INF/services/io.kanal.proxy.filter.FilterFactory",
                    ("plugin." + className + "\n").getBytes(StandardCharsets.UTF_8));
            List<Path> classFiles;
            try (Stream<Path> files = Files.walk(classes)) {
                classFiles = files.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path classFile : classFiles) {
                put(out, classes.relativize(classFile).toString().replace('\\', '/'), Files.readAllBytes(classFile));
            }
        }
        return jar;
    }

    /** Writes a jar whose service file names {@code className}, a class the jar does not hold: a broken plugin. */
    static Path brokenJar(Path directory, String jarName, String className) throws IOException {
        Path jar = directory.resolve(jarName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, "META-INF/services/io.kanal.proxy.filter.FilterFactory",
                    (className + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    private static void put(JarOutputStream out, String name, byte[] content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(content);
        out.closeEntry();
    }
}
