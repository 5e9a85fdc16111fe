package io.kanal.proxy.tls;

import javax.net.ssl.SSLException;

/** Words for TLS failures in log lines. */
public final class TlsErrors {

    private TlsErrors() {
    }

    /**
     * What went wrong, as specifically as the exception knows: OpenSSL's engine reports a failed certificate check as
     * "General OpenSslEngine problem", with the reason ("No name matching ... found") in a cause.
     */
    public static String describe(SSLException failure) {
        String message = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        return "TLS: " + (message != null ? message : failure.toString());
    }
}
