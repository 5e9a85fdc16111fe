package io.kanal.proxy.filter;

import io.kanal.proxy.protocol.DecodedResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One response's way back through the filters, from the one nearest the broker to the one nearest the client. At
 * each filter the hook its request asked for runs first, then the filter's hook for the API.
 */
final class ResponsePass {

    private static final Logger log = LoggerFactory.getLogger(ResponsePass.class);

    private final FilterChain chain;
    private final FilteredConnection connection;
    private final DecodedResponse response;
    private final ResponseHook<?>[] interceptors;
    private final Consumer<ResponseOutcome> done;
    private ApiMessage body;
    private ApiMessage changed;
    /** Counts down two steps per filter: its request's interceptor, then its API hook. */
    private int step;

    ResponsePass(FilterChain chain, FilteredConnection connection, DecodedResponse response,
                 ResponseHook<?>[] interceptors, int lastFilter, Consumer<ResponseOutcome> done) {
        this.chain = chain;
        this.connection = connection;
        this.response = response;
        this.interceptors = interceptors;
        this.done = done;
        this.body = response.body();
        this.step = 2 * lastFilter + 1;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void next() {
        if (connection.isClosed()) {
            return;
        }
        while (step >= 0) {
            int filter = step / 2;
            boolean interceptorStep = step % 2 == 1;
            step--;
            ResponseHook hook = interceptorStep
                    ? (interceptors == null ? null : interceptors[filter])
                    : chain.responseHook(response.api(), filter);
            if (hook == null) {
                continue;
            }
            long start = System.nanoTime();
            CompletionStage<ResponseAction> stage = HookCall.invoke(
                    () -> hook.onResponse(new ResponseContextImpl(this), body));
            HookCall.await(connection, stage, chain.timeout, (action, failure) -> {
                chain.recordResponseHook(filter, System.nanoTime() - start, failure != null);
                if (failure != null) {
                    log.warn("{}: filter '{}' failed on a {} response to {}: {}", chain.virtualCluster,
                            chain.name(filter), response.api(), connection.info().clientAddress(), failure.toString());
                    done.accept(ResponseOutcome.close("filter '" + chain.name(filter) + "' failed on a "
                            + response.api() + " response"));
                } else {
                    act(filter, action);
                }
            });
            return;
        }
        done.accept(ResponseOutcome.of(changed));
    }

    private void act(int filter, ResponseAction action) {
        switch (action.kind()) {
            case PASS -> next();
            case FORWARD -> {
                body = action.response();
                changed = body;
                next();
            }
            case CLOSE -> done.accept(ResponseOutcome.close("filter '" + chain.name(filter) + "' closed the connection"));
        }
    }

    FilteredConnection connection() {
        return connection;
    }

    DecodedResponse response() {
        return response;
    }

    ApiMessage body() {
        return body;
    }
}
