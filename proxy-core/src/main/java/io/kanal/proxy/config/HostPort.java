package io.kanal.proxy.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A host and a TCP port, as written in configuration and in Kafka's broker descriptions.
 *
 * @param host a host name or an IP literal (IPv6 without brackets)
 * @param port 0 to 65535; 0 asks the operating system for a free port when binding
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
    }

    /**
     * Parses {@code host:port}, {@code [ipv6]:port} or {@code ipv6-literal:port} (the last colon separates the port).
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static HostPort parse(String text) {
        Objects.requireNonNull(text, "address");
        String trimmed = text.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not host:port");
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric port");
        }
        try {
            return new HostPort(host, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
        }
    }

    /** An unresolved socket address, resolved by Netty when it connects or binds. */
    public InetSocketAddress toSocketAddress() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
