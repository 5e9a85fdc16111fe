package io.kanal.mesh.api;

import io.kanal.mesh.cluster.UpstreamClusters;
import io.kanal.mesh.config.MeshConfig;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ScheduledExecutorService;

/** What a {@link MeshModule} is given to build its handlers from. */
public interface MeshContext {

    /** The mesh's configuration. */
    MeshConfig config();

    /** The broker the mesh claims to be, with the port it really advertises. */
    MeshNode self();

    /** The clusters behind the mesh, each with its metadata, and which topic lives in which. */
    UpstreamClusters clusters();

    /**
     * A scheduler for timers and short tasks that are not tied to one connection (retries, periodic refreshes). Its
     * threads are few and shared: never block them.
     */
    ScheduledExecutorService scheduler();

    /** Where the mesh's metrics are recorded. */
    MeterRegistry meterRegistry();

    /**
     * Runs {@code step} when the mesh shuts down, after its connections have drained or been closed: the place to
     * flush and close producers and upstream connections. Steps run in the reverse order of registration; one that
     * fails is logged and does not stop the others.
     *
     * @param what names the resource in logs
     */
    void closeOnShutdown(String what, ShutdownStep step);
}
