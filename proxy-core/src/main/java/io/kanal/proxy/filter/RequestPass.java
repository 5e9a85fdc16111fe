package io.kanal.proxy.filter;

import io.kanal.proxy.protocol.DecodedRequest;
import io.kanal.proxy.protocol.DecodedResponse;
import io.kanal.proxy.protocol.RequestCodec;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** One request's way through the filters, one hook at a time. */
final class RequestPass {

    private static final Logger log = LoggerFactory.getLogger(RequestPass.class);

    private final FilterChain chain;
    private final FilteredConnection connection;
    private final DecodedRequest request;
    private final boolean expectsResponse;
    private final Consumer<RequestOutcome> done;
    private ApiMessage body;
    private ApiMessage changed;
    private ResponseHook<?>[] interceptors;
    private int filter;

    RequestPass(FilterChain chain, FilteredConnection connection, DecodedRequest request, boolean expectsResponse,
                Consumer<RequestOutcome> done) {
        this.chain = chain;
        this.connection = connection;
        this.request = request;
        this.expectsResponse = expectsResponse;
        this.done = done;
        this.body = request.body();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void next() {
        if (connection.isClosed()) {
            // The connection released the request's bytes, which the body may still point into.
            return;
        }
        while (filter < chain.size()) {
            RequestHook hook = chain.requestHook(request.api(), filter);
            if (hook == null) {
                filter++;
                continue;
            }
            int current = filter;
            long start = System.nanoTime();
            CompletionStage<RequestAction> stage = HookCall.invoke(
                    () -> hook.onRequest(new RequestContextImpl(this), body));
            HookCall.await(connection, stage, chain.timeout, (action, failure) -> {
                chain.recordRequestHook(current, System.nanoTime() - start, failure != null);
                if (failure != null) {
                    failed(current, failure);
                } else {
                    act(current, action);
                }
            });
            return;
        }
        done.accept(RequestOutcome.forward(changed, interceptors));
    }

    private void act(int current, RequestAction action) {
        switch (action.kind()) {
            case PASS -> {
                intercept(current, action.onResponse());
                filter++;
                next();
            }
            case FORWARD -> {
                body = action.message();
                changed = body;
                intercept(current, action.onResponse());
                filter++;
                next();
            }
            case RESPOND -> respond(current, action.message());
            case DROP -> done.accept(RequestOutcome.drop());
            case CLOSE -> done.accept(RequestOutcome.close("filter '" + chain.name(current) + "' closed the connection"));
        }
    }

    private void intercept(int current, ResponseHook<?> hook) {
        if (hook == null) {
            return;
        }
        if (interceptors == null) {
            interceptors = new ResponseHook<?>[chain.size()];
        }
        interceptors[current] = hook;
    }

    private void failed(int current, Throwable failure) {
        log.warn("{}: filter '{}' failed on {} v{} from {}: {}", chain.virtualCluster, chain.name(current),
                request.api(), request.apiVersion(), connection.info().clientAddress(), failure.toString());
        if (!expectsResponse) {
            done.accept(RequestOutcome.drop());
            return;
        }
        DecodedResponse error;
        try {
            error = RequestCodec.errorResponse(request, body, Errors.UNKNOWN_SERVER_ERROR,
                    "filter '" + chain.name(current) + "' failed: " + failure.getMessage());
        } catch (RuntimeException e) {
            done.accept(RequestOutcome.close("filter '" + chain.name(current) + "' failed, and its request has no"
                    + " error response: " + e));
            return;
        }
        respond(current, error);
    }

    private void respond(int current, ApiMessage response) {
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(request.header().correlationId());
        respond(current, new DecodedResponse(request.api(), header,
                request.api().responseHeaderVersion(request.apiVersion()), response, request.apiVersion()));
    }

    /** Answers the client; the answer passes the response hooks of the filters before {@code current}. */
    private void respond(int current, DecodedResponse response) {
        if (!expectsResponse) {
            done.accept(RequestOutcome.drop());
            return;
        }
        new ResponsePass(chain, connection, response, interceptors, current - 1, outcome -> {
            switch (outcome.kind()) {
                case CLOSE -> done.accept(RequestOutcome.close(outcome.reason()));
                case CHANGED -> done.accept(RequestOutcome.respond(response.withBody(outcome.response())));
                case ORIGINAL -> done.accept(RequestOutcome.respond(response));
            }
        }).next();
    }

    FilteredConnection connection() {
        return connection;
    }

    DecodedRequest request() {
        return request;
    }

    ApiMessage body() {
        return body;
    }

    boolean expectsResponse() {
        return expectsResponse;
    }
}
