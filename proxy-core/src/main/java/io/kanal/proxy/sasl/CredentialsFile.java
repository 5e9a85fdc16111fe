package io.kanal.proxy.sasl;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The users of a virtual cluster, read from a credentials file of {@link CredentialEntry} lines; blank lines and lines
 * starting with {@code #} are ignored. {@code kanal credentials add} writes such files.
 *
 * <p>The file is read again when it changes (its modification time or size), at the next lookup, so users can be
 * added and removed while Kanal runs. A change that does not read cleanly is logged and ignored: the entries read
 * before stay in use until the file is fixed.
 *
 * <p>Two instances are equal when they read the same path, so that a reloaded configuration naming the same file
 * counts as unchanged.
 */
public final class CredentialsFile implements CredentialStore {

    private static final Logger log = LoggerFactory.getLogger(CredentialsFile.class);

    private record Key(String user, ScramMechanism mechanism) {
    }

    /**
     * What one reading of the file found, and which version of the file that was.
     *
     * @param usualIterations the iteration count most entries of each mechanism have
     */
    private record Snapshot(Map<Key, ScramCredential> entries, Map<ScramMechanism, Integer> usualIterations,
                            FileTime modified, long size) {
    }

    private final Path path;
    private volatile Snapshot snapshot;
    /** The version of the file whose failure to read was logged last, so that each bad version is logged once. */
    private FileTime failedModified;

    private CredentialsFile(Path path, Snapshot snapshot) {
        this.path = path;
        this.snapshot = snapshot;
    }

    /**
     * Reads the file now.
     *
     * @throws CredentialsFileException when it cannot be read, or a line is not an entry (the message names the line
     *                                  and what is wrong, never the credential)
     */
    public static CredentialsFile load(Path path) throws CredentialsFileException {
        return new CredentialsFile(path, read(path));
    }

    public Path path() {
        return path;
    }

    /** How many entries the file held when it was last read. */
    public int size() {
        return snapshot.entries().size();
    }

    @Override
    public Optional<ScramCredential> scramCredential(String user, ScramMechanism mechanism) {
        refreshIfChanged();
        return Optional.ofNullable(snapshot.entries().get(new Key(user, mechanism)));
    }

    @Override
    public int usualIterations(ScramMechanism mechanism) {
        return snapshot.usualIterations().getOrDefault(mechanism, mechanism.minIterations());
    }

    private void refreshIfChanged() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            reportOnce(null, "cannot read it: " + describe(e));
            return;
        }
        Snapshot current = snapshot;
        if (attributes.lastModifiedTime().equals(current.modified()) && attributes.size() == current.size()) {
            return;
        }
        synchronized (this) {
            if (snapshot != current) {
                return;
            }
            try {
                snapshot = read(path);
                failedModified = null;
                log.info("credentials file {} changed: {} entries", path, snapshot.entries().size());
            } catch (CredentialsFileException e) {
                reportOnce(attributes.lastModifiedTime(), e.getMessage());
            }
        }
    }

    private synchronized void reportOnce(FileTime modified, String problem) {
        FileTime key = modified == null ? FileTime.fromMillis(Long.MIN_VALUE) : modified;
        if (!key.equals(failedModified)) {
            failedModified = key;
            log.error("credentials file {}: {}; the {} entries read before stay in use", path, problem,
                    snapshot.entries().size());
        }
    }

    private static Snapshot read(Path path) throws CredentialsFileException {
        List<String> lines;
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new CredentialsFileException("cannot read " + path + ": " + describe(e));
        }
        Map<Key, ScramCredential> entries = new HashMap<>();
        Map<Key, Integer> lineOf = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            CredentialEntry entry;
            try {
                entry = CredentialEntry.parse(line);
            } catch (IllegalArgumentException e) {
                throw new CredentialsFileException(path + " line " + (i + 1) + ": " + e.getMessage());
            }
            Key key = new Key(entry.user(), entry.mechanism());
            Integer earlier = lineOf.putIfAbsent(key, i + 1);
            if (earlier != null) {
                throw new CredentialsFileException(path + " line " + (i + 1) + ": a second "
                        + entry.mechanism().mechanismName() + " entry for user '" + entry.user() + "' (the first is "
                        + "on line " + earlier + ")");
            }
            entries.put(key, entry.credential());
        }
        return new Snapshot(Map.copyOf(entries), usualIterations(entries), attributes.lastModifiedTime(),
                attributes.size());
    }

    private static Map<ScramMechanism, Integer> usualIterations(Map<Key, ScramCredential> entries) {
        Map<ScramMechanism, Map<Integer, Long>> counts = entries.entrySet().stream().collect(Collectors.groupingBy(
                entry -> entry.getKey().mechanism(),
                Collectors.groupingBy(entry -> entry.getValue().iterations(), Collectors.counting())));
        Map<ScramMechanism, Integer> usual = new HashMap<>();
        counts.forEach((mechanism, byIterations) -> usual.put(mechanism, byIterations.entrySet().stream()
                .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .orElseThrow().getKey()));
        return Map.copyOf(usual);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CredentialsFile file && file.path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return "credentials file " + path;
    }
}
