package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hides secrets in a configuration document before it leaves the process, as {@code /config} does.
 *
 * <p>The rule looks at key names only, at any depth, and errs on the side of hiding. The value of a key is replaced
 * by {@value #REDACTED}, whatever it was (text, number, list or mapping), when the key's name, ignoring case:
 * <ul>
 *   <li>contains {@code password}, {@code secret}, {@code token}, {@code credential}, {@code jaas} (as in
 *       {@code sasl.jaas.config}) or {@code authorization}; or</li>
 *   <li>ends with {@code key} and is longer than that: {@code apiKey}, {@code ssl.key}, {@code private_key},
 *       {@code accessKey}.</li>
 * </ul>
 * A key named exactly {@code key} is left alone: it is how the configuration names a header or record key (the
 * {@code key} of a header definition in a header-injecting filter), not a key in the cryptographic sense.
 * Values are never inspected, so a secret written into a value under an innocent key name is not found.
 */
public final class SecretRedaction {

    /** What a redacted value reads as. */
    public static final String REDACTED = "[redacted]";

    private static final List<String> SECRET_WORDS =
            List.of("password", "secret", "token", "credential", "jaas", "authorization");
    private static final String KEY_SUFFIX = "key";

    private SecretRedaction() {
    }

    /**
     * A secret as a {@code toString()} shows it: {@value #REDACTED}, or {@code null} when there is none, so that
     * whether one was given stays visible.
     */
    public static String mask(String secret) {
        return secret == null ? null : REDACTED;
    }

    /** Whether the value under a key of this name is hidden. */
    public static boolean isSecret(String keyName) {
        String name = keyName.toLowerCase(Locale.ROOT);
        if (name.length() > KEY_SUFFIX.length() && name.endsWith(KEY_SUFFIX)) {
            return true;
        }
        return SECRET_WORDS.stream().anyMatch(name::contains);
    }

    /** A copy of {@code document} with every secret replaced by {@value #REDACTED}; the argument is not changed. */
    public static JsonNode redact(JsonNode document) {
        JsonNode copy = document.deepCopy();
        redactInPlace(copy);
        return copy;
    }

    private static void redactInPlace(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (isSecret(name)) {
                    object.put(name, REDACTED);
                } else {
                    redactInPlace(object.get(name));
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(SecretRedaction::redactInPlace);
        }
    }
}
