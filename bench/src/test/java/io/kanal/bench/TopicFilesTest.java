package io.kanal.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicFilesTest {

    @Test
    void findsLiveAndDeletedPartitionsOfTheTopicOnly(@TempDir Path data) throws Exception {
        for (String name : List.of("bench-produce-3-0", "bench-produce-3-1.0f3c1b2a9d8e4f60a1b2c3d4e5f60718-delete",
                "bench-produce-30-0", "bench-produce-3-x", "__consumer_offsets-7", "meta.properties")) {
            Files.createDirectory(data.resolve(name));
        }
        assertEquals(List.of("bench-produce-3-0", "bench-produce-3-1.0f3c1b2a9d8e4f60a1b2c3d4e5f60718-delete"),
                TopicFiles.of(data, "bench-produce-3"));
        assertEquals(List.of("bench-produce-30-0"), TopicFiles.of(data, "bench-produce-30"));
    }

    @Test
    void waitsUntilTheBrokerHasRemovedThem(@TempDir Path data) throws Exception {
        Path partition = Files.createDirectory(data.resolve("t-0.abc-delete"));
        Thread remover = new Thread(() -> {
            try {
                Thread.sleep(200);
                Files.delete(partition);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        remover.start();
        TopicFiles.awaitGone(data, "t", Duration.ofSeconds(30));
        assertTrue(Files.notExists(partition));
        remover.join();
    }

    @Test
    void givesUpNamingWhatIsLeft(@TempDir Path data) throws Exception {
        Files.createDirectory(data.resolve("t-2"));
        TimeoutException left = assertThrows(TimeoutException.class,
                () -> TopicFiles.awaitGone(data, "t", Duration.ofMillis(100)));
        assertTrue(left.getMessage().contains("[t-2]"), left.getMessage());
    }
}
