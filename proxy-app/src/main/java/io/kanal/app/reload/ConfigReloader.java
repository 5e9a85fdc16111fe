package io.kanal.app.reload;

import io.kanal.app.admin.AdminPlane;
import io.kanal.app.admin.EffectiveConfig;
import io.kanal.app.config.ConfigException;
import io.kanal.app.config.ConfigLoader;
import io.kanal.app.config.KanalConfig;
import io.kanal.proxy.server.ProxyServer;
import io.kanal.proxy.server.ReloadResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reloads the configuration file into the running proxy, on request (SIGHUP) and, when {@code reload.watch} is on,
 * whenever the file's content changes.
 *
 * <p>A reload loads and validates the whole file and makes the filters whose definitions are new or changed (keeping
 * the running instances of the others), then hands the result to {@link ProxyServer#reconfigure}, which binds the new
 * listeners before it retires old ones and rolls back when a bind fails. Anything that goes wrong before the proxy
 * has taken the new configuration leaves everything as it was, with one ERROR line naming the problem. A reload that
 * took effect logs one INFO line saying which virtual clusters were added, removed, changed and left unchanged; the
 * filters the new configuration no longer uses are closed once the connections that used them have closed.
 *
 * <p>Reloads run one at a time on a thread of their own; requests that arrive while one runs are coalesced into one
 * more.
 */
public final class ConfigReloader implements AutoCloseable {

    /** How long the file must stay unchanged before a change is reloaded, so that a save in several writes is one. */
    public static final Duration WATCH_DEBOUNCE = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);
    private static final String RELOADS_METER = "kanal.config.reloads";
    private static final String FILE_CHANGE = "file change";

    private final Path file;
    private final ConfigLoader loader;
    private final ProxyServer server;
    private final AdminPlane admin;
    private final Counter successes;
    private final Counter failures;
    private final ExecutorService executor;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final AtomicBoolean queuedForced = new AtomicBoolean();
    private KanalConfig running;
    /** A digest of the file's content as last loaded or tried, so that a watched change that changed nothing is not. */
    private byte[] lastContent;
    private ConfigFileWatcher watcher;
    private volatile boolean closed;

    /**
     * @param file          the configuration file {@code running} was loaded from
     * @param loadedContent the {@link #digest} of the file taken before {@code running} was loaded from it
     * @param loader        the loader that loaded {@code running}, which owns the filters
     * @param running       the configuration the proxy runs now
     * @param admin         where {@code /config} and readiness learn of a new configuration, and the registry
     *                      {@code kanal_config_reloads_total} counts in
     */
    public ConfigReloader(Path file, byte[] loadedContent, ConfigLoader loader, KanalConfig running,
                          ProxyServer server, AdminPlane admin) {
        this.file = Objects.requireNonNull(file, "file");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.running = Objects.requireNonNull(running, "running");
        this.server = Objects.requireNonNull(server, "server");
        this.admin = Objects.requireNonNull(admin, "admin");
        MeterRegistry registry = admin.meterRegistry();
        this.successes = Counter.builder(RELOADS_METER).description("Configuration reloads, by result")
                .tag("result", "success").register(registry);
        this.failures = Counter.builder(RELOADS_METER).description("Configuration reloads, by result")
                .tag("result", "failure").register(registry);
        this.lastContent = loadedContent;
        ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread reloads = new Thread(runnable, "kanal-reload");
                    reloads.setDaemon(true);
                    return reloads;
                });
        this.executor = thread;
    }

    /**
     * Starts watching the file, when the configuration asks for it, and reloads it if it changed since it was
     * loaded, before the watcher looked.
     */
    public synchronized void start() {
        watch(running.reload().watch());
        if (watcher != null) {
            fileChanged();
        }
    }

    /**
     * Reloads in the background, as SIGHUP asks: whatever the file holds, even when it did not change. Returns at
     * once; a request while another is waiting to run is folded into that one.
     *
     * @param trigger what asked, for the log line ({@code SIGHUP})
     */
    public void requestReload(String trigger) {
        queuedForced.set(true);
        submit(trigger);
    }

    /** Reloads in the background if the file's content differs from what was last loaded or tried. */
    void fileChanged() {
        submit(FILE_CHANGE);
    }

    private void submit(String trigger) {
        if (closed || !queued.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                queued.set(false);
                boolean forced = queuedForced.getAndSet(false);
                reload(forced ? trigger : FILE_CHANGE, !forced);
            });
        } catch (RejectedExecutionException closing) {
            queued.set(false);
        }
    }

    /**
     * Reloads the file now, on the calling thread. On success the new configuration runs; on a rejection the
     * previous one runs on unchanged, and one log line says why.
     *
     * @param trigger       what asked, for the log line
     * @param onlyIfChanged skip the reload when the file's content is what was last loaded or tried
     */
    private synchronized void reload(String trigger, boolean onlyIfChanged) {
        if (closed) {
            return;
        }
        byte[] content = digest(file);
        if (onlyIfChanged && content != null && Arrays.equals(content, lastContent)) {
            return;
        }
        lastContent = content;
        ConfigLoader.Replacement next;
        try {
            next = loader.loadReplacement(file, running);
        } catch (ConfigException e) {
            rejected(trigger, "config error: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            // A filter factory that failed, for instance: not a mistake in the file the loader could name.
            LOG.debug("Reload failed", e);
            rejected(trigger, e.getMessage() != null ? e.getMessage() : e.toString());
            return;
        }
        ReloadResult result;
        try {
            result = server.reconfigure(next.config().proxy());
        } catch (RuntimeException e) {
            next.discard();
            rejected(trigger, e.getMessage() != null ? e.getMessage() : e.toString());
            return;
        }
        Runnable closeRetired = next.commit();
        result.retired().whenComplete((done, failure) -> closeLater(closeRetired));
        running = next.config();
        admin.reconfigured(running.proxy(), EffectiveConfig.of(running));
        watch(running.reload().watch());
        successes.increment();
        List<String> madeFilters = next.madeFilters();
        LOG.info("Configuration reloaded from {} ({}): added {}, removed {}, changed {}, unchanged {}{}", file,
                trigger, result.added(), result.removed(), result.changed(), result.unchanged(),
                madeFilters.isEmpty() ? "" : "; filters made anew: " + madeFilters);
    }

    private void rejected(String trigger, String problem) {
        failures.increment();
        LOG.error("Configuration reload from {} ({}) rejected, the running configuration is unchanged: {}", file,
                trigger, problem);
    }

    /** Closes the retired filters on the reload thread, off the event loop that completed the drain. */
    private void closeLater(Runnable closeRetired) {
        try {
            executor.execute(closeRetired);
        } catch (RejectedExecutionException closing) {
            // Shutting down: the loader closes every filter once the proxy has stopped.
        }
    }

    private void watch(boolean on) {
        if (on == (watcher != null) || closed) {
            return;
        }
        if (!on) {
            watcher.close();
            watcher = null;
            LOG.info("Stopped watching {} (reload.watch is false); SIGHUP reloads it", file);
            return;
        }
        try {
            watcher = ConfigFileWatcher.start(file, WATCH_DEBOUNCE, this::fileChanged);
            LOG.info("Watching {} for changes (reload.watch); SIGHUP reloads it too", file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot watch {} for changes: {}; SIGHUP still reloads it", file, e.toString());
        }
    }

    /** The SHA-256 of the file's content, or {@code null} when it cannot be read (the reload then says why). */
    public static byte[] digest(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Stops watching and takes no more reloads; a reload in progress finishes first. The filters the last reload
     * retired are left to the loader, which closes them with the rest.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
