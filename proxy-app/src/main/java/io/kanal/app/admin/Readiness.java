package io.kanal.app.admin;

import java.util.List;
import java.util.function.Supplier;

/**
 * Whether Kanal is ready for clients, as {@code /readyz} reports it: ready once every virtual cluster's listeners are
 * bound and every target cluster has answered at least once, and no longer ready once shutdown begins.
 */
public final class Readiness {

    private volatile boolean listening;
    private volatile boolean stopping;
    private volatile Supplier<List<String>> waitingTargets = List::of;

    /**
     * Every virtual cluster's listeners are bound.
     *
     * @param waitingTargets the target clusters that have not answered yet, one line each; see
     *                       {@link TargetProbes#waitingFor()}
     */
    public void listening(Supplier<List<String>> waitingTargets) {
        this.waitingTargets = waitingTargets;
        this.listening = true;
    }

    /** Shutdown has begun: from now on the proxy reports not ready, so load balancers stop sending clients. */
    public void stopping() {
        stopping = true;
    }

    /** Why Kanal is not ready, one line per reason; empty when it is ready. */
    public List<String> notReadyBecause() {
        if (stopping) {
            return List.of("shutting down");
        }
        if (!listening) {
            return List.of("the virtual clusters' listeners are not bound yet");
        }
        return waitingTargets.get().stream().map(target -> target + " has not answered yet").toList();
    }
}
