package io.kanal.proxy.config;

/** Whether clients connecting with TLS must prove who they are with a certificate. */
public enum ClientAuth {
    /** No client certificate is asked for. */
    NONE,
    /** A client certificate is asked for; a client without one is still served, with no principal. */
    REQUESTED,
    /** A client without a certificate that the trusted certificates vouch for is refused (mutual TLS). */
    REQUIRED
}
