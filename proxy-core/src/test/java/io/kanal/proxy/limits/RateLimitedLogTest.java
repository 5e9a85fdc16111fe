package io.kanal.proxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(RateLimitedLogTest.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final AtomicLong now = new AtomicLong(1_000);
    private final RateLimitedLog log = new RateLimitedLog(logger, Duration.ofSeconds(10), now::get);

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void writesOneLinePerIntervalAndCountsWhatItLeftOut() {
        log.warn("{} {} {}", "a", 1, "first");
        for (int i = 0; i < 99; i++) {
            now.addAndGet(Duration.ofMillis(50).toNanos());
            log.warn("{} {} {}", "a", 2, "dropped");
        }
        assertEquals(1, lines.list.size());

        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.warn("{} {} {}", "a", 3, "next");
        log.warn("{} {} {}", "a", 4, "dropped");

        assertEquals(2, lines.list.size());
        assertEquals("a 1 first", lines.list.get(0).getFormattedMessage());
        assertEquals("a 3 next (99 more like this since the last such line)", lines.list.get(1).getFormattedMessage());
    }
}
