package io.kanal.mesh.consume.group;

import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.consume.ErrorResponses;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Forwards a whole group request to its group's coordinator, answering with the API's error when it cannot. */
final class GroupRequests {

    private final GroupForwarder forwarder;

    GroupRequests(GroupForwarder forwarder) {
        this.forwarder = forwarder;
    }

    /** Forwards {@code request} as it is to the coordinator of {@code group} in {@code cluster}. */
    @SuppressWarnings("unchecked")
    <Q extends ApiMessage, R extends ApiMessage> CompletionStage<R> forward(UpstreamPool pool, String cluster,
                                                                           String group, MeshRequest<Q> request,
                                                                           Duration timeout) {
        return forwarder.<R>forward(pool, cluster, group, request.api(), request.apiVersion(),
                        version -> request.body(), timeout)
                .exceptionally(failure -> error(request, GroupRouteException.errorOf(failure),
                        GroupRouteException.messageOf(failure)));
    }

    /** {@code request}'s API's own answer carrying {@code error}. */
    @SuppressWarnings("unchecked")
    static <R extends ApiMessage> R error(MeshRequest<?> request, Errors error, String message) {
        return (R) ErrorResponses.of(request.api(), request.apiVersion(), request.body(), error, message);
    }
}
