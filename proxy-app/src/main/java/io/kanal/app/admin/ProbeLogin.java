package io.kanal.app.admin;

import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.UpstreamCredentials;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

import javax.security.sasl.SaslException;
import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka client settings that log a readiness probe in to a target cluster with the credentials the proxy's own
 * broker connections use, so that {@code /readyz} proves the login works as well as the network path. Kafka client
 * configuration keeps {@code sasl.jaas.config} out of its logs.
 */
final class ProbeLogin {

    private ProbeLogin() {
    }

    /**
     * @throws SaslException when an OAUTHBEARER token file cannot be read
     */
    static Map<String, Object> clientSettings(UpstreamCredentials credentials) throws SaslException {
        SaslMechanism mechanism = credentials.mechanism();
        String jaas = switch (mechanism) {
            case PLAIN -> "org.apache.kafka.common.security.plain.PlainLoginModule required" + userAndPassword(
                    credentials) + ";";
            case SCRAM_SHA_256, SCRAM_SHA_512 -> "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + userAndPassword(credentials) + ";";
            case OAUTHBEARER -> "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                    + ProbeTokenCallbackHandler.TOKEN_OPTION + "=" + quoted(credentials.currentToken()) + ";";
        };
        Map<String, Object> settings = new HashMap<>(Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, mechanism.mechanismName(),
                SaslConfigs.SASL_JAAS_CONFIG, jaas));
        if (mechanism == SaslMechanism.OAUTHBEARER) {
            settings.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS, ProbeTokenCallbackHandler.class);
        }
        return settings;
    }

    private static String userAndPassword(UpstreamCredentials credentials) {
        return " username=" + quoted(credentials.username().orElseThrow())
                + " password=" + quoted(credentials.password().orElseThrow());
    }

    /**
     * A JAAS option value in double quotes. JAAS reads a quoted value as Java reads a string literal, up to the end of
     * the line: a line break in a password must be written as an escape, or the rest of the password would be parsed
     * (and shown in the parser's error) as the next option.
     */
    private static String quoted(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\' -> quoted.append("\\\\");
                case '"' -> quoted.append("\\\"");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
