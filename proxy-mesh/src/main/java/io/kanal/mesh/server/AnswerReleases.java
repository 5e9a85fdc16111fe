package io.kanal.mesh.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * What a handler asked to release once the answer to one request has been written or never will be ({@link
 * io.kanal.mesh.api.MeshRequest#releaseAfterAnswer}). Added to from any thread and run once; what is added after that
 * runs at once.
 */
final class AnswerReleases {

    private static final Logger log = LoggerFactory.getLogger(AnswerReleases.class);

    private List<Runnable> pending = new ArrayList<>();

    void add(Runnable release) {
        synchronized (this) {
            if (pending != null) {
                pending.add(release);
                return;
            }
        }
        runOne(release);
    }

    /** Runs what was added, once. */
    void run() {
        List<Runnable> due;
        synchronized (this) {
            due = pending;
            pending = null;
        }
        if (due != null) {
            due.forEach(AnswerReleases::runOne);
        }
    }

    /** Whether nothing waits to be run. */
    synchronized boolean isEmpty() {
        return pending == null || pending.isEmpty();
    }

    private static void runOne(Runnable release) {
        try {
            release.run();
        } catch (RuntimeException e) {
            log.warn("mesh: releasing what an answer held failed", e);
        }
    }
}
