package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static io.kanal.proxy.server.ProxyFixture.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.limits.ConnectionLimiter;
import io.kanal.proxy.limits.IdleTimeoutHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The connection limits of {@code network:} through a real proxy: too many connections in total or from one address
 * are closed at accept, an idle connection is closed, and too many outstanding requests only stop the reading. Each
 * closes just the connection concerned, with a log line and a metric.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLimitsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private ProxyFixture fixture;
    private final List<RawKafkaClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (RawKafkaClient client : clients) {
            client.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private void start(UnaryOperator<ProxyConfig.Limits> limits) throws IOException {
        fixture = ProxyFixture.start(config -> config.withLimits(limits.apply(ProxyConfig.Limits.DEFAULT)));
    }

    private RawKafkaClient connect(InetAddress from) throws IOException {
        RawKafkaClient client = RawKafkaClient.connectFrom(from, fixture.bootstrapPort);
        clients.add(client);
        return client;
    }

    @Test
    void aConnectionBeyondTheTotalIsClosedAtAcceptAndAFreedPlaceIsTakenAgain() throws Exception {
        start(limits -> limits.withMaxConnections(2));
        RawKafkaClient first = connect(LOOPBACK);
        RawKafkaClient second = connect(LOOPBACK);
        assertRoundTrip(first, 1);
        assertRoundTrip(second, 1);

        connect(LOOPBACK).assertClosedByProxy();
        // From another address too: the total holds over every address.
        connect(InetAddress.getByName("127.0.0.2")).assertClosedByProxy();

        assertEquals(2, fixture.count("kanal.connections.rejected", "virtual_cluster", ProxyFixture.CLUSTER,
                "reason", ConnectionLimiter.MAX_CONNECTIONS));
        assertRoundTrip(first, 2);
        assertRoundTrip(second, 2);

        // A connection that closes gives its place back.
        first.close();
        assertRoundTrip(connectOnceAPlaceIsFree(), 3);
    }

    @Test
    void aConnectionBeyondTheLimitOfItsAddressIsClosedWhileOtherAddressesAreServed() throws Exception {
        start(limits -> limits.withMaxConnections(10).withMaxConnectionsPerIp(2));
        InetAddress other = InetAddress.getByName("127.0.0.2");
        RawKafkaClient first = connect(LOOPBACK);
        RawKafkaClient second = connect(LOOPBACK);
        assertRoundTrip(first, 1);
        assertRoundTrip(second, 1);

        connect(LOOPBACK).assertClosedByProxy();
        RawKafkaClient elsewhere = connect(other);
        RawKafkaClient elsewhereToo = connect(other);
        assertRoundTrip(elsewhere, 1);
        assertRoundTrip(elsewhereToo, 1);
        connect(other).assertClosedByProxy();

        assertEquals(2, fixture.count("kanal.connections.rejected", "virtual_cluster", ProxyFixture.CLUSTER,
                "reason", ConnectionLimiter.MAX_CONNECTIONS_PER_IP));
        assertEquals(0, fixture.count("kanal.connections.rejected", "reason", ConnectionLimiter.MAX_CONNECTIONS));
        assertRoundTrip(first, 2);
        assertRoundTrip(elsewhere, 2);
    }

    @Test
    void aFloodOfRefusedConnectionsWritesOneLogLine() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ConnectionLimiter.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            start(limits -> limits.withMaxConnections(1));
            RawKafkaClient served = connect(LOOPBACK);
            assertRoundTrip(served, 1);

            for (int i = 0; i < 50; i++) {
                connect(LOOPBACK).assertClosedByProxy();
            }

            assertEquals(50, fixture.count("kanal.connections.rejected", "reason", ConnectionLimiter.MAX_CONNECTIONS));
            List<String> warnings = lines.list.stream().filter(event -> event.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("test: refused connection from /127.0.0.1:"), warnings.get(0));
            assertTrue(warnings.get(0).endsWith("the proxy has 1 client connections open (network.maxConnections)"),
                    warnings.get(0));
            assertRoundTrip(served, 2);
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void aConnectionWithNoTrafficIsClosedAfterTheIdleTimeoutAndABusyOneIsNot() throws Exception {
        Duration idleTimeout = Duration.ofMillis(500);
        start(limits -> limits.withIdleTimeout(idleTimeout));
        RawKafkaClient idle = connect(LOOPBACK);
        RawKafkaClient busy = connect(LOOPBACK);
        assertRoundTrip(idle, 1);
        long quietSince = System.nanoTime();

        // The busy client keeps talking for three idle timeouts; the idle one says nothing.
        for (int id = 1; System.nanoTime() - quietSince < 3 * idleTimeout.toNanos(); id++) {
            assertRoundTrip(busy, id);
            Thread.sleep(100);
        }

        idle.assertClosedByProxy();
        assertRoundTrip(busy, 1000);
        assertEquals(1, fixture.count("kanal.connections.timed.out", "virtual_cluster", ProxyFixture.CLUSTER,
                "reason", IdleTimeoutHandler.IDLE));
    }

    @Test
    void aConnectionThatNeverSendsAnythingIsClosedAfterTheIdleTimeout() throws Exception {
        start(limits -> limits.withIdleTimeout(Duration.ofMillis(300)));
        long start = System.nanoTime();

        connect(LOOPBACK).assertClosedByProxy();

        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "closed before the timeout");
        assertEquals(1, fixture.count("kanal.connections.timed.out", "reason", IdleTimeoutHandler.IDLE));
    }

    @Test
    void tooManyOutstandingRequestsStopTheReadingButCloseNothing() throws Exception {
        int limit = 4;
        start(limits -> limits.withMaxInFlightRequests(limit));
        // The broker takes every request and answers none until the test says so.
        List<FakeBroker.Peer> peers = new ArrayList<>();
        fixture.broker.script((request, peer) -> {
            synchronized (peers) {
                if (peers.isEmpty()) {
                    peers.add(peer);
                }
            }
        });
        RawKafkaClient client = connect(LOOPBACK);
        int requests = 20;
        // One request at a time, so that each arrives in a read of its own and the limit is exact.
        for (int id = 0; id < requests; id++) {
            client.send(heartbeat(id));
            Thread.sleep(20);
        }

        List<FakeBroker.Request> taken = new ArrayList<>();
        while (taken.size() < limit) {
            taken.add(fixture.broker.nextRequest());
        }
        Thread.sleep(300);
        assertEquals(List.of(), fixture.broker.pendingRequests(), "requests beyond the limit reached the broker");

        // One write, which holds the peer, so that echoes of the requests it lets through cannot overtake it.
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        taken.forEach(request -> answers.writeBytes(FakeBroker.echoOf(request.frame())));
        fixture.broker.script(FakeBroker.ECHO);
        peers.get(0).send(answers.toByteArray());
        for (int id = 0; id < requests; id++) {
            assertEquals(id, client.readCorrelationId());
        }
    }

    /** Connects until the proxy keeps the connection: a closed connection frees its place a moment later. */
    private RawKafkaClient connectOnceAPlaceIsFree() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            RawKafkaClient client = connect(LOOPBACK);
            try {
                assertRoundTrip(client, 0);
                return client;
            } catch (IOException refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Thread.sleep(50);
            }
        }
    }
}
