package io.kanal.proxy.server;

/** The proxy could not start, for example because a listen address is taken. The message says which and why. */
public final class ProxyStartException extends RuntimeException {

    public ProxyStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
