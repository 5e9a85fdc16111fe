package io.kanal.filters.testing;

import io.kanal.proxy.filter.ConnectionInfo;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.ResponseAction;
import io.kanal.proxy.filter.ResponseContext;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link ResponseContext} that records the action a hook takes instead of acting. Its error counts are the ones
 * kafka-clients computes for the response as it arrived (taken when the context is made). Out-of-band requests fail.
 */
public final class FakeResponseContext<R extends ApiMessage> implements ResponseContext<R> {

    /** The actions a response hook can take. */
    public enum Action { PASS, FORWARD, CLOSE }

    private final ApiKeys api;
    private final short version;
    private final ConnectionInfo connection;
    private final Map<Errors, Integer> errorCounts;
    private final List<Action> actions = new ArrayList<>();
    private R forwarded;
    private CompletableFuture<ResponseAction> stage;

    public FakeResponseContext(ApiKeys api, short version, ConnectionInfo connection, R arrived) {
        this.api = api;
        this.version = version;
        this.connection = connection;
        this.errorCounts = Map.copyOf(Wire.errorCounts(arrived, version));
    }

    public FakeResponseContext(KafkaApi<?, R> api, short version, ConnectionInfo connection, R arrived) {
        this(api.key(), version, connection, arrived);
    }

    /** The one action the hook took; fails when it took none or several. */
    public Action action() {
        if (actions.size() != 1) {
            throw new AssertionError("expected exactly one action, got " + actions);
        }
        return actions.get(0);
    }

    public R forwarded() {
        return forwarded;
    }

    public CompletableFuture<ResponseAction> stage() {
        return stage;
    }

    @Override
    public ConnectionInfo connection() {
        return connection;
    }

    @Override
    public ApiKeys api() {
        return api;
    }

    @Override
    public short apiVersion() {
        return version;
    }

    @Override
    public ResponseHeaderData header() {
        return new ResponseHeaderData().setCorrelationId(7);
    }

    @Override
    public Map<Errors, Integer> errorCounts() {
        return errorCounts;
    }

    @Override
    public CompletionStage<ResponseAction> pass() {
        return act(Action.PASS);
    }

    @Override
    public CompletionStage<ResponseAction> forward(R response) {
        forwarded = response;
        return act(Action.FORWARD);
    }

    @Override
    public CompletionStage<ResponseAction> closeConnection() {
        return act(Action.CLOSE);
    }

    @Override
    public <A extends ApiMessage, B extends ApiMessage> CompletionStage<B> sendRequest(KafkaApi<A, B> oobApi,
                                                                                   short oobVersion, A request) {
        return CompletableFuture.failedFuture(new AssertionError("unexpected out-of-band " + oobApi));
    }

    private CompletionStage<ResponseAction> act(Action action) {
        actions.add(action);
        stage = CompletableFuture.completedFuture(null);
        return stage;
    }
}
