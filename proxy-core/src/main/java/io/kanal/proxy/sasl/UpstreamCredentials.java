package io.kanal.proxy.sasl;

import io.kanal.proxy.limits.RateLimitedLog;
import org.slf4j.LoggerFactory;

import javax.security.sasl.SaslException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The credentials the proxy logs in to a target cluster's brokers with: a user name and password for PLAIN or SCRAM,
 * or a bearer token for OAUTHBEARER, given in the configuration or read from a file that is read again whenever it
 * changes. Clients never see them.
 *
 * <p>Secrets stay out of {@link #toString()}. Two instances with the same settings are equal, so a reloaded
 * configuration with unchanged credentials counts as unchanged. One instance serves every broker connection of a
 * virtual cluster; it remembers the last SCRAM salted password, so that the costly key derivation runs once per
 * salt and not once per connection.
 */
public final class UpstreamCredentials {

    private static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(10);

    private final SaslMechanism mechanism;
    private final String username;
    private final String password;
    private final String token;
    private final Path tokenFile;
    /** Shared by every broker connection of the virtual cluster: a wrong password fails them all alike. */
    private final RateLimitedLog failures = new RateLimitedLog(LoggerFactory.getLogger(UpstreamSaslHandler.class),
            FAILURE_LOG_INTERVAL);
    private volatile SaltedPassword saltedPassword;
    private volatile FileToken fileToken;

    private record SaltedPassword(byte[] salt, int iterations, byte[] value) {
    }

    private record FileToken(FileTime modified, long size, String token) {
    }

    private UpstreamCredentials(SaslMechanism mechanism, String username, String password, String token,
                                Path tokenFile) {
        this.mechanism = mechanism;
        this.username = username;
        this.password = password;
        this.token = token;
        this.tokenFile = tokenFile;
    }

    /**
     * A user name and password.
     *
     * @param mechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
     */
    public static UpstreamCredentials password(SaslMechanism mechanism, String username, String password) {
        Objects.requireNonNull(mechanism, "mechanism");
        if (mechanism == SaslMechanism.OAUTHBEARER) {
            throw new IllegalArgumentException("OAUTHBEARER logs in with a token, not a password");
        }
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("the user name and the password must not be empty");
        }
        return new UpstreamCredentials(mechanism, username, password, null, null);
    }

    /** OAUTHBEARER with a token given in the configuration. */
    public static UpstreamCredentials token(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the token must not be empty");
        }
        return new UpstreamCredentials(SaslMechanism.OAUTHBEARER, null, null, token.strip(), null);
    }

    /** OAUTHBEARER with the token in a file, read again for each new broker connection once it has changed. */
    public static UpstreamCredentials tokenFile(Path file) {
        return new UpstreamCredentials(SaslMechanism.OAUTHBEARER, null, null, null,
                Objects.requireNonNull(file, "file"));
    }

    public SaslMechanism mechanism() {
        return mechanism;
    }

    /** The user name of PLAIN and SCRAM credentials. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** The password of PLAIN and SCRAM credentials. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** The token file of OAUTHBEARER credentials that read their token from a file. */
    public Optional<Path> tokenFile() {
        return Optional.ofNullable(tokenFile);
    }

    /**
     * The OAUTHBEARER token as it is now: the configured one, or the token file's content without surrounding white
     * space.
     *
     * @throws SaslException when the token file cannot be read or is empty; the message names the file
     */
    public String currentToken() throws SaslException {
        if (token != null) {
            return token;
        }
        if (tokenFile == null) {
            throw new IllegalStateException(mechanism + " credentials have no token");
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(tokenFile, BasicFileAttributes.class);
            FileToken cached = fileToken;
            if (cached != null && cached.modified().equals(attributes.lastModifiedTime())
                    && cached.size() == attributes.size()) {
                return cached.token();
            }
            String read = Files.readString(tokenFile).strip();
            if (read.isEmpty()) {
                throw new SaslException("the token file " + tokenFile + " is empty");
            }
            fileToken = new FileToken(attributes.lastModifiedTime(), attributes.size(), read);
            return read;
        } catch (NoSuchFileException e) {
            throw new SaslException("cannot read the token file " + tokenFile + ": no such file");
        } catch (IOException e) {
            throw new SaslException("cannot read the token file " + tokenFile + ": " + e.getMessage());
        }
    }

    /** A new login exchange for one broker connection. */
    SaslClientExchange newExchange() throws SaslException {
        return switch (mechanism) {
            case PLAIN -> new PlainClientExchange(username, password);
            case SCRAM_SHA_256, SCRAM_SHA_512 -> new ScramClientExchange(mechanism.scram().orElseThrow(), username,
                    password, this);
            case OAUTHBEARER -> new OAuthBearerClientExchange(currentToken());
        };
    }

    /** The salted password remembered for this salt and iteration count, or {@code null}. */
    byte[] saltedPassword(byte[] salt, int iterations) {
        SaltedPassword cached = saltedPassword;
        return cached != null && cached.iterations() == iterations && Arrays.equals(cached.salt(), salt)
                ? cached.value() : null;
    }

    void rememberSaltedPassword(byte[] salt, int iterations, byte[] value) {
        saltedPassword = new SaltedPassword(salt.clone(), iterations, value);
    }

    /** Where failed logins with these credentials are logged, a line per interval at most. */
    RateLimitedLog failureLog() {
        return failures;
    }

    /** Who the proxy logs in as, for log lines: never a secret. */
    public String describe() {
        if (username != null) {
            return mechanism + " as '" + username + "'";
        }
        return tokenFile != null
                ? mechanism + " with the token in " + tokenFile
                : mechanism + " with the configured token";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UpstreamCredentials that && mechanism == that.mechanism
                && Objects.equals(username, that.username) && Objects.equals(password, that.password)
                && Objects.equals(token, that.token) && Objects.equals(tokenFile, that.tokenFile);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mechanism, username, password, token, tokenFile);
    }

    @Override
    public String toString() {
        return "UpstreamCredentials[" + describe() + "]";
    }
}
