package io.kanal.proxy.server;

import io.kanal.proxy.protocol.KafkaMessages;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.callback.NameCallback;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServer;

/**
 * A broker's SASL listener for a {@link FakeBroker}: SaslHandshake and SaslAuthenticate are checked with kafka-clients'
 * server classes against one user, who has the same password for every mechanism; OAUTHBEARER accepts the token
 * {@value #GOOD_TOKEN} only. Every other request goes to the script given.
 */
final class SaslListenerScript implements FakeBroker.Script {

    /** The one OAUTHBEARER token accepted; any other gets an error document, then fails. */
    static final String GOOD_TOKEN = "good";

    private final String user;
    private final String password;
    private final Set<String> enabled;
    private final FakeBroker.Script others;
    /** Each broker connection's SASL server. */
    private final Map<FakeBroker.Peer, SaslServer> servers = new ConcurrentHashMap<>();
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();

    /**
     * @param enabled the mechanisms the listener takes, e.g. {@code PLAIN}
     * @param others  what answers the requests that are not SASL's
     */
    SaslListenerScript(String user, String password, Set<String> enabled, FakeBroker.Script others) {
        this.user = user;
        this.password = password;
        this.enabled = Set.copyOf(enabled);
        this.others = others;
    }

    /** The OAUTHBEARER tokens the listener was shown, in order. */
    List<String> tokensSeen() {
        return List.copyOf(tokensSeen);
    }

    @Override
    public void answer(FakeBroker.Request request, FakeBroker.Peer peer) throws Exception {
        if (request.api() == ApiKeys.SASL_HANDSHAKE) {
            String mechanism = new SaslHandshakeRequestData(new ByteBufferAccessor(request.body()),
                    request.apiVersion()).mechanism();
            SaslHandshakeResponseData response = new SaslHandshakeResponseData()
                    .setMechanisms(enabled.stream().sorted().toList());
            if (enabled.contains(mechanism)) {
                servers.put(peer, server(mechanism));
            } else {
                response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code());
            }
            peer.send(KafkaMessages.response(ApiKeys.SASL_HANDSHAKE, request.apiVersion(), request.correlationId(),
                    response));
        } else if (request.api() == ApiKeys.SASL_AUTHENTICATE) {
            byte[] token = new SaslAuthenticateRequestData(new ByteBufferAccessor(request.body()),
                    request.apiVersion()).authBytes();
            SaslAuthenticateResponseData response = new SaslAuthenticateResponseData();
            try {
                response.setAuthBytes(servers.get(peer).evaluateResponse(token));
            } catch (SaslException e) {
                response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(e.getMessage())
                        .setAuthBytes(new byte[0]);
            }
            peer.send(KafkaMessages.response(ApiKeys.SASL_AUTHENTICATE, request.apiVersion(), request.correlationId(),
                    response));
        } else {
            others.answer(request, peer);
        }
    }

    private SaslServer server(String mechanism) throws Exception {
        if (mechanism.equals("OAUTHBEARER")) {
            return new OAuthBearerServer();
        }
        if (mechanism.equals("PLAIN")) {
            return new PlainSaslServer(callbacks -> {
                String name = ((NameCallback) callbacks[0]).getDefaultName();
                PlainAuthenticateCallback check = (PlainAuthenticateCallback) callbacks[1];
                check.authenticated(name.equals(user) && new String(check.password()).equals(password));
            });
        }
        ScramMechanism scram = ScramMechanism.forMechanismName(mechanism);
        ScramFormatter formatter = new ScramFormatter(scram);
        return new ScramSaslServer(scram, Map.of(), callbacks -> {
            String name = ((NameCallback) callbacks[0]).getDefaultName();
            if (name.equals(user)) {
                ((ScramCredentialCallback) callbacks[1]).scramCredential(formatter.generateCredential(password, 4096));
            }
        });
    }

    private final class OAuthBearerServer implements SaslServer {
        private boolean rejected;
        private boolean complete;

        @Override
        public byte[] evaluateResponse(byte[] response) throws SaslException {
            if (rejected) {
                throw new SaslException("the token was not accepted");
            }
            String token = new OAuthBearerClientInitialResponse(response).tokenValue();
            tokensSeen.add(token);
            if (!token.equals(GOOD_TOKEN)) {
                rejected = true;
                return "{\"status\":\"invalid_token\"}".getBytes();
            }
            complete = true;
            return new byte[0];
        }

        @Override
        public boolean isComplete() {
            return complete;
        }

        @Override
        public String getMechanismName() {
            return "OAUTHBEARER";
        }

        @Override
        public String getAuthorizationID() {
            return "token-owner";
        }

        @Override
        public byte[] unwrap(byte[] incoming, int offset, int len) {
            throw new IllegalStateException();
        }

        @Override
        public byte[] wrap(byte[] outgoing, int offset, int len) {
            throw new IllegalStateException();
        }

        @Override
        public Object getNegotiatedProperty(String propName) {
            return null;
        }

        @Override
        public void dispose() {
        }
    }
}
