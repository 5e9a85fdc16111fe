package io.kanal.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kanal.proxy.protocol.KafkaMessages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.SaslClient;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;

/** The client half of SASL over a {@link RawKafkaClient}: the requests and kafka-clients' own SCRAM client. */
final class SaslClientSide {

    static final short HANDSHAKE_V1 = 1;
    static final short AUTHENTICATE_V2 = 2;

    private SaslClientSide() {
    }

    /** kafka-clients' SCRAM client, logging in as {@code user}. */
    static SaslClient scram(ScramMechanism mechanism, String user, String password) throws NoSuchAlgorithmException {
        return new ScramSaslClient(mechanism, callbacks -> {
            for (var callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(user);
                } else if (callback instanceof PasswordCallback secret) {
                    secret.setPassword(password.toCharArray());
                } else if (!(callback instanceof ScramExtensionsCallback)) {
                    throw new IllegalArgumentException("unexpected " + callback);
                }
            }
        });
    }

    /** The one PLAIN token: no authorization id, the user, the password. */
    static byte[] plainToken(String user, String password) {
        return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] apiVersions(int correlationId) {
        return KafkaMessages.request(ApiKeys.API_VERSIONS, (short) 3, "client", correlationId,
                new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1"));
    }

    static byte[] handshake(short version, String mechanism, int correlationId) {
        return KafkaMessages.request(ApiKeys.SASL_HANDSHAKE, version, "client", correlationId,
                new SaslHandshakeRequestData().setMechanism(mechanism));
    }

    static byte[] authenticate(byte[] token, int correlationId) {
        return KafkaMessages.request(ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_V2, "client", correlationId,
                new SaslAuthenticateRequestData().setAuthBytes(token));
    }

    /** Sends a SaslHandshake v1 and returns the proxy's answer. */
    static SaslHandshakeResponseData handshake(RawKafkaClient client, String mechanism, int correlationId)
            throws IOException {
        client.send(handshake(HANDSHAKE_V1, mechanism, correlationId));
        return (SaslHandshakeResponseData) read(client, ApiKeys.SASL_HANDSHAKE, HANDSHAKE_V1, correlationId).data();
    }

    /** Sends a SaslAuthenticate v2 and returns the proxy's answer. */
    static SaslAuthenticateResponseData authenticate(RawKafkaClient client, byte[] token, int correlationId)
            throws IOException {
        client.send(authenticate(token, correlationId));
        return readAuthenticate(client, correlationId);
    }

    static SaslAuthenticateResponseData readAuthenticate(RawKafkaClient client, int correlationId) throws IOException {
        return (SaslAuthenticateResponseData) read(client, ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_V2, correlationId)
                .data();
    }

    /** Logs in with SCRAM over SaslHandshake v1 and SaslAuthenticate, asserting every step succeeds. */
    static void scramLogin(RawKafkaClient client, ScramMechanism mechanism, String user, String password)
            throws Exception {
        assertEquals(0, handshake(client, mechanism.mechanismName(), 100).errorCode());
        SaslClient scram = scram(mechanism, user, password);
        SaslAuthenticateResponseData first = authenticate(client, scram.evaluateChallenge(new byte[0]), 101);
        assertEquals(0, first.errorCode(), first::errorMessage);
        SaslAuthenticateResponseData last = authenticate(client, scram.evaluateChallenge(first.authBytes()), 102);
        assertEquals(0, last.errorCode(), last::errorMessage);
        scram.evaluateChallenge(last.authBytes());
        assertEquals(true, scram.isComplete(), "the client checked the proxy's server signature");
    }

    static AbstractResponse read(RawKafkaClient client, ApiKeys api, short version, int correlationId)
            throws IOException {
        byte[] frame = client.readFrame();
        ByteBuffer buffer = ByteBuffer.wrap(frame, 4, frame.length - 4);
        ResponseHeader header = ResponseHeader.parse(buffer, api.responseHeaderVersion(version));
        assertEquals(correlationId, header.correlationId(), "correlation id of the " + api + " response");
        return AbstractResponse.parseResponse(api, new ByteBufferAccessor(buffer), version);
    }

    /** A bare token frame, as sent after a v0 handshake. */
    static byte[] rawToken(byte[] token) {
        return KafkaMessages.sizePrefixed(ByteBuffer.wrap(token));
    }
}
