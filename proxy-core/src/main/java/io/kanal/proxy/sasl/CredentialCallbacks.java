package io.kanal.proxy.sasl;

import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.ScramCredentialCallback;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * Answers kafka-clients' SASL servers from a {@link CredentialStore}: SCRAM servers get the user's salted credential,
 * and a PLAIN password is checked by deriving the SCRAM StoredKey from it and comparing, so that no password is ever
 * stored.
 *
 * <p>A user that does not exist is answered with a decoy credential, the same for every attempt with that name, so
 * that the exchange fails at the same step and after the same work as a wrong password: nobody can find out which
 * users exist. What SCRAM shows of a credential before the password counts, its salt and iteration count, is made to
 * look like a real one: a salt as Kafka makes them, and the iteration count the store's users have. One instance serves one authentication and remembers the user name it was asked about, for logs.
 */
final class CredentialCallbacks implements CallbackHandler {

    /** Decoys must differ between processes, but stay the same for a name within one. */
    private static final byte[] DECOY_KEY = randomKey();
    private static final int SALT_BITS = 130;

    private final CredentialStore store;
    private final ScramMechanism scramMechanism;
    private volatile String user;

    /** @param scramMechanism the SCRAM mechanism of the server, {@code null} for PLAIN */
    CredentialCallbacks(CredentialStore store, ScramMechanism scramMechanism) {
        this.store = store;
        this.scramMechanism = scramMechanism;
    }

    /** The user name the client gave, once it has given one. */
    String user() {
        return user;
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof NameCallback name) {
                user = name.getDefaultName();
            } else if (callback.getClass() == ScramCredentialCallback.class && scramMechanism != null) {
                // Exactly the class: its subclass asks for delegation tokens, which the proxy does not issue.
                ((ScramCredentialCallback) callback).scramCredential(scramCredential(user, scramMechanism));
            } else if (callback instanceof PlainAuthenticateCallback plain && scramMechanism == null) {
                plain.authenticated(passwordMatches(user, plain.password()));
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private ScramCredential scramCredential(String name, ScramMechanism mechanism) {
        return store.scramCredential(name, mechanism).orElseGet(() -> decoy(name, mechanism,
                store.usualIterations(mechanism)));
    }

    /**
     * Whether {@code password} is the one the user's SCRAM credential was made from; SCRAM-SHA-512 is tried before
     * SCRAM-SHA-256.
     */
    private boolean passwordMatches(String name, char[] password) {
        ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_512;
        Optional<ScramCredential> stored = store.scramCredential(name, mechanism);
        if (stored.isEmpty()) {
            Optional<ScramCredential> sha256 = store.scramCredential(name, ScramMechanism.SCRAM_SHA_256);
            if (sha256.isPresent()) {
                mechanism = ScramMechanism.SCRAM_SHA_256;
                stored = sha256;
            }
        }
        ScramCredential credential = stored.orElseGet(() -> decoy(name, ScramMechanism.SCRAM_SHA_512,
                store.usualIterations(ScramMechanism.SCRAM_SHA_512)));
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            byte[] salted = formatter.saltedPassword(new String(password), credential.salt(), credential.iterations());
            byte[] storedKey = formatter.storedKey(formatter.clientKey(salted));
            return MessageDigest.isEqual(storedKey, credential.storedKey()) && stored.isPresent();
        } catch (GeneralSecurityException e) {
            return false;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static ScramCredential decoy(String name, ScramMechanism mechanism, int iterations) {
        int keyBytes = mechanism == ScramMechanism.SCRAM_SHA_256 ? 32 : 64;
        return new ScramCredential(decoySalt(name), derive("stored", name, keyBytes), derive("server", name, keyBytes),
                iterations);
    }

    /**
     * A salt of the form Kafka gives every credential it makes ({@code ScramFormatter.secureRandomBytes}): the base-36
     * digits of a 130-bit number, as ASCII. A salt of raw bytes would tell a decoy from a real user at a glance.
     */
    private static byte[] decoySalt(String name) {
        BigInteger number = new BigInteger(1, derive("salt", name, SALT_BITS / 8 + 1)).shiftRight(8 - SALT_BITS % 8);
        return number.toString(36).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] derive(String purpose, String name, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(DECOY_KEY, mac.getAlgorithm()));
            mac.update(purpose.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return Arrays.copyOf(mac.doFinal(String.valueOf(name).getBytes(StandardCharsets.UTF_8)), length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA512", e);
        }
    }
}
