package io.kanal.app.config;

import io.kanal.app.admin.SecretRedaction;

/**
 * Where a value sits in the configuration file, written the way error messages name it:
 * {@code virtualClusters[1].target.bootstrapServers}. The root is the empty path.
 */
final class KeyPath {

    /** The document itself. */
    static final KeyPath ROOT = new KeyPath("", false);

    private final String text;
    private final boolean secret;

    private KeyPath(String text, boolean secret) {
        this.text = text;
        this.secret = secret;
    }

    /** The value under {@code key} of the mapping at this path. */
    KeyPath key(String key) {
        return new KeyPath(text.isEmpty() ? key : text + "." + key, secret || SecretRedaction.isSecret(key));
    }

    /** The element at {@code index} of the list at this path. */
    KeyPath index(int index) {
        return new KeyPath(text + "[" + index + "]", secret);
    }

    /**
     * Whether the value here is, or is inside, the value of a key that names a secret ({@code password},
     * {@code sasl.jaas.config}, ... as {@code /config} redacts them): error messages must not repeat such a value.
     */
    boolean isSecret() {
        return secret;
    }

    boolean isRoot() {
        return text.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }
}
