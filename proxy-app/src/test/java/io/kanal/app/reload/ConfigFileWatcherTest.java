package io.kanal.app.reload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigFileWatcherTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(50);

    private final Semaphore changes = new Semaphore(0);

    @Test
    void aFileWrittenBesideTheConfigurationDoesNotCallBackButTheConfigurationDoes(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("kanal.yaml"), "a: 1\n");
        Path log = dir.resolve("kanal.log");
        try (ConfigFileWatcher ignored = ConfigFileWatcher.start(config, DEBOUNCE, changes::release)) {
            for (int line = 0; line < 20; line++) {
                Files.writeString(log, "line " + line + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            assertFalse(changes.tryAcquire(DEBOUNCE.toMillis() * 6, TimeUnit.MILLISECONDS), "the log was reported");

            Files.writeString(config, "a: 2\n");
            assertTrue(changes.tryAcquire(10, TimeUnit.SECONDS), "the configuration's change was reported");
        }
    }

    @Test
    void aLogWrittenWithoutPauseDoesNotDelayTheConfigurationsChange(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("kanal.yaml"), "a: 1\n");
        Path log = dir.resolve("kanal.log");
        try (ConfigFileWatcher ignored = ConfigFileWatcher.start(config, DEBOUNCE, changes::release)) {
            Files.writeString(config, "a: 2\n");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean reported = false;
            // A line every 10 ms: never quiet for the debounce, which only the configuration's own entries restart.
            for (int line = 0; !reported && System.nanoTime() < deadline; line++) {
                Files.writeString(log, "line " + line + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                reported = changes.tryAcquire(10, TimeUnit.MILLISECONDS);
            }
            assertTrue(reported, "the change was reported while the log kept being written");
        }
    }

    @Test
    void aKubernetesStyleSwapOfTheDataLinkCallsBack(@TempDir Path dir) throws Exception {
        Path first = Files.createDirectory(dir.resolve("..2026_11_21_10_00_00.1"));
        Files.writeString(first.resolve("kanal.yaml"), "a: 1\n");
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path config = Files.createSymbolicLink(dir.resolve("kanal.yaml"), Path.of("..data", "kanal.yaml"));
        try (ConfigFileWatcher ignored = ConfigFileWatcher.start(config, DEBOUNCE, changes::release)) {
            Path second = Files.createDirectory(dir.resolve("..2026_11_21_10_05_00.2"));
            Files.writeString(second.resolve("kanal.yaml"), "a: 2\n");
            Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

            assertTrue(changes.tryAcquire(10, TimeUnit.SECONDS), "the swap was reported");
            assertEquals("a: 2\n", Files.readString(config));
        }
    }

    @Test
    void theTargetOfASymbolicLinkChangedInPlaceCallsBack(@TempDir Path dir) throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path target = Files.writeString(elsewhere.resolve("real.yaml"), "a: 1\n");
        Path config = Files.createSymbolicLink(Files.createDirectory(dir.resolve("etc")).resolve("kanal.yaml"),
                target);
        try (ConfigFileWatcher ignored = ConfigFileWatcher.start(config, DEBOUNCE, changes::release)) {
            Files.writeString(elsewhere.resolve("other.txt"), "not the configuration\n");
            assertFalse(changes.tryAcquire(DEBOUNCE.toMillis() * 6, TimeUnit.MILLISECONDS),
                    "another file in the target's directory was reported");

            Files.writeString(target, "a: 2\n");
            assertTrue(changes.tryAcquire(10, TimeUnit.SECONDS), "the target's change was reported");
        }
    }

    @Test
    void retargetingALinkInTheMiddleOfTheWayCallsBack(@TempDir Path dir) throws Exception {
        Path v1 = Files.createDirectories(dir.resolve("releases").resolve("v1"));
        Path v2 = Files.createDirectories(dir.resolve("releases").resolve("v2"));
        Files.writeString(v1.resolve("kanal.yaml"), "a: 1\n");
        Files.writeString(v2.resolve("kanal.yaml"), "a: 2\n");
        Files.createSymbolicLink(dir.resolve("current"), Path.of("releases", "v1"));
        Path config = Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("current", "kanal.yaml"));
        try (ConfigFileWatcher ignored = ConfigFileWatcher.start(config, DEBOUNCE, changes::release)) {
            // A deploy tool's swap: a new link renamed over the old one.
            Files.createSymbolicLink(dir.resolve("current.tmp"), Path.of("releases", "v2"));
            Files.move(dir.resolve("current.tmp"), dir.resolve("current"), StandardCopyOption.ATOMIC_MOVE);

            assertTrue(changes.tryAcquire(10, TimeUnit.SECONDS), "the new target was reported");
            assertEquals("a: 2\n", Files.readString(config));
        }
    }

    @Test
    void retargetingALinkToALinkCallsBack(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("v1.yaml"), "a: 1\n");
        Files.writeString(dir.resolve("v2.yaml"), "a: 2\n");
        Files.createSymbolicLink(dir.resolve("current.yaml"), Path.of("v1.yaml"));
        Path config = Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("current.yaml"));
        try (ConfigFileWatcher ignored = ConfigFileWatcher.start(config, DEBOUNCE, changes::release)) {
            Files.delete(dir.resolve("current.yaml"));
            Files.createSymbolicLink(dir.resolve("current.yaml"), Path.of("v2.yaml"));

            assertTrue(changes.tryAcquire(10, TimeUnit.SECONDS), "the new target was reported");
        }
    }
}
