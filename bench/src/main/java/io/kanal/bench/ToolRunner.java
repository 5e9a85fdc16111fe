package io.kanal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Kafka tool's main class in a JVM of its own, the way {@code kafka-producer-perf-test.sh} does, with this
 * bench's jar as its class path. A separate process keeps the tool's allocation, garbage collection and CPU out of
 * the broker's JVM (this one) and out of Kanal's, and every run starts from a cold client, as a user's would.
 */
final class ToolRunner {

    private final Path java;
    private final String classPath;
    private final List<String> jvmOptions;
    private final Path logDirectory;
    private Process running; // guarded by this
    private boolean stopped; // guarded by this

    ToolRunner(Path java, String classPath, List<String> jvmOptions, Path logDirectory) {
        this.java = java;
        this.classPath = classPath;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.logDirectory = logDirectory;
    }

    /** What one tool run printed, and how long its process took. */
    record Output(String stdout, Duration elapsed) {
    }

    /**
     * Runs {@code mainClass} with {@code args} and returns its standard output once it exited with 0.
     *
     * @param name names the run's log files in the work directory
     * @throws IOException when the tool failed or took longer than {@code timeout}; the message holds its stderr
     */
    Output run(String name, String mainClass, List<String> args, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, mainClass));
        command.addAll(args);
        Path stdout = logDirectory.resolve(name + ".out");
        Path stderr = logDirectory.resolve(name + ".err");
        Files.writeString(logDirectory.resolve(name + ".cmd"), String.join(" ", command) + "\n");
        long start = System.nanoTime();
        Process process;
        synchronized (this) {
            if (stopped) {
                throw new IOException(name + ": the bench is stopping");
            }
            process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            running = process;
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IOException(name + ": " + mainClass + " took longer than " + timeout + "; stderr:\n"
                        + tail(stderr));
            }
        } finally {
            synchronized (this) {
                running = null;
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (process.exitValue() != 0) {
            throw new IOException(name + ": " + mainClass + " exited with " + process.exitValue() + "; stdout:\n"
                    + tail(stdout) + "\nstderr:\n" + tail(stderr));
        }
        return new Output(Files.readString(stdout), elapsed);
    }

    /** Kills the tool that is running, if any, and refuses to start more: for a bench stopped with Ctrl-C. */
    synchronized void stop() {
        stopped = true;
        if (running != null) {
            running.destroyForcibly();
        }
    }

    private static String tail(Path file) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "";
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }
}
