package io.kanal.app.config;

/**
 * The optional {@code network} section as written.
 *
 * @param maxFrameBytes  largest frame accepted, in bytes
 * @param connectTimeout upstream connect timeout, a duration such as {@code 10s}
 * @param shutdownGrace  time in-flight requests get on shutdown, a duration
 * @param filterTimeout  how long one filter hook may take, a duration
 */
record NetworkSection(Integer maxFrameBytes, String connectTimeout, String shutdownGrace, String filterTimeout) {
}
