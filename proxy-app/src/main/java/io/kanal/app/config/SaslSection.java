package io.kanal.app.config;

import com.fasterxml.jackson.annotation.JsonFormat;

import java.util.List;

/**
 * {@code sasl} of a virtual cluster as written: the proxy authenticates the clients itself.
 *
 * @param mechanisms            what clients may use: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; a YAML list, or one
 *                              string that may hold several comma-separated names
 * @param credentialsFile       the users, as {@code kanal credentials add} writes them
 * @param authenticationTimeout how long a client may take to authenticate, a duration
 * @param failureDelay          how long a failed authentication waits before its error and the close, a duration
 */
record SaslSection(
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> mechanisms,
        String credentialsFile,
        String authenticationTimeout,
        String failureDelay) {
}
