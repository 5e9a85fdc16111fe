package io.kanal.app.config;

/**
 * The optional {@code network} section as written.
 *
 * @param maxFrameBytes       largest frame accepted, in bytes
 * @param connectTimeout      upstream connect timeout, a duration such as {@code 10s}
 * @param shutdownGrace       time in-flight requests get on shutdown, a duration
 * @param filterTimeout       how long one filter hook may take, a duration
 * @param maxInFlightRequests requests one client connection may have outstanding before the proxy stops reading it
 * @param maxConnections      client connections the process accepts at once
 * @param maxConnectionsPerIp client connections accepted at once from one client address
 * @param idleTimeout         how long a client connection may go without traffic, a duration; {@code 0s} for ever
 */
record NetworkSection(Integer maxFrameBytes, String connectTimeout, String shutdownGrace, String filterTimeout,
                      Integer maxInFlightRequests, Integer maxConnections, Integer maxConnectionsPerIp,
                      String idleTimeout) {
}
