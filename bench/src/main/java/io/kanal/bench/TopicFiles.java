package io.kanal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The partition directories a topic has in a broker's data directory: {@code TOPIC-N} while it lives, {@code
 * TOPIC-N.ID-delete} once deleted until the broker removes them. A run writes gigabytes, and removing them costs
 * the machine enough to show in whichever run it overlaps; the bench waits for it between runs.
 */
final class TopicFiles {

    private static final Duration POLL = Duration.ofMillis(50);

    private TopicFiles() {
    }

    /** The names of {@code topic}'s partition directories in {@code dataDirectory}, live or marked for deletion. */
    static List<String> of(Path dataDirectory, String topic) throws IOException {
        Pattern partition = Pattern.compile(Pattern.quote(topic) + "-\\d+(\\.[^.]+-delete)?");
        try (Stream<Path> entries = Files.list(dataDirectory)) {
            return entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> partition.matcher(name).matches())
                    .sorted()
                    .toList();
        }
    }

    /**
     * Returns once {@code topic} has no partition directory left.
     *
     * @throws TimeoutException when some are still there after {@code timeout}
     */
    static void awaitGone(Path dataDirectory, String topic, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (List<String> left = of(dataDirectory, topic); !left.isEmpty(); left = of(dataDirectory, topic)) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the broker did not remove the files of deleted topic " + topic + " within "
                        + timeout.toSeconds() + " s: " + left);
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
