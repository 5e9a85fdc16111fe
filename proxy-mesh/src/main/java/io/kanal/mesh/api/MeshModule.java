package io.kanal.mesh.api;

/**
 * A part of the mesh that answers some Kafka APIs: produce, metadata, consume. The mesh calls {@link #register} once
 * when it starts, after its listener is bound and before it accepts a connection.
 */
public interface MeshModule {

    /**
     * Registers this module's handlers and coordinator resolvers with {@code apis}, making what they share (producers,
     * caches) from {@code context}. What the module opens is closed through {@link MeshContext#closeOnShutdown}.
     *
     * @throws RuntimeException when the module cannot start; the mesh then does not start, and the message says why
     */
    void register(MeshApis.Builder apis, MeshContext context);
}
