package io.kanal.proxy.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Turns Netty's leak detector to paranoid while it is open and collects what it reports. Netty notices a leak only
 * after the garbage collector has taken the unreleased buffer and a later allocation looks, so {@link #leaks} keeps
 * collecting garbage and allocating for a while before it answers.
 */
final class LeakWatch implements AutoCloseable {

    private final ResourceLeakDetector.Level previousLevel = ResourceLeakDetector.getLevel();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private final ListAppender<ILoggingEvent> reports = new ListAppender<>();

    LeakWatch() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        reports.start();
        logger.addAppender(reports);
    }

    /** Leak reports seen within {@code patience}; returns as soon as there is one. */
    List<String> leaks(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            System.gc();
            // Each tracked allocation makes the detector look at what the collector found.
            for (int i = 0; i < 10; i++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
            }
            List<String> found = reports.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(message -> message.contains("LEAK"))
                    .toList();
            if (!found.isEmpty()) {
                return found;
            }
            Thread.sleep(100);
        }
        return List.of();
    }

    @Override
    public void close() {
        logger.detachAppender(reports);
        reports.stop();
        ResourceLeakDetector.setLevel(previousLevel);
    }
}
