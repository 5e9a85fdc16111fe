package io.kanal.mesh.consume;

import java.time.Duration;

/** How long the consume path waits for upstream answers. */
public final class UpstreamTimeouts {

    /**
     * How long an upstream request may take unless its API says otherwise: below the 30 s request timeout of Java
     * clients and librdkafka, so that the mesh's answer (a retriable error) reaches the client before it gives up.
     */
    public static final Duration DEFAULT = Duration.ofSeconds(25);
    /** How much longer than a time the request itself names (a rebalance timeout, say) the mesh waits. */
    public static final Duration ALLOWANCE = Duration.ofSeconds(3);

    private UpstreamTimeouts() {
    }

    /** The timeout of a request that tells the broker to take up to {@code requestMs}: at least {@link #DEFAULT}. */
    public static Duration covering(long requestMs) {
        Duration named = Duration.ofMillis(Math.max(0, requestMs)).plus(ALLOWANCE);
        return named.compareTo(DEFAULT) > 0 ? named : DEFAULT;
    }
}
