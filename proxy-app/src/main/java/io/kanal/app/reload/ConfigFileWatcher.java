package io.kanal.app.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Calls back when a file may have changed, once things have been quiet for a moment.
 *
 * <p>It watches the directory rather than the file, so it follows the file however it is replaced: written in place,
 * renamed over by an editor, or swapped by Kubernetes, which mounts a ConfigMap's files as symbolic links through a
 * {@code ..data} link it replaces. When the path passes symbolic links ({@link LinkChain}), the directory of each,
 * and of the file they lead to, is watched too. Changes to other entries of those directories are ignored, except
 * Kubernetes' own ({@code ..}-prefixed): a log file written next to the configuration must not wake the watcher with
 * every line. The callback does not learn what changed: it is expected to compare the file's content itself.
 */
final class ConfigFileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatcher.class);

    private final Path file;
    private final Duration debounce;
    private final Runnable onChange;
    private final WatchService service;
    private final Map<WatchKey, Path> directories = new HashMap<>();
    private final Thread thread;
    /** The names of the file's entry and of every link on its way ({@link LinkChain}), as they were last looked at. */
    private Set<Path> names = Set.of();

    private ConfigFileWatcher(Path file, Duration debounce, Runnable onChange) throws IOException {
        this.file = file.toAbsolutePath();
        this.debounce = debounce;
        this.onChange = onChange;
        this.service = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::run, "kanal-config-watch");
        thread.setDaemon(true);
    }

    /**
     * Starts watching.
     *
     * @param debounce how long nothing must change before {@code onChange} runs
     * @param onChange runs on the watcher's thread, once per burst of changes
     * @throws IOException when the file's directory cannot be watched
     */
    static ConfigFileWatcher start(Path file, Duration debounce, Runnable onChange) throws IOException {
        ConfigFileWatcher watcher = new ConfigFileWatcher(file, debounce, onChange);
        try {
            watcher.register(watcher.file.getParent());
            watcher.followLinks();
        } catch (IOException e) {
            watcher.service.close();
            throw e;
        }
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        try {
            while (true) {
                if (!concernsTheFile(service.take())) {
                    continue;
                }
                // Editors and Kubernetes change several entries in a row: wait until they are done.
                long quietFrom = System.nanoTime() + debounce.toNanos();
                for (long left; (left = quietFrom - System.nanoTime()) > 0; ) {
                    WatchKey more = service.poll(left, TimeUnit.NANOSECONDS);
                    if (more != null && concernsTheFile(more)) {
                        quietFrom = System.nanoTime() + debounce.toNanos();
                    }
                }
                followLinks();
                if (directories.isEmpty()) {
                    LOG.warn("Stopped watching {}: its directory is gone; SIGHUP still reloads it", file);
                    return;
                }
                onChange.run();
            }
        } catch (ClosedWatchServiceException | InterruptedException closed) {
            // close() was called
        } catch (RuntimeException e) {
            LOG.error("Stopped watching {}: {}", file, e.toString());
        }
    }

    /**
     * Takes a key's events and says whether any of them may have changed the file: an event for its name, for a
     * Kubernetes entry, events lost to an overflow, or the directory itself gone (no longer tracked from here on).
     */
    private boolean concernsTheFile(WatchKey key) {
        boolean concerns = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            concerns |= event.kind() == StandardWatchEventKinds.OVERFLOW
                    || event.context() instanceof Path name && concernsTheFile(name);
        }
        if (!key.reset()) {
            directories.remove(key);
            concerns = true;
        }
        return concerns;
    }

    private boolean concernsTheFile(Path name) {
        return name.equals(file.getFileName()) || names.contains(name) || name.toString().startsWith("..");
    }

    /**
     * Looks again at the links on the file's way, as they are now, and watches the directory of each that is not
     * watched yet.
     */
    private void followLinks() {
        try {
            Set<Path> chain = LinkChain.of(file);
            Set<Path> chainNames = new HashSet<>();
            for (Path entry : chain) {
                Path directory = entry.getParent();
                if (directory == null) {
                    continue;
                }
                chainNames.add(entry.getFileName());
                if (!directories.containsValue(directory) && Files.isDirectory(directory)) {
                    register(directory);
                }
            }
            names = chainNames;
        } catch (IOException | ClosedWatchServiceException e) {
            // A link cannot be read for now, or closing: the next change tries again.
        }
    }

    private void register(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + " is not a directory");
        }
        WatchKey key = directory.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        directories.put(key, directory);
    }

    /** Stops watching; a callback in progress finishes. */
    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service of {}: {}", file, e.toString());
        }
        thread.interrupt();
    }
}
