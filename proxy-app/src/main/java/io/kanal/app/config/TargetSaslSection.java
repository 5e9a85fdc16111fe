package io.kanal.app.config;

import io.kanal.app.admin.SecretRedaction;

/**
 * {@code target.sasl} as written: how the proxy logs in to the target cluster's brokers. {@link #toString()} hides the
 * password and the token.
 *
 * @param mechanism PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER
 * @param username  for PLAIN and SCRAM
 * @param password  for PLAIN and SCRAM
 * @param token     for OAUTHBEARER: the token itself
 * @param tokenFile for OAUTHBEARER: a file holding the token, read again when it changes
 */
record TargetSaslSection(String mechanism, String username, String password, String token, String tokenFile) {

    @Override
    public String toString() {
        return "TargetSaslSection[mechanism=" + mechanism + ", username=" + username + ", password="
                + SecretRedaction.mask(password) + ", token=" + SecretRedaction.mask(token) + ", tokenFile=" + tokenFile
                + "]";
    }
}
