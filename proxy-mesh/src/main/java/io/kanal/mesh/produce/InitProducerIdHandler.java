package io.kanal.mesh.produce;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers InitProducerId with producer ids the mesh issues itself (idempotent producers, which stock Java producers
 * are by default): a new id with epoch 0 each time, whatever id and epoch the producer had, as a broker answers a
 * producer without a transactional id. Transactional producers are refused.
 */
final class InitProducerIdHandler implements MeshApiHandler<InitProducerIdRequestData, InitProducerIdResponseData> {

    private static final Logger log = LoggerFactory.getLogger(InitProducerIdHandler.class);

    private final ProducerIds producerIds;

    InitProducerIdHandler(ProducerIds producerIds) {
        this.producerIds = producerIds;
    }

    @Override
    public CompletionStage<InitProducerIdResponseData> handle(MeshSession session,
                                                              MeshRequest<InitProducerIdRequestData> request) {
        InitProducerIdRequestData body = request.body();
        if (body.transactionalId() != null) {
            log.warn("mesh: refused transactional producer '{}' from {}: {}", body.transactionalId(),
                    session.clientAddress(), TransactionsRefused.MESSAGE);
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                    .setProducerId(-1).setProducerEpoch((short) -1));
        }
        return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                .setErrorCode(Errors.NONE.code())
                .setProducerId(producerIds.issue())
                .setProducerEpoch((short) 0));
    }
}
