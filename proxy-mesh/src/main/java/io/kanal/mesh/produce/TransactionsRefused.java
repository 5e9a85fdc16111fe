package io.kanal.mesh.produce;

import io.kanal.mesh.api.CoordinatorResolver;
import io.kanal.mesh.api.MeshSession;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Refuses transaction coordinators. A transaction's records would be split over producers the mesh shares between
 * clients, so its atomicity could not hold. TRANSACTIONAL_ID_AUTHORIZATION_FAILED is an error the Java producer treats
 * as fatal at once: {@code initTransactions()} throws instead of retrying.
 */
final class TransactionsRefused implements CoordinatorResolver {

    static final String MESSAGE = "the Kanal mesh does not support transactions; connect transactional producers to "
            + "their cluster directly";

    private static final Logger log = LoggerFactory.getLogger(TransactionsRefused.class);

    @Override
    public CompletionStage<Coordinator> resolve(MeshSession session, String transactionalId) {
        log.warn("mesh: refused transactional producer '{}' from {}: {}", transactionalId, session.clientAddress(),
                MESSAGE);
        return CompletableFuture.completedFuture(new Coordinator()
                .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                .setErrorMessage(MESSAGE)
                .setNodeId(-1).setHost("").setPort(-1));
    }
}
