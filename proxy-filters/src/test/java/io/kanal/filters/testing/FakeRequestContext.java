package io.kanal.filters.testing;

import io.kanal.proxy.filter.ConnectionInfo;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.RequestAction;
import io.kanal.proxy.filter.RequestContext;
import io.kanal.proxy.filter.ResponseHook;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A {@link RequestContext} that records the action a hook takes instead of acting. Every action returns a fresh,
 * completed stage (its value is {@code null}: {@link RequestAction}s are made only by the engine), which
 * {@link #stage()} keeps so a test can check the hook returned it. Out-of-band requests are answered by the handlers
 * given to {@link #answering}, and recorded.
 */
public final class FakeRequestContext<Q extends ApiMessage, R extends ApiMessage> implements RequestContext<Q, R> {

    /** The actions a request hook can take. */
    public enum Action { PASS, FORWARD, RESPOND, RESPOND_WITH_ERROR, CLOSE }

    /** An out-of-band request a hook sent. */
    public record Sent(ApiKeys api, short version, ApiMessage request) {
    }

    private final KafkaApi<Q, R> api;
    private final short version;
    private final ConnectionInfo connection;
    private final boolean expectsResponse;
    private final Map<ApiKeys, Function<ApiMessage, CompletionStage<? extends ApiMessage>>> handlers = new HashMap<>();
    private final List<Sent> sent = new ArrayList<>();
    private final List<Action> actions = new ArrayList<>();

    private Q forwarded;
    private ResponseHook<R> onResponse;
    private R response;
    private Errors error;
    private String errorMessage;
    private CompletableFuture<RequestAction> stage;

    public FakeRequestContext(KafkaApi<Q, R> api, short version, ConnectionInfo connection, boolean expectsResponse) {
        this.api = api;
        this.version = version;
        this.connection = connection;
        this.expectsResponse = expectsResponse;
    }

    /** Answers out-of-band requests of {@code api} with {@code handler}'s stage. */
    @SuppressWarnings("unchecked")
    public <A extends ApiMessage, B extends ApiMessage> FakeRequestContext<Q, R> answering(
            KafkaApi<A, B> oobApi, Function<A, CompletionStage<B>> handler) {
        handlers.put(oobApi.key(), request -> handler.apply((A) request));
        return this;
    }

    // ---- what the hook did

    /** The one action the hook took; fails when it took none or several. */
    public Action action() {
        if (actions.size() != 1) {
            throw new AssertionError("expected exactly one action, got " + actions);
        }
        return actions.get(0);
    }

    public List<Action> actions() {
        return actions;
    }

    /** The stage the last action returned. */
    public CompletableFuture<RequestAction> stage() {
        return stage;
    }

    public Q forwarded() {
        return forwarded;
    }

    public ResponseHook<R> onResponse() {
        return onResponse;
    }

    public R response() {
        return response;
    }

    public Errors error() {
        return error;
    }

    public String errorMessage() {
        return errorMessage;
    }

    public List<Sent> sent() {
        return sent;
    }

    // ---- RequestContext

    @Override
    public ConnectionInfo connection() {
        return connection;
    }

    @Override
    public ApiKeys api() {
        return api.key();
    }

    @Override
    public short apiVersion() {
        return version;
    }

    @Override
    public RequestHeaderData header() {
        return new RequestHeaderData()
                .setRequestApiKey(api.key().id)
                .setRequestApiVersion(version)
                .setCorrelationId(7)
                .setClientId(connection.clientId());
    }

    @Override
    public boolean expectsResponse() {
        return expectsResponse;
    }

    @Override
    public CompletionStage<RequestAction> pass() {
        return act(Action.PASS);
    }

    @Override
    public CompletionStage<RequestAction> forward(Q request) {
        this.forwarded = request;
        return act(Action.FORWARD);
    }

    @Override
    public CompletionStage<RequestAction> forward(Q request, ResponseHook<R> hook) {
        this.forwarded = request;
        this.onResponse = hook;
        return act(Action.FORWARD);
    }

    @Override
    public CompletionStage<RequestAction> respond(R answer) {
        this.response = answer;
        return act(Action.RESPOND);
    }

    @Override
    public CompletionStage<RequestAction> respondWithError(Errors err, String message) {
        this.error = err;
        this.errorMessage = message;
        return act(Action.RESPOND_WITH_ERROR);
    }

    @Override
    public CompletionStage<RequestAction> closeConnection() {
        return act(Action.CLOSE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends ApiMessage, B extends ApiMessage> CompletionStage<B> sendRequest(KafkaApi<A, B> oobApi,
                                                                                   short oobVersion, A request) {
        sent.add(new Sent(oobApi.key(), oobVersion, request));
        Function<ApiMessage, CompletionStage<? extends ApiMessage>> handler = handlers.get(oobApi.key());
        if (handler == null) {
            return CompletableFuture.failedFuture(new AssertionError("unexpected out-of-band " + oobApi));
        }
        return (CompletionStage<B>) handler.apply(request);
    }

    private CompletionStage<RequestAction> act(Action action) {
        actions.add(action);
        stage = CompletableFuture.completedFuture(null);
        return stage;
    }
}
