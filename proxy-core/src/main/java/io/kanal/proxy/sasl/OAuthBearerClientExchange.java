package io.kanal.proxy.sasl;

import org.apache.kafka.common.security.auth.SaslExtensions;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;

import javax.security.sasl.SaslException;
import java.nio.charset.StandardCharsets;

/**
 * SASL/OAUTHBEARER (RFC 7628): the token in the first message. A broker that rejects the token answers with an error
 * document instead of an empty token; the client acknowledges it with a single 0x01 byte and the broker then fails
 * the login with an error of its own.
 */
final class OAuthBearerClientExchange implements SaslClientExchange {

    private static final byte[] ACKNOWLEDGE_ERROR = {0x01};

    private final String token;
    private String errorDocument;

    OAuthBearerClientExchange(String token) {
        this.token = token;
    }

    @Override
    public byte[] initialResponse() throws SaslException {
        return new OAuthBearerClientInitialResponse(token, SaslExtensions.empty()).toBytes();
    }

    @Override
    public byte[] evaluate(byte[] challenge) throws SaslException {
        if (challenge.length == 0) {
            return null;
        }
        if (errorDocument != null) {
            throw new SaslException("the broker sent a second error document");
        }
        errorDocument = new String(challenge, StandardCharsets.UTF_8);
        return ACKNOWLEDGE_ERROR;
    }

    @Override
    public String rejection() {
        return errorDocument;
    }
}
