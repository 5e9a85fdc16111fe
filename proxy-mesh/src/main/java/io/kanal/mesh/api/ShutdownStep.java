package io.kanal.mesh.api;

import java.time.Duration;

/** Closes something a module opened; see {@link MeshContext#closeOnShutdown}. */
@FunctionalInterface
public interface ShutdownStep {

    /**
     * @param timeout how long closing may take: what is left of the shutdown grace period once the connections have
     *                drained; never negative
     */
    void close(Duration timeout) throws Exception;
}
