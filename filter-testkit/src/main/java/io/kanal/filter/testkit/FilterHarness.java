package io.kanal.filter.testkit;

import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterChain;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.RequestOutcome;
import io.kanal.proxy.filter.ResponseHook;
import io.kanal.proxy.filter.ResponseOutcome;
import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.RequestFrame;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs filters the way Kanal runs them on a client connection, without a network or a broker: a request or response
 * given to the harness is encoded in its API version, decoded by the proxy's own codec, passed through the filters by
 * the proxy's own filter engine on an event-loop thread of its own, and what comes out is decoded again as the broker
 * or the client would read it. So a test sees what the other side of the wire gets: a request a filter changed in
 * place but then passed on unchanged reaches the broker as it arrived; a field the API version has no room for fails
 * the way it fails in the proxy; a hook that throws answers the client with the API's own error response.
 *
 * <pre>
 * try (FilterHarness harness = FilterHarness.builder()
 *         .filter("only-team-a", new TopicPrefixGuardFactory(), new Config("team-a."))
 *         .build()) {
 *     RequestResult&lt;CreateTopicsRequestData, CreateTopicsResponseData&gt; result =
 *             harness.request(KafkaApi.CREATE_TOPICS, (short) 7, request);
 *     assertEquals(RequestResult.Kind.ANSWERED, result.kind());
 *     assertEquals(Errors.POLICY_VIOLATION.code(), result.response().topics().find("orders").errorCode());
 * }
 * </pre>
 *
 * <p>Requests and responses are handled one at a time, each to its end, in the order the test gives them. A harness
 * is one client connection: every request and response belongs to it. Closing the harness closes the filters its
 * builder made from factories; filters handed to it ready-made belong to the test.
 */
public final class FilterHarness implements AutoCloseable {

    private static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofSeconds(10);
    /** How much longer than the hook timeout the harness waits before it reports the engine stuck. */
    private static final Duration ENGINE_SLACK = Duration.ofSeconds(5);

    private final FilterChain chain;
    private final HarnessConnection connection;
    private final MeterRegistry meterRegistry;
    private final Duration hookTimeout;
    private final List<Filter> owned;
    private final Map<ApiKeys, Function<ApiMessage, ApiMessage>> broker;
    private int nextCorrelationId = 1;

    private FilterHarness(Builder builder, List<NamedFilter> filters, List<Filter> owned) {
        this.meterRegistry = builder.meterRegistry;
        this.hookTimeout = builder.hookTimeout;
        this.owned = owned;
        this.broker = new EnumMap<>(builder.broker);
        this.connection = new HarnessConnection(new HarnessConnectionInfo(builder.virtualCluster,
                builder.clientAddress, builder.clientId, builder.principal), this::answerOutOfBand);
        this.chain = new FilterChain(builder.virtualCluster, filters, meterRegistry, hookTimeout);
    }

    /** A harness to configure: filters in chain order, the connection's facts, the broker's answers. */
    public static Builder builder() {
        return new Builder();
    }

    /** A harness running {@code filters} in the given order, named {@code filter-1}, {@code filter-2}, ... */
    public static FilterHarness of(Filter... filters) {
        Builder builder = builder();
        for (int i = 0; i < filters.length; i++) {
            builder.filter("filter-" + (i + 1), filters[i]);
        }
        return builder.build();
    }

    /**
     * Sends a request from the client through the filters.
     *
     * @param version the API version the client uses; the request is written and read in it
     * @return where the request went: to the broker, back to the client, nowhere, or the connection closed
     * @throws IllegalArgumentException when {@code request} cannot be written in {@code version}
     */
    public <Q extends ApiMessage, R extends ApiMessage> RequestResult<Q, R> request(KafkaApi<Q, R> api, short version,
                                                                                 Q request) {
        Objects.requireNonNull(request, "request");
        int correlationId = nextCorrelationId++;
        RequestFrame frame = Wire.requestFrame(api.key(), version, correlationId, connection.info().clientId(),
                request);
        DecodedRequest decoded = Wire.decode(frame);
        RequestOutcome outcome = onLoop(done -> chain.onRequest(connection, decoded, frame.expectsResponse(), done));
        return RequestResult.of(this, api, frame, decoded, outcome);
    }

    /**
     * Sends a response from the broker through the response hooks that filters registered for its API, as for a
     * request that passed the filters without asking for a hook of its own. To answer a request the harness
     * forwarded, use {@link RequestResult#brokerResponds}, which also runs the hooks attached to that request.
     *
     * @param version the API version of the request it answers
     */
    public <R extends ApiMessage> ResponseResult<R> response(KafkaApi<?, R> api, short version, R response) {
        return respond(api, version, nextCorrelationId++, null, response);
    }

    <R extends ApiMessage> ResponseResult<R> respond(KafkaApi<?, R> api, short version, int correlationId,
                                                     ResponseHook<?>[] interceptors, R response) {
        Objects.requireNonNull(response, "response");
        ByteBuf arrived = Wire.response(api.key(), version, correlationId, response);
        DecodedResponse decoded = Wire.decode(api.key(), version, arrived);
        ResponseOutcome outcome = onLoop(done -> chain.onResponse(connection, decoded, interceptors, done));
        return ResponseResult.of(api.responseType(), arrived, decoded, outcome);
    }

    /** The requests the filters sent to the broker of their own accord, in the order they sent them. */
    public List<OutOfBandRequest> outOfBandRequests() {
        return connection.sent();
    }

    /**
     * The registry the filters' factories and the engine record to: the filters' own meters, and the engine's
     * {@code kanal.filter.duration} timers and {@code kanal.filter.failures} counters per filter and stage.
     */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Closes the filters the builder made from factories, the last made first, and stops the event loop. */
    @Override
    public void close() {
        try {
            for (int i = owned.size() - 1; i >= 0; i--) {
                owned.get(i).close();
            }
        } finally {
            connection.close();
        }
    }

    private CompletableFuture<ApiMessage> answerOutOfBand(OutOfBandRequest sent) {
        Function<ApiMessage, ApiMessage> answer = broker.get(sent.api());
        if (answer == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the harness's broker has no answer for "
                    + sent.api() + "; give one with FilterHarness.Builder.broker"));
        }
        ApiMessage response = answer.apply(sent.request());
        if (response == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the harness's broker answered "
                    + sent.api() + " with null"));
        }
        return CompletableFuture.completedFuture(Wire.decode(sent.api(), sent.version(),
                Wire.response(sent.api(), sent.version(), 0, response)).body());
    }

    /** Starts work on the event loop and waits for the engine to call back. */
    private <T> T onLoop(Consumer<Consumer<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        connection.executor().execute(() -> work.accept(result::complete));
        long waitMillis = hookTimeout.plus(ENGINE_SLACK).toMillis();
        try {
            return result.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the filters ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the filter engine failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the filter engine gave no outcome within " + waitMillis + " ms");
        }
    }

    /**
     * Configures a {@link FilterHarness}. Without settings the connection belongs to virtual cluster {@code test},
     * client id {@code test-client}, address 127.0.0.1:50000, no principal, no TLS.
     */
    public static final class Builder {

        private final List<NamedFilter> filters = new ArrayList<>();
        private final List<Filter> owned = new ArrayList<>();
        private final Map<ApiKeys, Function<ApiMessage, ApiMessage>> broker = new EnumMap<>(ApiKeys.class);
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private String virtualCluster = "test";
        private String clientId = "test-client";
        private InetSocketAddress clientAddress = new InetSocketAddress("127.0.0.1", 50000);
        private Optional<String> principal = Optional.empty();
        private Duration hookTimeout = DEFAULT_HOOK_TIMEOUT;

        private Builder() {
        }

        /** Adds a ready-made filter to the end of the chain; the test closes it. */
        public Builder filter(String name, Filter filter) {
            filters.add(new NamedFilter(name, filter));
            return this;
        }

        /**
         * Makes a filter with its factory, as Kanal does at start-up, and adds it to the end of the chain; the
         * harness closes it.
         *
         * @param config the bound configuration; {@code null} for a factory whose configuration type is
         *               {@link Void}
         * @throws IllegalArgumentException as the factory throws it for an unusable configuration
         */
        public <C> Builder filter(String name, FilterFactory<C> factory, C config) {
            MeterRegistry registry = meterRegistry;
            Filter filter = factory.create(config, new FilterFactoryContext() {
                @Override
                public String filterName() {
                    return name;
                }

                @Override
                public MeterRegistry meterRegistry() {
                    return registry;
                }
            });
            if (filter == null) {
                throw new IllegalStateException(factory.getClass().getName() + " made no filter");
            }
            owned.add(filter);
            return filter(name, filter);
        }

        /** The registry for factories and the engine; set it before adding filters made by factories. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The name of the virtual cluster the client connected to. */
        public Builder virtualCluster(String name) {
            this.virtualCluster = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The client id the client's requests carry; {@code null} for none. */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** The client's address as the proxy sees it. */
        public Builder clientAddress(InetSocketAddress address) {
            this.clientAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The principal the client authenticated as, in Kafka's form: {@code User:alice}. */
        public Builder principal(String principal) {
            this.principal = Optional.of(principal);
            return this;
        }

        /** How long a hook's stage may take before the engine fails it, as the virtual cluster's setting does. */
        public Builder hookTimeout(Duration timeout) {
            this.hookTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How the broker answers the requests filters send of their own accord for {@code api}: the request as the
         * broker reads it, to the response. Without an answer, such a request fails.
         */
        @SuppressWarnings("unchecked")
        public <Q extends ApiMessage, R extends ApiMessage> Builder broker(KafkaApi<Q, R> api,
                                                                         Function<Q, R> answer) {
            Objects.requireNonNull(answer, "answer");
            broker.put(api.key(), request -> answer.apply((Q) request));
            return this;
        }

        public FilterHarness build() {
            return new FilterHarness(this, List.copyOf(filters), List.copyOf(owned));
        }
    }
}
