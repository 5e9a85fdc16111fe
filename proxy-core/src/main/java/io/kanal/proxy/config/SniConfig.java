package io.kanal.proxy.config;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * SNI routing: one TLS port for a whole virtual cluster, where the host name a client asks for in its TLS handshake
 * (Server Name Indication) says whether it wants the bootstrap or which broker. Responses name brokers by their
 * host names, all with the same port. This fits a load balancer or an ingress, where a port per broker does not.
 *
 * @param bootstrapHost  the name that reaches the bootstrap servers, e.g. {@code bootstrap.kafka.example.com}
 * @param brokerHost     the name of broker N, with {@value #NODE_ID} where N goes, e.g.
 *                       {@code broker-{nodeId}.kafka.example.com}
 * @param advertisedPort the port clients are told to connect to; empty for the port the bootstrap listens on (a
 *                       load balancer in front may listen on another, such as 443)
 */
public record SniConfig(String bootstrapHost, String brokerHost, OptionalInt advertisedPort) {

    /** Where a broker's node id goes in {@link #brokerHost}. */
    public static final String NODE_ID = "{nodeId}";

    /** Letters, digits, hyphens and dots: what a DNS name of a TLS server may hold. */
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    /** A node id as brokers have them: 0 or more, no leading zeros, below 2^31. */
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,8}");

    public SniConfig {
        Objects.requireNonNull(bootstrapHost, "bootstrapHost");
        Objects.requireNonNull(brokerHost, "brokerHost");
        Objects.requireNonNull(advertisedPort, "advertisedPort");
        bootstrapHost = bootstrapHost.toLowerCase(Locale.ROOT);
        brokerHost = brokerHost.toLowerCase(Locale.ROOT).replace(NODE_ID.toLowerCase(Locale.ROOT), NODE_ID);
        if (!HOST_NAME.matcher(bootstrapHost).matches()) {
            throw new IllegalArgumentException("bootstrap host '" + bootstrapHost + "' is not a DNS name");
        }
        int at = brokerHost.indexOf(NODE_ID);
        if (at < 0 || brokerHost.indexOf(NODE_ID, at + 1) >= 0) {
            throw new IllegalArgumentException("broker host '" + brokerHost + "' must contain " + NODE_ID
                    + " exactly once");
        }
        if (!HOST_NAME.matcher(brokerHost.replace(NODE_ID, "0")).matches()) {
            throw new IllegalArgumentException("broker host '" + brokerHost + "' is not a DNS name with " + NODE_ID
                    + " in it");
        }
        String prefix = brokerHost.substring(0, at);
        String suffix = brokerHost.substring(at + NODE_ID.length());
        if (nodeIdIn(bootstrapHost, prefix, suffix).isPresent()) {
            throw new IllegalArgumentException("bootstrap host '" + bootstrapHost + "' is also a broker's name under '"
                    + brokerHost + "'");
        }
        if (advertisedPort.isPresent() && (advertisedPort.getAsInt() < 1 || advertisedPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("advertised port " + advertisedPort.getAsInt() + " is outside 1-65535");
        }
    }

    /** The name broker {@code nodeId} is advertised under. */
    public String brokerHostOf(int nodeId) {
        return brokerHost.replace(NODE_ID, Integer.toString(nodeId));
    }

    /** Whether {@code hostname}, in any case, is the bootstrap's name. */
    public boolean isBootstrap(String hostname) {
        return bootstrapHost.equalsIgnoreCase(hostname);
    }

    /**
     * The node id {@code hostname} names under {@link #brokerHost}, in any case; empty when it is not a broker's name.
     * Only the plain decimal form counts ({@code broker-7}, not {@code broker-07}), so each broker has one name.
     */
    public OptionalInt brokerNodeId(String hostname) {
        int at = brokerHost.indexOf(NODE_ID);
        return nodeIdIn(hostname.toLowerCase(Locale.ROOT), brokerHost.substring(0, at),
                brokerHost.substring(at + NODE_ID.length()));
    }

    private static OptionalInt nodeIdIn(String hostname, String prefix, String suffix) {
        if (!hostname.startsWith(prefix) || !hostname.endsWith(suffix)
                || hostname.length() <= prefix.length() + suffix.length()) {
            return OptionalInt.empty();
        }
        String digits = hostname.substring(prefix.length(), hostname.length() - suffix.length());
        if (!DECIMAL.matcher(digits).matches()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(digits));
    }

    /** {@code bootstrap.<domain>} and {@code broker-<id>.<domain>}, on the bootstrap port. */
    public static SniConfig forDomain(String domain) {
        return new SniConfig("bootstrap." + domain, "broker-" + NODE_ID + "." + domain, OptionalInt.empty());
    }
}
