package io.kanal.proxy.filter;

import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The {@link ResponseContext} one hook call gets. */
final class ResponseContextImpl extends HookContext implements ResponseContext<ApiMessage> {

    private final ResponsePass pass;

    ResponseContextImpl(ResponsePass pass) {
        super(pass.connection());
        this.pass = pass;
    }

    @Override
    public ApiKeys api() {
        return pass.response().api();
    }

    @Override
    public short apiVersion() {
        return pass.response().bodyVersion();
    }

    @Override
    public ResponseHeaderData header() {
        return pass.response().header();
    }

    @Override
    public Map<Errors, Integer> errorCounts() {
        return pass.response().errorCounts(pass.body());
    }

    @Override
    public CompletionStage<ResponseAction> pass() {
        return CompletableFuture.completedFuture(ResponseAction.pass());
    }

    @Override
    public CompletionStage<ResponseAction> forward(ApiMessage response) {
        return CompletableFuture.completedFuture(ResponseAction.forward(Objects.requireNonNull(response)));
    }

    @Override
    public CompletionStage<ResponseAction> closeConnection() {
        return CompletableFuture.completedFuture(ResponseAction.close());
    }
}
