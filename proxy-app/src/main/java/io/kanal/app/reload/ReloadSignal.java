package io.kanal.app.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP, the signal daemons reload their configuration on. Uses {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}), which every common JDK has; where it is missing, or the platform has no SIGHUP, there is
 * no signal to reload on, and a warning says so.
 *
 * <p>Handling SIGHUP replaces the JVM's own handling, which would shut the process down: with a configuration file,
 * Kanal keeps running when the terminal it started from goes away, like other daemons.
 */
public final class ReloadSignal {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    /** Runs {@code action} on a JVM signal thread at every SIGHUP; returns whether that could be arranged. */
    public static boolean onHangUp(Runnable action) {
        try {
            Class.forName("sun.misc.Signal");
            Hup.install(action);
            return true;
        } catch (ClassNotFoundException | LinkageError | IllegalArgumentException | IllegalStateException
                 | UnsupportedOperationException e) {
            LOG.warn("Cannot handle SIGHUP ({}); the configuration reloads only when its file changes", e.toString());
            return false;
        }
    }

    /** Only loaded once {@code sun.misc.Signal} is known to exist. */
    private static final class Hup {
        static void install(Runnable action) {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
        }
    }
}
