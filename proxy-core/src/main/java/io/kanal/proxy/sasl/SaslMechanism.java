package io.kanal.proxy.sasl;

import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The SASL mechanisms Kanal speaks, on either side. */
public enum SaslMechanism {
    PLAIN("PLAIN", null),
    SCRAM_SHA_256("SCRAM-SHA-256", ScramMechanism.SCRAM_SHA_256),
    SCRAM_SHA_512("SCRAM-SHA-512", ScramMechanism.SCRAM_SHA_512),
    OAUTHBEARER("OAUTHBEARER", null);

    private final String mechanismName;
    private final ScramMechanism scram;

    SaslMechanism(String mechanismName, ScramMechanism scram) {
        this.mechanismName = mechanismName;
        this.scram = scram;
    }

    /** The name Kafka's SaslHandshake and client configuration use, such as {@code SCRAM-SHA-512}. */
    public String mechanismName() {
        return mechanismName;
    }

    /** Kafka's SCRAM parameters of this mechanism; empty for PLAIN and OAUTHBEARER. */
    public Optional<ScramMechanism> scram() {
        return Optional.ofNullable(scram);
    }

    /** The mechanism of this name, matched exactly as Kafka does; empty when there is none. */
    public static Optional<SaslMechanism> forName(String name) {
        return Arrays.stream(values()).filter(mechanism -> mechanism.mechanismName.equals(name)).findFirst();
    }

    /** The SCRAM mechanism of Kafka's parameters. */
    static SaslMechanism of(ScramMechanism scram) {
        return scram == ScramMechanism.SCRAM_SHA_256 ? SCRAM_SHA_256 : SCRAM_SHA_512;
    }

    /** Every mechanism name, comma separated, for messages. */
    public static String names() {
        return Arrays.stream(values()).map(SaslMechanism::mechanismName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return mechanismName;
    }
}
