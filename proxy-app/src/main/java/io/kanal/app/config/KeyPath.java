package io.kanal.app.config;

/**
 * Where a value sits in the configuration file, written the way error messages name it:
 * {@code virtualClusters[1].target.bootstrapServers}. The root is the empty path.
 */
final class KeyPath {

    /** The document itself. */
    static final KeyPath ROOT = new KeyPath("");

    private final String text;

    private KeyPath(String text) {
        this.text = text;
    }

    /** The value under {@code key} of the mapping at this path. */
    KeyPath key(String key) {
        return new KeyPath(text.isEmpty() ? key : text + "." + key);
    }

    /** The element at {@code index} of the list at this path. */
    KeyPath index(int index) {
        return new KeyPath(text + "[" + index + "]");
    }

    boolean isRoot() {
        return text.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }
}
