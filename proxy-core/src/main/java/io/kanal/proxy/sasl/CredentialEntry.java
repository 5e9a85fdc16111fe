package io.kanal.proxy.sasl;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One line of a credentials file: a user's salted SCRAM credential for one mechanism, never the password itself.
 *
 * <pre>
 * alice SCRAM-SHA-512 salt=&lt;base64&gt;,stored_key=&lt;base64&gt;,server_key=&lt;base64&gt;,iterations=4096
 * </pre>
 * The third field is written the way Kafka writes SCRAM credentials ({@code kafka-configs --describe}).
 *
 * @param user       the user name: no white space, no control characters
 * @param mechanism  SCRAM-SHA-256 or SCRAM-SHA-512
 * @param credential the salt, iteration count, StoredKey and ServerKey
 */
public record CredentialEntry(String user, ScramMechanism mechanism, ScramCredential credential) {

    private static final String SALT = "salt";
    private static final String STORED_KEY = "stored_key";
    private static final String SERVER_KEY = "server_key";
    private static final String ITERATIONS = "iterations";

    public CredentialEntry {
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(credential, "credential");
        String problem = userProblem(user);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (credential.iterations() < mechanism.minIterations()) {
            throw new IllegalArgumentException(mechanism.mechanismName() + " needs at least "
                    + mechanism.minIterations() + " iterations, not " + credential.iterations());
        }
    }

    /**
     * Salts and hashes {@code password} with a fresh random salt, as {@code kafka-configs --alter --add-config
     * SCRAM-SHA-512=[password=...]} does.
     *
     * @param iterations at least {@link ScramMechanism#minIterations()}
     */
    public static CredentialEntry create(String user, ScramMechanism mechanism, String password, int iterations) {
        if (iterations < mechanism.minIterations()) {
            throw new IllegalArgumentException(mechanism.mechanismName() + " needs at least "
                    + mechanism.minIterations() + " iterations, not " + iterations);
        }
        try {
            return new CredentialEntry(user, mechanism,
                    new ScramFormatter(mechanism).generateCredential(password, iterations));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no " + mechanism.hashAlgorithm(), e);
        }
    }

    /** Why {@code user} cannot be a user name, or {@code null} when it can. */
    public static String userProblem(String user) {
        if (user == null || user.isEmpty()) {
            return "the user name is empty";
        }
        if (user.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return "the user name has white space or control characters";
        }
        return null;
    }

    /** This entry as a line of the file, without a line break. */
    public String line() {
        Base64.Encoder base64 = Base64.getEncoder();
        return user + " " + mechanism.mechanismName() + " "
                + SALT + "=" + base64.encodeToString(credential.salt()) + ","
                + STORED_KEY + "=" + base64.encodeToString(credential.storedKey()) + ","
                + SERVER_KEY + "=" + base64.encodeToString(credential.serverKey()) + ","
                + ITERATIONS + "=" + credential.iterations();
    }

    /**
     * Reads one line that is neither blank nor a comment.
     *
     * @throws IllegalArgumentException saying what is wrong, without repeating the credential
     */
    public static CredentialEntry parse(String line) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length != 3) {
            throw new IllegalArgumentException("expected three fields: user, mechanism and credential, separated by "
                    + "spaces; found " + fields.length);
        }
        ScramMechanism mechanism = ScramMechanism.forMechanismName(fields[1]);
        if (mechanism == null) {
            throw new IllegalArgumentException("unknown mechanism '" + fields[1] + "' (known: "
                    + String.join(", ", new TreeSet<>(ScramMechanism.mechanismNames())) + ")");
        }
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : fields[2].split(",")) {
            int equals = part.indexOf('=');
            String name = equals < 0 ? part : part.substring(0, equals);
            if (equals < 0 || parts.put(name, part.substring(equals + 1)) != null) {
                throw new IllegalArgumentException("the credential must be salt=...,stored_key=...,server_key=...,"
                        + "iterations=..., each once");
            }
        }
        if (!parts.keySet().equals(Set.of(SALT, STORED_KEY, SERVER_KEY, ITERATIONS))) {
            throw new IllegalArgumentException("the credential must have exactly salt, stored_key, server_key and "
                    + "iterations; it has " + String.join(", ", parts.keySet()));
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts.get(ITERATIONS));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iterations is not a whole number");
        }
        byte[] storedKey = base64(parts, STORED_KEY);
        byte[] serverKey = base64(parts, SERVER_KEY);
        int keyBytes = mechanism == ScramMechanism.SCRAM_SHA_256 ? 32 : 64;
        if (storedKey.length != keyBytes || serverKey.length != keyBytes) {
            throw new IllegalArgumentException("stored_key and server_key of " + mechanism.mechanismName()
                    + " are " + keyBytes + " bytes each");
        }
        return new CredentialEntry(fields[0], mechanism,
                new ScramCredential(base64(parts, SALT), storedKey, serverKey, iterations));
    }

    private static byte[] base64(Map<String, String> parts, String name) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(parts.get(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is not base64");
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException(name + " is empty");
        }
        return bytes;
    }

    @Override
    public String toString() {
        return mechanism.mechanismName() + " credential of user '" + user + "'";
    }
}
