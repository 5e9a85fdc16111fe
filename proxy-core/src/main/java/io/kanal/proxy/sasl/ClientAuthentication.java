package io.kanal.proxy.sasl;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * SASL termination: the proxy itself authenticates the clients of a virtual cluster, against its own credentials,
 * instead of forwarding SaslHandshake and SaslAuthenticate to the broker.
 *
 * @param mechanisms     what clients may choose from, in the order the proxy lists them: PLAIN, SCRAM-SHA-256,
 *                       SCRAM-SHA-512
 * @param credentials    the users and their salted credentials
 * @param timeout        a client that has not authenticated this long after connecting is closed
 * @param failureDelay   how long a failed authentication waits before the client gets its error and is closed; slows
 *                       down password guessing as Kafka's {@code connection.failed.authentication.delay.ms} does
 */
public record ClientAuthentication(List<SaslMechanism> mechanisms, CredentialStore credentials, Duration timeout,
                                   Duration failureDelay) {

    public static final List<SaslMechanism> DEFAULT_MECHANISMS =
            List.of(SaslMechanism.SCRAM_SHA_512, SaslMechanism.SCRAM_SHA_256);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_FAILURE_DELAY = Duration.ofSeconds(1);

    public ClientAuthentication {
        mechanisms = List.copyOf(mechanisms);
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(failureDelay, "failureDelay");
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException("no mechanisms");
        }
        if (mechanisms.contains(SaslMechanism.OAUTHBEARER)) {
            throw new IllegalArgumentException("the proxy cannot check OAUTHBEARER tokens of clients");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (failureDelay.isNegative()) {
            throw new IllegalArgumentException("failureDelay must not be negative");
        }
    }

    /** The default mechanisms and timings. */
    public static ClientAuthentication of(CredentialStore credentials) {
        return new ClientAuthentication(DEFAULT_MECHANISMS, credentials, DEFAULT_TIMEOUT, DEFAULT_FAILURE_DELAY);
    }
}
