package io.kanal.proxy.tls;

/**
 * A file of TLS key material that cannot be used. The message says what is wrong in words for the operator, names the
 * file, and never contains a password.
 */
public final class TlsFileException extends Exception {

    private final boolean wrongPassword;

    TlsFileException(String message) {
        this(message, false);
    }

    TlsFileException(String message, boolean wrongPassword) {
        super(message);
        this.wrongPassword = wrongPassword;
    }

    /** Whether the file could be read but the password given for it is wrong, so the password is what to fix. */
    public boolean wrongPassword() {
        return wrongPassword;
    }
}
