package io.kanal.app.config;

import static io.kanal.app.config.ProxyConfigMapper.duration;
import static io.kanal.app.config.ProxyConfigMapper.required;

import io.kanal.proxy.sasl.ClientAuthentication;
import io.kanal.proxy.sasl.CredentialsFile;
import io.kanal.proxy.sasl.CredentialsFileException;
import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.SaslSettings;
import io.kanal.proxy.sasl.UpstreamCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.security.sasl.SaslException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a virtual cluster's {@code sasl} and {@code target.sasl} sections into the engine's {@link SaslSettings},
 * checking every value. Error messages name the key and never repeat a password or token.
 */
final class SaslSectionMapper {

    private static final Logger LOG = LoggerFactory.getLogger(SaslSectionMapper.class);
    private static final List<SaslMechanism> CLIENT_MECHANISMS =
            List.of(SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_256, SaslMechanism.SCRAM_SHA_512);

    private SaslSectionMapper() {
    }

    /**
     * @param clients  the virtual cluster's {@code sasl}, or {@code null}
     * @param target   its {@code target.sasl}, or {@code null}
     * @param path     the virtual cluster's key path
     */
    static SaslSettings map(SaslSection clients, TargetSaslSection target, KeyPath path) throws ConfigException {
        Optional<ClientAuthentication> authentication = clients == null
                ? Optional.empty()
                : Optional.of(clients(clients, path.key("sasl")));
        Optional<UpstreamCredentials> login = target == null
                ? Optional.empty()
                : Optional.of(upstream(target, path.key("target").key("sasl")));
        return new SaslSettings(authentication, login);
    }

    private static ClientAuthentication clients(SaslSection section, KeyPath path) throws ConfigException {
        List<SaslMechanism> mechanisms = section.mechanisms() == null
                ? ClientAuthentication.DEFAULT_MECHANISMS
                : clientMechanisms(section.mechanisms(), path.key("mechanisms"));
        KeyPath filePath = path.key("credentialsFile");
        CredentialsFile credentials;
        try {
            credentials = CredentialsFile.load(file(required(section.credentialsFile(), filePath), filePath));
        } catch (CredentialsFileException e) {
            throw ConfigException.at(filePath, e.getMessage());
        }
        if (credentials.size() == 0) {
            LOG.warn("{}: {} holds no users yet; add some with `kanal credentials add`", filePath,
                    credentials.path());
        }
        Duration timeout = duration(section.authenticationTimeout(), ClientAuthentication.DEFAULT_TIMEOUT,
                path.key("authenticationTimeout"));
        if (timeout.isZero()) {
            throw ConfigException.at(path.key("authenticationTimeout"), "must be longer than 0");
        }
        Duration failureDelay = duration(section.failureDelay(), ClientAuthentication.DEFAULT_FAILURE_DELAY,
                path.key("failureDelay"));
        return new ClientAuthentication(mechanisms, credentials, timeout, failureDelay);
    }

    private static List<SaslMechanism> clientMechanisms(List<String> names, KeyPath path) throws ConfigException {
        if (names.isEmpty()) {
            throw ConfigException.at(path, "at least one mechanism is required; leave the key out for SCRAM-SHA-512 "
                    + "and SCRAM-SHA-256");
        }
        List<SaslMechanism> mechanisms = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            // A YAML list names its element; a single comma-separated string is reported at the key itself.
            KeyPath entryPath = names.size() > 1 ? path.index(i) : path;
            for (String name : required(names.get(i), entryPath).split(",")) {
                SaslMechanism mechanism = mechanism(name, entryPath);
                if (!CLIENT_MECHANISMS.contains(mechanism)) {
                    throw ConfigException.at(entryPath, "the proxy cannot check clients' " + mechanism + " tokens; "
                            + "use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
                }
                if (mechanisms.contains(mechanism)) {
                    throw ConfigException.at(entryPath, mechanism + " is listed twice");
                }
                mechanisms.add(mechanism);
            }
        }
        return mechanisms;
    }

    private static UpstreamCredentials upstream(TargetSaslSection section, KeyPath path) throws ConfigException {
        KeyPath mechanismPath = path.key("mechanism");
        SaslMechanism mechanism = mechanism(required(section.mechanism(), mechanismPath), mechanismPath);
        if (mechanism != SaslMechanism.OAUTHBEARER) {
            absent(section.token(), path.key("token"), "applies to OAUTHBEARER only");
            absent(section.tokenFile(), path.key("tokenFile"), "applies to OAUTHBEARER only");
            String username = notEmpty(section.username(), path.key("username"));
            String password = notEmpty(section.password(), path.key("password"));
            return UpstreamCredentials.password(mechanism, username, password);
        }
        absent(section.username(), path.key("username"), "applies to PLAIN and SCRAM only; OAUTHBEARER logs in "
                + "with token or tokenFile");
        absent(section.password(), path.key("password"), "applies to PLAIN and SCRAM only; OAUTHBEARER logs in "
                + "with token or tokenFile");
        if ((section.token() == null) == (section.tokenFile() == null)) {
            throw ConfigException.at(path, "OAUTHBEARER needs exactly one of token and tokenFile");
        }
        if (section.token() != null) {
            return UpstreamCredentials.token(notEmpty(section.token(), path.key("token")));
        }
        KeyPath filePath = path.key("tokenFile");
        UpstreamCredentials credentials = UpstreamCredentials.tokenFile(file(section.tokenFile(), filePath));
        try {
            credentials.currentToken();
        } catch (SaslException e) {
            throw ConfigException.at(filePath, e.getMessage());
        }
        return credentials;
    }

    private static SaslMechanism mechanism(String name, KeyPath path) throws ConfigException {
        return SaslMechanism.forName(name.trim()).orElseThrow(() -> ConfigException.at(path, "'" + name.trim()
                + "' is not a SASL mechanism Kanal knows (known: " + SaslMechanism.names() + ")"));
    }

    private static Path file(String text, KeyPath path) throws ConfigException {
        if (text.isBlank()) {
            throw ConfigException.at(path, "must not be empty");
        }
        try {
            return Path.of(text.trim());
        } catch (InvalidPathException e) {
            throw ConfigException.at(path, "'" + text + "' is not a file name: " + e.getReason());
        }
    }

    private static String notEmpty(String value, KeyPath path) throws ConfigException {
        if (required(value, path).isEmpty()) {
            throw ConfigException.at(path, "must not be empty");
        }
        return value;
    }

    private static void absent(String value, KeyPath path, String why) throws ConfigException {
        if (value != null) {
            throw ConfigException.at(path, why);
        }
    }
}
