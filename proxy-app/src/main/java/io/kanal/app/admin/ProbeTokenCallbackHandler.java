package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.auth.SaslExtensionsCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hands a Kafka client the OAUTHBEARER token given in its JAAS options, for the readiness probes: the token the
 * proxy itself logs in with, not one the client fetches. Kafka makes it by class name; it must stay public.
 */
public final class ProbeTokenCallbackHandler implements AuthenticateCallbackHandler {

    /** The JAAS option that carries the token. */
    static final String TOKEN_OPTION = "kanalToken";
    /** How long a token without a readable expiry counts as valid; a probe lives for seconds. */
    private static final Duration ASSUMED_LIFETIME = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private String token;

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        Object value = jaasConfigEntries.isEmpty() ? null : jaasConfigEntries.get(0).getOptions().get(TOKEN_OPTION);
        if (!(value instanceof String text) || text.isEmpty()) {
            throw new IllegalArgumentException("the JAAS configuration has no " + TOKEN_OPTION + " option");
        }
        token = text;
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof OAuthBearerTokenCallback tokenCallback) {
                tokenCallback.token(new StaticToken(token, expiry(token)));
            } else if (!(callback instanceof SaslExtensionsCallback)) {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    @Override
    public void close() {
    }

    /** The token's {@code exp} claim when it is a JWT that has one, in epoch milliseconds; otherwise an hour on. */
    private static long expiry(String token) {
        String[] parts = token.split("\\.");
        if (parts.length >= 2) {
            try {
                JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                if (claims.path("exp").isNumber()) {
                    return claims.path("exp").asLong() * 1000;
                }
            } catch (IllegalArgumentException | IOException notAJwt) {
                // An opaque token: the broker knows its lifetime, the probe does not need to.
            }
        }
        return System.currentTimeMillis() + ASSUMED_LIFETIME.toMillis();
    }

    private record StaticToken(String value, long lifetimeMs) implements OAuthBearerToken {

        @Override
        public Set<String> scope() {
            return Set.of();
        }

        @Override
        public String principalName() {
            return "kanal";
        }

        @Override
        public Long startTimeMs() {
            return null;
        }

        @Override
        public String toString() {
            return "StaticToken[lifetimeMs=" + lifetimeMs + "]";
        }
    }
}
