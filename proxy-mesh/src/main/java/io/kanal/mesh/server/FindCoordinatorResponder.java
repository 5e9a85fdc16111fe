package io.kanal.mesh.server;

import io.kanal.mesh.api.CoordinatorResolver;
import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.async.AllOf;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers FindCoordinator, in every version, key by key: each key is asked of the {@link CoordinatorResolver}
 * registered for the request's key type. Versions 0-3 carry one key and answer in the response's top-level fields;
 * versions 4 and later carry several and answer in a list.
 */
final class FindCoordinatorResponder {

    private static final Logger log = LoggerFactory.getLogger(FindCoordinatorResponder.class);
    /** The first version whose response has an error message. */
    private static final short ERROR_MESSAGE_VERSION = 1;
    /** The first version that batches keys. */
    private static final short BATCHED_VERSION = 4;

    private final MeshApis apis;

    FindCoordinatorResponder(MeshApis apis) {
        this.apis = apis;
    }

    CompletionStage<FindCoordinatorResponseData> answer(MeshSession session, short version,
                                                        FindCoordinatorRequestData request) {
        List<String> keys = version >= BATCHED_VERSION ? request.coordinatorKeys() : List.of(request.key());
        Optional<CoordinatorType> type = keyType(request.keyType());
        List<CompletableFuture<Coordinator>> answers = new ArrayList<>(keys.size());
        for (String key : keys) {
            answers.add(resolve(session, type, request.keyType(), key).toCompletableFuture()
                    .handle((coordinator, failure) -> {
                        if (failure != null) {
                            log.warn("mesh: finding the {} coordinator of '{}' failed: {}", type, key,
                                    failure.toString());
                            return error(Errors.COORDINATOR_NOT_AVAILABLE, failure.getMessage());
                        }
                        return coordinator;
                    })
                    .thenApply(coordinator -> coordinator.setKey(key)));
        }
        return AllOf.list(answers).thenApply(coordinators -> response(version, coordinators));
    }

    private CompletionStage<Coordinator> resolve(MeshSession session, Optional<CoordinatorType> type,
                                                 byte keyType, String key) {
        if (type.isEmpty()) {
            return CompletableFuture.completedFuture(error(Errors.INVALID_REQUEST, "unknown key type " + keyType));
        }
        Optional<CoordinatorResolver> resolver = apis.coordinator(type.get());
        if (resolver.isEmpty()) {
            return CompletableFuture.completedFuture(error(Errors.INVALID_REQUEST, "the Kanal mesh serves no "
                    + type.get().name().toLowerCase(Locale.ROOT) + " coordinators"));
        }
        CompletionStage<Coordinator> answer = resolver.get().resolve(session, key);
        return answer != null ? answer : CompletableFuture.failedFuture(
                new IllegalStateException("the " + type.get() + " resolver returned no stage"));
    }

    private static Optional<CoordinatorType> keyType(byte id) {
        try {
            return Optional.of(CoordinatorType.forId(id));
        } catch (RuntimeException unknown) {
            return Optional.empty();
        }
    }

    /** A coordinator answer carrying {@code error}. */
    static Coordinator error(Errors error, String message) {
        return new Coordinator().setErrorCode(error.code()).setErrorMessage(message).setNodeId(-1).setHost("")
                .setPort(-1);
    }

    private static FindCoordinatorResponseData response(short version, List<Coordinator> coordinators) {
        if (version >= BATCHED_VERSION) {
            return new FindCoordinatorResponseData().setCoordinators(coordinators);
        }
        Coordinator only = coordinators.get(0);
        FindCoordinatorResponseData response = new FindCoordinatorResponseData()
                .setErrorCode(only.errorCode())
                .setNodeId(only.nodeId())
                .setHost(only.host())
                .setPort(only.port());
        if (version >= ERROR_MESSAGE_VERSION) {
            response.setErrorMessage(only.errorMessage());
        }
        return response;
    }
}
