package io.kanal.proxy.server;

import static io.kanal.proxy.server.ProxyFixture.assertRoundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.protocol.KafkaMessages;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of hostile bytes, each sent on a connection of its own through a real proxy: lengths that lie, headers
 * cut short, unknown API keys and versions, broken tagged fields, strings and arrays that claim more than the frame
 * holds. Each closes only the connection it came on, is counted as a frame error, and leaks nothing; a bystander
 * connection opened before it keeps being served, and so does a connection opened after it.
 *
 * <p>A filter that sees every request makes the proxy decode each body fully, as it does for any API a filter
 * registers for; without one only the header (and a produce request's {@code acks}) is read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MalformedInputTest {

    /** Sees every request and lets it pass: every request body is decoded. */
    private static final NamedFilter DECODE_EVERYTHING =
            new NamedFilter("decode-everything", (Filter) hooks -> hooks.onAnyRequest((context, request) ->
                    context.pass()));

    private static final short PRODUCE_V3 = 3;
    private static final short PRODUCE_V9 = 9;
    private static final short METADATA_V4 = 4;
    private static final short METADATA_V12 = 12;
    private static final short HEARTBEAT_V4 = 4;

    private ProxyFixture fixture;

    /**
     * Bytes a client sends, or that a broker answers a Metadata request with.
     *
     * @param counted whether the proxy counts the close in {@code kanal.frame.errors}
     */
    record Hostile(String name, byte[] bytes, boolean fromBroker, boolean thenHangUp, boolean counted) {

        static Hostile client(String name, byte[] bytes) {
            return new Hostile(name, bytes, false, false, true);
        }

        static Hostile broker(String name, byte[] bytes) {
            return new Hostile(name, bytes, true, false, true);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Hostile> corpus() {
        return Stream.of(
                // Frame sizes.
                Hostile.client("negative size", ByteBuffer.allocate(8).putInt(-1).putInt(0).array()),
                Hostile.client("size Integer.MAX_VALUE", ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array()),
                Hostile.client("size one above the limit",
                        ByteBuffer.allocate(4).putInt(ProxyFixture.MAX_FRAME_BYTES + 1).array()),
                Hostile.client("empty frame", frame(ByteBuffer.allocate(0))),
                new Hostile("hang-up inside a frame", ByteBuffer.allocate(14).putInt(100).putShort(ApiKeys.HEARTBEAT.id)
                        .array(), false, true, true),
                // Headers.
                Hostile.client("header cut short", frame(ByteBuffer.allocate(5).putShort(ApiKeys.HEARTBEAT.id)
                        .putShort(HEARTBEAT_V4).put((byte) 0).flip())),
                Hostile.client("unknown API key", frame(header(999, 0, -1))),
                Hostile.client("negative API key", frame(header(-1, 0, -1))),
                Hostile.client("negative version", frame(header(ApiKeys.HEARTBEAT.id, -1, -1))),
                Hostile.client("client id longer than the frame",
                        frame(ByteBuffer.allocate(14).putShort(ApiKeys.HEARTBEAT.id).putShort(HEARTBEAT_V4).putInt(1)
                                .putShort((short) 1000).put(new byte[] {'a', 'b', 'c', 'd'}).flip())),
                Hostile.client("header tagged-field count varint longer than 5 bytes",
                        frame(concat(headerFields(ApiKeys.PRODUCE.id, PRODUCE_V9, 1), bytes(-1, -1, -1, -1, -1, -1,
                                1)))),
                Hostile.client("header tagged field longer than the frame",
                        frame(concat(headerFields(ApiKeys.PRODUCE.id, PRODUCE_V9, 1), bytes(1, 0, 100, 1, 2)))),
                // Produce's transactional id and acks, which the proxy reads without a filter.
                Hostile.client("transactional id longer than the frame",
                        frame(concat(header(ApiKeys.PRODUCE.id, PRODUCE_V9, 1), bytes(100, 'x', 'y')))),
                Hostile.client("transactional id of length -2",
                        frame(concat(header(ApiKeys.PRODUCE.id, PRODUCE_V3, 1), bytes(-1, -2, 0, 1)))),
                Hostile.client("produce request that ends before acks",
                        frame(concat(header(ApiKeys.PRODUCE.id, PRODUCE_V3, 1), bytes(-1, -1, 0)))),
                // Bodies, decoded for the filter.
                Hostile.client("array claiming 2^31-1 elements",
                        frame(concat(header(ApiKeys.METADATA.id, METADATA_V4, 1), bytes(0x7f, -1, -1, -1, 1)))),
                Hostile.client("compact array claiming 2^31-2 elements",
                        frame(concat(header(ApiKeys.METADATA.id, METADATA_V12, 1), bytes(-1, -1, -1, -1, 7, 1, 0, 0)))),
                Hostile.client("topic name longer than the frame",
                        frame(concat(header(ApiKeys.METADATA.id, METADATA_V4, 1), bytes(0, 0, 0, 1, 1, -12, 'a', 1)))),
                Hostile.client("body tagged field longer than the frame",
                        frame(concat(header(ApiKeys.METADATA.id, METADATA_V12, 1), bytes(0, 1, 0, 1, 0, 50, 1)))),
                Hostile.client("bytes after the body", withTrailingBytes(
                        KafkaMessages.request(ApiKeys.METADATA, METADATA_V12, "client", 1, new MetadataRequestData()))),
                // Forwarded, but its answer cannot be read to rewrite; that close is not counted as a frame error.
                new Hostile("API version newer than any, on an API whose answer is rewritten",
                        frame(concat(header(ApiKeys.METADATA.id, 99, 1), bytes(0, 0, 0))), false, false, false),
                // A broker's Metadata answer, which the proxy decodes to rewrite its addresses.
                Hostile.broker("broker answer with a broker list claiming 2^31-1 entries",
                        bytes(0, 0, 0, 0, 0x7f, -1, -1, -1).array()),
                Hostile.broker("broker answer with a host longer than the frame",
                        bytes(0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, -12, 'h').array()),
                Hostile.broker("broker answer cut short", bytes(0, 0).array()));
    }

    @BeforeEach
    void start() throws IOException {
        fixture = ProxyFixture.start(config -> config, DECODE_EVERYTHING);
    }

    @AfterEach
    void stop() throws IOException {
        fixture.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void closesOnlyTheConnectionItCameOn(Hostile hostile) throws Exception {
        double frameErrorsBefore = frameErrors();
        try (RawKafkaClient bystander = fixture.connect(); RawKafkaClient offender = fixture.connect()) {
            assertRoundTrip(bystander, 1);

            send(offender, hostile);

            offender.assertClosedByProxy();
            assertRoundTrip(bystander, 2);
        }
        try (RawKafkaClient newcomer = fixture.connect()) {
            assertRoundTrip(newcomer, 3);
        }
        if (hostile.counted()) {
            assertTrue(frameErrors() > frameErrorsBefore, "not counted as a frame error");
        }
    }

    @Test
    void theWholeCorpusLeaksNothing() throws Exception {
        try (LeakWatch watch = new LeakWatch()) {
            for (Hostile hostile : corpus().toList()) {
                try (RawKafkaClient offender = fixture.connect()) {
                    send(offender, hostile);
                    offender.assertClosedByProxy();
                }
            }
            try (RawKafkaClient client = fixture.connect()) {
                assertRoundTrip(client, 1);
            }
            assertEquals(List.of(), watch.leaks(Duration.ofSeconds(3)));
        }
    }

    private void send(RawKafkaClient offender, Hostile hostile) throws IOException {
        if (hostile.fromBroker()) {
            fixture.broker.script((request, peer) -> peer.send(request.api() == ApiKeys.METADATA
                    ? KafkaMessages.opaqueResponse(request.correlationId(), hostile.bytes())
                    : FakeBroker.echoOf(request.frame())));
            offender.send(KafkaMessages.request(ApiKeys.METADATA, METADATA_V4, "client", 7,
                    new MetadataRequestData()));
            return;
        }
        offender.send(hostile.bytes());
        if (hostile.thenHangUp()) {
            offender.socket().shutdownOutput();
        }
    }

    private double frameErrors() {
        return fixture.registry.find("kanal.frame.errors").counters().stream().mapToDouble(Counter::count).sum();
    }

    /** A request header of version 1 (client id {@code "c"}), or 2 for the flexible versions, with no tagged fields. */
    private static ByteBuffer header(int apiKey, int version, int correlationId) {
        ByteBuffer fields = headerFields(apiKey, version, correlationId);
        return isFlexible(apiKey, version) ? concat(fields, bytes(0)) : fields;
    }

    /** The fields of a request header up to the client id {@code "c"}, without the tagged fields of version 2. */
    private static ByteBuffer headerFields(int apiKey, int version, int correlationId) {
        return ByteBuffer.allocate(11).putShort((short) apiKey).putShort((short) version).putInt(correlationId)
                .putShort((short) 1).put((byte) 'c').flip();
    }

    private static boolean isFlexible(int apiKey, int version) {
        if (!ApiKeys.hasId(apiKey)) {
            return false;
        }
        ApiKeys api = ApiKeys.forId(apiKey);
        return version > api.latestVersion() || (api.isVersionSupported((short) version)
                && api.requestHeaderVersion((short) version) >= 2);
    }

    private static ByteBuffer bytes(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length);
        for (int value : values) {
            buffer.put((byte) value);
        }
        return buffer.flip();
    }

    private static ByteBuffer concat(ByteBuffer... parts) {
        ByteBuffer all = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(ByteBuffer::remaining).sum());
        for (ByteBuffer part : parts) {
            all.put(part);
        }
        return all.flip();
    }

    private static byte[] frame(ByteBuffer content) {
        return KafkaMessages.sizePrefixed(content);
    }

    private static byte[] withTrailingBytes(byte[] frame) {
        return frame(concat(ByteBuffer.wrap(frame, 4, frame.length - 4), bytes(1, 2, 3)));
    }
}
