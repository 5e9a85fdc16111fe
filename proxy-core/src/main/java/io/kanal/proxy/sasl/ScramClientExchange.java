package io.kanal.proxy.sasl;

import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

import javax.security.sasl.SaslException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * SASL/SCRAM (RFC 5802) as a client, with kafka-clients' message classes and key derivation. Unlike kafka-clients'
 * own client it takes the salted password from {@link UpstreamCredentials} when the broker sends the salt and
 * iteration count it sent before: deriving it costs milliseconds, and the proxy logs in once per broker connection.
 */
final class ScramClientExchange implements SaslClientExchange {

    /** No channel binding, no authorization id: what Kafka's clients send. */
    private static final byte[] GS2_HEADER = "n,,".getBytes(StandardCharsets.UTF_8);

    private final ScramMechanism mechanism;
    private final String username;
    private final String password;
    private final UpstreamCredentials cache;
    private final ScramFormatter formatter;
    private ClientFirstMessage clientFirst;
    private ServerFirstMessage serverFirst;
    private ClientFinalMessage clientFinal;
    private byte[] saltedPassword;

    ScramClientExchange(ScramMechanism mechanism, String username, String password, UpstreamCredentials cache)
            throws SaslException {
        this.mechanism = mechanism;
        this.username = username;
        this.password = password;
        this.cache = cache;
        try {
            this.formatter = new ScramFormatter(mechanism);
        } catch (NoSuchAlgorithmException e) {
            throw new SaslException("this JVM has no " + mechanism.hashAlgorithm(), e);
        }
    }

    @Override
    public byte[] initialResponse() {
        clientFirst = new ClientFirstMessage(ScramFormatter.saslName(username), formatter.secureRandomString(),
                Map.of());
        return clientFirst.toBytes();
    }

    @Override
    public byte[] evaluate(byte[] challenge) throws SaslException {
        if (serverFirst == null) {
            return clientFinal(challenge);
        }
        if (clientFinal == null || saltedPassword == null) {
            throw new SaslException("the broker sent a token after the exchange had ended");
        }
        ServerFinalMessage serverFinal = new ServerFinalMessage(challenge);
        if (serverFinal.error() != null) {
            throw new SaslException("the broker refused the login: " + serverFinal.error());
        }
        try {
            byte[] expected = formatter.serverSignature(formatter.serverKey(saltedPassword), clientFirst, serverFirst,
                    clientFinal);
            if (!MessageDigest.isEqual(expected, serverFinal.serverSignature())) {
                throw new SaslException("the broker's server signature is wrong: it does not hold this user's "
                        + "credential");
            }
        } catch (InvalidKeyException e) {
            throw new SaslException("cannot check the broker's server signature", e);
        } finally {
            saltedPassword = null;
        }
        return null;
    }

    private byte[] clientFinal(byte[] challenge) throws SaslException {
        serverFirst = new ServerFirstMessage(challenge);
        if (!serverFirst.nonce().startsWith(clientFirst.nonce())) {
            throw new SaslException("the broker's nonce does not extend the proxy's");
        }
        if (serverFirst.iterations() < mechanism.minIterations()) {
            throw new SaslException("the broker asks for " + serverFirst.iterations() + " iterations, fewer than the "
                    + mechanism.minIterations() + " " + mechanism.mechanismName() + " requires");
        }
        try {
            saltedPassword = cache.saltedPassword(serverFirst.salt(), serverFirst.iterations());
            if (saltedPassword == null) {
                saltedPassword = formatter.saltedPassword(password, serverFirst.salt(), serverFirst.iterations());
                cache.rememberSaltedPassword(serverFirst.salt(), serverFirst.iterations(), saltedPassword);
            }
            clientFinal = new ClientFinalMessage(GS2_HEADER, serverFirst.nonce());
            clientFinal.proof(formatter.clientProof(saltedPassword, clientFirst, serverFirst, clientFinal));
            return clientFinal.toBytes();
        } catch (InvalidKeyException e) {
            throw new SaslException("cannot compute the client proof", e);
        }
    }
}
