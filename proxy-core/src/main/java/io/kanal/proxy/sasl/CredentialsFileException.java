package io.kanal.proxy.sasl;

/** A credentials file that cannot be read or holds a line that is not an entry; the message names the line. */
public final class CredentialsFileException extends Exception {

    public CredentialsFileException(String message) {
        super(message);
    }
}
