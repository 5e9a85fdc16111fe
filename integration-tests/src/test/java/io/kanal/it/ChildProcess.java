package io.kanal.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command as a child process with the given stdin, capturing stdout and stderr in files under target/ so that
 * neither pipe can fill up and block the child, and killing it if it outlives its timeout.
 */
public final class ChildProcess {

    public record Result(List<String> command, int exitCode, String stdout, String stderr) {

        public List<String> stdoutLines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }

        /** For assertion messages: everything a reader needs to see why the child misbehaved. */
        public String describe() {
            return String.join(" ", command) + "\nexit code " + exitCode + "\n--- stderr ---\n" + stderr
                    + "\n--- stdout (first 2000 chars) ---\n" + stdout.substring(0, Math.min(2000, stdout.length()));
        }
    }

    private ChildProcess() {
    }

    public static Result run(List<String> command, String stdin, Duration timeout) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(Path.of("target", "child-processes"));
        Path out = Files.createTempFile(dir, "stdout-", ".txt");
        Path err = Files.createTempFile(dir, "stderr-", ".txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("timed out after " + timeout.toSeconds() + "s: " + String.join(" ", command)
                    + "\n--- stderr ---\n" + Files.readString(err));
        }
        return new Result(command, process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The command line that runs {@code mainClass} in a fresh JVM on this test JVM's classpath. */
    public static List<String> java(String mainClass, String... args) {
        return java(List.of(), mainClass, args);
    }

    /** As {@link #java(String, String...)}, with JVM options such as {@code -Dname=value}. */
    public static List<String> java(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // A small, quickly starting JVM: these tools move a few hundred records.
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /**
     * kcat from the PATH. CI (environment variable CI set) installs it, so there a missing kcat fails the test rather
     * than turning it into a silently skipped one; elsewhere the test is skipped.
     */
    public static Path kcat() {
        Path kcat = onPath("kcat");
        if (kcat == null) {
            if (System.getenv("CI") != null) {
                fail("kcat is not on the PATH, and CI is set: CI must install kcat (Debian package kcat)");
            }
            assumeTrue(false, "kcat is not on the PATH");
        }
        return kcat;
    }

    /** The executable {@code name} on the PATH, or null. */
    public static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
