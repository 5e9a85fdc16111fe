package io.kanal.app;

/** The command line cannot be understood. The message says what is wrong with it, in one line. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}
