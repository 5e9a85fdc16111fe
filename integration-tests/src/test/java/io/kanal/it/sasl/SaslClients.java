package io.kanal.it.sasl;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/** The client settings that make a stock Kafka client log in with SASL over plaintext, for {@code Clients}. */
public final class SaslClients {

    private SaslClients() {
    }

    /**
     * @param mechanism {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
     */
    public static Map<String, Object> login(String mechanism, String user, String password) {
        String module = mechanism.equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, mechanism,
                SaslConfigs.SASL_JAAS_CONFIG,
                module + " required username=\"" + user + "\" password=\"" + password + "\";");
    }

    /** {@code login} plus {@code more}. */
    public static Map<String, Object> login(String mechanism, String user, String password,
                                            Map<String, Object> more) {
        Map<String, Object> config = new HashMap<>(login(mechanism, user, password));
        config.putAll(more);
        return config;
    }

    /** A JWT without signature, which Kafka's default OAUTHBEARER validator accepts: for tests only. */
    static String unsecuredJwt(String subject) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String header = base64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        String claims = base64.encodeToString(("{\"sub\":\"" + subject + "\",\"iat\":" + now + ",\"exp\":"
                + (now + 3600) + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + claims + ".";
    }
}
