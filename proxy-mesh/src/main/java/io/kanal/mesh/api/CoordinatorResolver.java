package io.kanal.mesh.api;

import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;

import java.util.concurrent.CompletionStage;

/**
 * Answers FindCoordinator for one coordinator type (GROUP, TRANSACTION, SHARE). The mesh answers FindCoordinator
 * itself, in every version: it splits the request into its keys and asks the resolver registered for the request's
 * key type about each ({@link MeshApis.Builder#coordinator}); a type without a resolver is answered INVALID_REQUEST.
 *
 * <p>Threading and failures as for {@link MeshApiHandler}: called on the session's event loop, must not block; a
 * failed stage answers that key COORDINATOR_NOT_AVAILABLE.
 */
@FunctionalInterface
public interface CoordinatorResolver {

    /**
     * @param session the client connection
     * @param key     the group id, transactional id or share group key
     * @return the coordinator: usually the mesh itself ({@link MeshContext#self()}), or an error code and message;
     *         the key field is filled in by the mesh
     */
    CompletionStage<Coordinator> resolve(MeshSession session, String key);
}
