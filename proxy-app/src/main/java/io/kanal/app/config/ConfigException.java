package io.kanal.app.config;

/**
 * A configuration that cannot be used. The message is one line meant for the operator, starting with the key path
 * of the offending value when there is one.
 */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message);
    }

    /** A problem with the value at {@code path}, worded as {@code path: problem}. */
    static ConfigException at(KeyPath path, String problem) {
        return new ConfigException(path.isRoot() ? problem : path + ": " + problem);
    }
}
