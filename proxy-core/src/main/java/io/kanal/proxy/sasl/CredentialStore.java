package io.kanal.proxy.sasl;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.Optional;

/** Where the proxy looks up the users that may log in to a virtual cluster. Safe to call from any thread. */
public interface CredentialStore {

    /** The salted SCRAM credential of {@code user} for {@code mechanism}, when there is one. */
    Optional<ScramCredential> scramCredential(String user, ScramMechanism mechanism);

    /**
     * The iteration count most credentials for {@code mechanism} have: what the decoy credential of a user that does
     * not exist shows, so that it looks like the others. Without any, SCRAM's least.
     */
    default int usualIterations(ScramMechanism mechanism) {
        return mechanism.minIterations();
    }
}
