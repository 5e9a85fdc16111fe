package io.kanal.proxy.filter;

import io.kanal.proxy.protocol.RequestCodec;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The {@link RequestContext} one hook call gets. */
final class RequestContextImpl extends HookContext implements RequestContext<ApiMessage, ApiMessage> {

    private final RequestPass pass;

    RequestContextImpl(RequestPass pass) {
        super(pass.connection());
        this.pass = pass;
    }

    @Override
    public ApiKeys api() {
        return pass.request().api();
    }

    @Override
    public short apiVersion() {
        return pass.request().apiVersion();
    }

    @Override
    public RequestHeaderData header() {
        return pass.request().header();
    }

    @Override
    public boolean expectsResponse() {
        return pass.expectsResponse();
    }

    @Override
    public CompletionStage<RequestAction> pass() {
        return CompletableFuture.completedFuture(RequestAction.pass(null));
    }

    @Override
    public CompletionStage<RequestAction> forward(ApiMessage request) {
        return CompletableFuture.completedFuture(RequestAction.forward(Objects.requireNonNull(request), null));
    }

    @Override
    public CompletionStage<RequestAction> forward(ApiMessage request, ResponseHook<ApiMessage> onResponse) {
        return CompletableFuture.completedFuture(
                RequestAction.forward(Objects.requireNonNull(request), Objects.requireNonNull(onResponse)));
    }

    @Override
    public CompletionStage<RequestAction> respond(ApiMessage response) {
        return CompletableFuture.completedFuture(RequestAction.respond(Objects.requireNonNull(response)));
    }

    @Override
    public CompletionStage<RequestAction> respondWithError(Errors error, String message) {
        if (!pass.expectsResponse()) {
            // Kafka has no error response for a request nobody waits for (produce with acks=0).
            return CompletableFuture.completedFuture(RequestAction.drop());
        }
        ApiMessage response = RequestCodec.errorResponse(pass.request(), pass.body(), error, message).body();
        return CompletableFuture.completedFuture(RequestAction.respond(response));
    }

    @Override
    public CompletionStage<RequestAction> closeConnection() {
        return CompletableFuture.completedFuture(RequestAction.close());
    }
}
