package io.kanal.filter.testkit;

import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterChain;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.ResponseHook;
import io.kanal.proxy.protocol.ApiVersionsClamp;
import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.RequestFrame;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs filters the way Kanal runs them on a client connection, without a network or a broker: a request or response
 * given to the harness is encoded in its API version, decoded by the proxy's own codec, passed through the filters by
 * the proxy's own filter engine on an event-loop thread of its own, and what comes out is decoded again as the broker
 * or the client would read it. So a test sees what the other side of the wire gets: a request a filter changed in
 * place but then passed on unchanged reaches the broker as it arrived; a field the API version has no room for closes
 * the connection as it does in the proxy; a request hook that throws or overruns the hook timeout answers the client
 * with the API's own error response, and a response hook that does closes the connection.
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
 * <p>A harness is one client connection. Its requests and responses are handled one at a time, each to its end, in
 * the order the test gives them; once a result says the connection closed, the harness refuses further traffic.
 * Before response hooks run, the harness trims an ApiVersions response to what the proxy supports, as the proxy
 * does; unlike the proxy, it does not rewrite broker addresses in responses (Metadata, FindCoordinator, ...), so
 * filters see them as the test wrote them. Closing the harness stops its connection, then closes the filters its
 * builder made from factories; filters handed to it ready-made belong to the test.
 */
public final class FilterHarness implements AutoCloseable {

    /** How much longer than its hooks may take the harness waits for one pass before it reports the engine stuck. */
    private static final Duration ENGINE_SLACK = Duration.ofSeconds(5);

    private final FilterChain chain;
    private final HarnessConnection connection;
    private final MeterRegistry meterRegistry;
    /** The longest one pass may take: a request hook of each filter, then a response hook of each. */
    private final Duration passLimit;
    private final List<NamedFilter> owned;
    private final Map<ApiKeys, Function<ApiMessage, CompletionStage<ApiMessage>>> broker;
    private int nextCorrelationId = 1;
    private boolean closed;

    private FilterHarness(Builder builder, List<NamedFilter> filters, List<NamedFilter> owned) {
        this.meterRegistry = builder.meterRegistry;
        this.owned = owned;
        this.broker = new EnumMap<>(builder.broker);
        this.passLimit = builder.hookTimeout.multipliedBy(2L * filters.size() + 1).plus(ENGINE_SLACK);
        this.connection = new HarnessConnection(new HarnessConnectionInfo(builder.virtualCluster,
                builder.clientAddress, builder.clientId, builder.principal, builder.tlsSession),
                this::answerOutOfBand);
        this.chain = new FilterChain(builder.virtualCluster, filters, meterRegistry, builder.hookTimeout);
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
     * @throws IllegalStateException    when the connection has closed
     */
    public <Q extends ApiMessage, R extends ApiMessage> RequestResult<Q, R> request(KafkaApi<Q, R> api, short version,
                                                                                 Q request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        RequestFrame frame = Wire.clientRequest(api.key(), version, nextCorrelationId++, connection.info().clientId(),
                request);
        DecodedRequest decoded = Wire.readRequest(frame);
        return onLoop(done -> chain.onRequest(connection, decoded, frame.expectsResponse(), outcome -> {
            RequestResult<Q, R> result = RequestResult.of(this, api, frame, decoded, outcome);
            if (result.kind() == RequestResult.Kind.CLOSED) {
                connection.close(result.closeReason());
            }
            done.accept(result);
        }));
    }

    /**
     * Sends a response from the broker through the response hooks that filters registered for its API, as for a
     * request that passed the filters without asking for a hook of its own. To answer a request the harness
     * forwarded, use {@link RequestResult#brokerResponds}, which also runs the hooks attached to that request.
     *
     * @param version the API version of the request it answers
     * @throws IllegalArgumentException when {@code response} cannot be written in {@code version}
     * @throws IllegalStateException    when the connection has closed
     */
    public <R extends ApiMessage> ResponseResult<R> response(KafkaApi<?, R> api, short version, R response) {
        return respond(api, version, nextCorrelationId++, null, response);
    }

    <R extends ApiMessage> ResponseResult<R> respond(KafkaApi<?, R> api, short version, int correlationId,
                                                     ResponseHook<?>[] interceptors, R response) {
        Objects.requireNonNull(response, "response");
        requireOpen();
        ByteBuf arrived = Wire.brokerResponse(api.key(), version, correlationId, response);
        DecodedResponse decoded = Wire.readResponse(api.key(), version, arrived);
        boolean clamped = api.key() == ApiKeys.API_VERSIONS
                && ApiVersionsClamp.clamp((ApiVersionsResponseData) decoded.body());
        return onLoop(done -> chain.onResponse(connection, decoded, interceptors, outcome -> {
            ResponseResult<R> result = ResponseResult.of(api.responseType(), arrived, decoded, clamped, outcome);
            if (result.kind() == ResponseResult.Kind.CLOSED) {
                connection.close(result.closeReason());
            }
            done.accept(result);
        }));
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

    /**
     * Stops the connection, then closes the filters the builder made from factories, the last made first. Each is
     * closed once, even when another one's {@code close} throws; the first failure is thrown at the end with the
     * others suppressed.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeFilters(owned);
    }

    private static void closeFilters(List<NamedFilter> filters) {
        RuntimeException failure = null;
        for (int i = filters.size() - 1; i >= 0; i--) {
            try {
                filters.get(i).filter().close();
            } catch (RuntimeException e) {
                RuntimeException named = new IllegalStateException("filter '" + filters.get(i).name()
                        + "' failed to close", e);
                if (failure == null) {
                    failure = named;
                } else {
                    failure.addSuppressed(named);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the harness is closed");
        }
        String reason = connection.closeReason();
        if (reason != null) {
            throw new IllegalStateException("the connection closed: " + reason);
        }
    }

    private CompletionStage<ApiMessage> answerOutOfBand(OutOfBandRequest sent) {
        Function<ApiMessage, CompletionStage<ApiMessage>> answer = broker.get(sent.api());
        if (answer == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the harness's broker has no answer for "
                    + sent.api() + "; give one with FilterHarness.Builder.broker"));
        }
        CompletionStage<ApiMessage> response = answer.apply(sent.request());
        if (response == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the harness's broker answered "
                    + sent.api() + " with no stage"));
        }
        // What the filter gets is the answer as the proxy reads it from the broker's bytes.
        return response.thenApply(body -> {
            if (body == null) {
                throw new IllegalStateException("the harness's broker answered " + sent.api() + " with null");
            }
            return Wire.readResponse(sent.api(), sent.version(),
                    Wire.brokerResponse(sent.api(), sent.version(), 0, body)).body();
        });
    }

    /** Starts work on the event loop and waits for the engine to call back. */
    private <T> T onLoop(Consumer<Consumer<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            connection.executor().execute(() -> {
                try {
                    work.accept(result::complete);
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the harness is closed", e);
        }
        try {
            return result.get(passLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the filters ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the filter engine failed", e.getCause());
        } catch (TimeoutException e) {
            String reason = "the filter engine gave no outcome within " + passLimit.toMillis() + " ms";
            connection.executor().execute(() -> connection.close(reason));
            throw new IllegalStateException(reason);
        }
    }

    /**
     * Configures a {@link FilterHarness}. Without settings the connection belongs to virtual cluster {@code test},
     * client id {@code test-client}, address 127.0.0.1:50000, no principal, no TLS, and hooks have the proxy's
     * default {@code network.filterTimeout}.
     */
    public static final class Builder {

        /**
         * A filter of the chain: ready-made, or made by its factory when the harness is built.
         *
         * @param made whether the harness makes, and so owns, the filter
         */
        private record Entry(String name, Function<MeterRegistry, Filter> filter, boolean made) {
        }

        private final List<Entry> filters = new ArrayList<>();
        private final Map<ApiKeys, Function<ApiMessage, CompletionStage<ApiMessage>>> broker =
                new EnumMap<>(ApiKeys.class);
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private String virtualCluster = "test";
        private String clientId = "test-client";
        private InetSocketAddress clientAddress = new InetSocketAddress("127.0.0.1", 50000);
        private Optional<String> principal = Optional.empty();
        private Optional<SSLSession> tlsSession = Optional.empty();
        private Duration hookTimeout = ProxyConfig.DEFAULT_FILTER_TIMEOUT;

        private Builder() {
        }

        /** Adds a ready-made filter to the end of the chain; the test closes it. */
        public Builder filter(String name, Filter filter) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(filter, "filter");
            filters.add(new Entry(name, registry -> filter, false));
            return this;
        }

        /**
         * Adds a filter to the end of the chain, made by its factory when the harness is built, as Kanal makes it at
         * start-up; the harness closes it.
         *
         * @param config the bound configuration; {@code null} for a factory whose configuration type is
         *               {@link Void}
         */
        public <C> Builder filter(String name, FilterFactory<C> factory, C config) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(factory, "factory");
            filters.add(new Entry(name, registry -> {
                Filter filter = factory.create(config, FilterFactoryContext.of(name, registry));
                if (filter == null) {
                    throw new IllegalStateException(factory.getClass().getName() + " made no filter");
                }
                return filter;
            }, true));
            return this;
        }

        /** The registry for factories and the engine; a {@code SimpleMeterRegistry} unless set. */
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

        /** The TLS session of a client that connected with TLS, for filters that read its certificates. */
        public Builder tlsSession(SSLSession session) {
            this.tlsSession = Optional.of(session);
            return this;
        }

        /**
         * How long a hook's stage may take before the engine fails it: the proxy's {@code network.filterTimeout}.
         */
        public Builder hookTimeout(Duration timeout) {
            this.hookTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How the broker answers the requests filters send of their own accord for {@code api}: the request as the
         * broker reads it, to the response. Without an answer, such a request fails; an answer that throws fails it
         * with that exception.
         */
        public <Q extends ApiMessage, R extends ApiMessage> Builder broker(KafkaApi<Q, R> api,
                                                                         Function<Q, R> answer) {
            Objects.requireNonNull(answer, "answer");
            return brokerAsync(api, request -> CompletableFuture.completedFuture(answer.apply(request)));
        }

        /**
         * Like {@link #broker}, for an answer that comes later or fails: the filter's request completes when the
         * stage does, on the connection's event loop.
         */
        @SuppressWarnings("unchecked")
        public <Q extends ApiMessage, R extends ApiMessage> Builder brokerAsync(
                KafkaApi<Q, R> api, Function<Q, ? extends CompletionStage<R>> answer) {
            Objects.requireNonNull(answer, "answer");
            broker.put(api.key(), request -> (CompletionStage<ApiMessage>) answer.apply((Q) request));
            return this;
        }

        /**
         * Makes the filters that factories make, in chain order, and the harness.
         *
         * @throws IllegalArgumentException as a factory throws it for an unusable configuration; the filters made
         *                                  before it are closed
         */
        public FilterHarness build() {
            List<NamedFilter> chain = new ArrayList<>();
            List<NamedFilter> owned = new ArrayList<>();
            try {
                for (Entry entry : filters) {
                    NamedFilter filter = new NamedFilter(entry.name(), entry.filter().apply(meterRegistry));
                    chain.add(filter);
                    if (entry.made()) {
                        owned.add(filter);
                    }
                }
            } catch (RuntimeException e) {
                try {
                    closeFilters(owned);
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            return new FilterHarness(this, List.copyOf(chain), List.copyOf(owned));
        }
    }
}
