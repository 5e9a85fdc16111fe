package io.kanal.app.config;

import io.kanal.proxy.config.ClientAuth;
import io.kanal.proxy.config.DownstreamTlsConfig;
import io.kanal.proxy.config.SniConfig;
import io.kanal.proxy.config.UpstreamTlsConfig;
import io.kanal.proxy.tls.DownstreamTls;
import io.kanal.proxy.tls.KeyCredentials;
import io.kanal.proxy.tls.TlsDefaults;
import io.kanal.proxy.tls.TlsFileException;
import io.kanal.proxy.tls.TlsFiles;
import io.kanal.proxy.tls.TlsFiles.StoreType;
import io.kanal.proxy.tls.TlsProvider;
import io.kanal.proxy.tls.UpstreamTls;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Reads the TLS and SNI sections of a virtual cluster: loads every key, certificate and store they name, so that a
 * missing file, a wrong password or an unreadable format stops start-up naming the key at fault, and checks that the
 * TLS implementation can honour the protocol versions and cipher suites asked for.
 */
final class TlsSectionMapper {

    private TlsSectionMapper() {
    }

    /** TLS for clients, or empty when {@code section} is absent. */
    static Optional<DownstreamTlsConfig> downstream(DownstreamTlsSection section, Optional<SniConfig> sni, KeyPath path)
            throws ConfigException {
        if (section == null) {
            return Optional.empty();
        }
        KeyCredentials key = keyCredentials(section.certificateFile(), section.keyFile(), section.keyPassword(),
                section.keyStore(), path).orElseThrow(() -> ConfigException.at(path, "the proxy's certificate is "
                + "missing: give certificateFile and keyFile, or keyStore"));
        ClientAuth clientAuth = clientAuth(section.clientAuth(), path.key("clientAuth"));
        KeyPath trustPath = path.key("trustStore");
        List<X509Certificate> trusted = List.of();
        if (section.trustStore() != null) {
            if (clientAuth == ClientAuth.NONE) {
                throw ConfigException.at(trustPath, "only used to check client certificates: set clientAuth to "
                        + "requested or required, or leave trustStore out");
            }
            trusted = trustedCertificates(section.trustStore(), trustPath);
        } else if (clientAuth != ClientAuth.NONE) {
            throw ConfigException.at(trustPath, "required with clientAuth " + clientAuth.name().toLowerCase(Locale.ROOT)
                    + ": the certificates (usually a CA's) that client certificates must chain to");
        }
        DownstreamTlsConfig config = new DownstreamTlsConfig(key, clientAuth, trusted,
                protocols(section.protocols(), path.key("protocols")),
                cipherSuites(section.cipherSuites(), path.key("cipherSuites")),
                section.principalMappingRules() == null
                        ? DownstreamTlsConfig.DEFAULT_PRINCIPAL_MAPPING_RULES
                        : section.principalMappingRules());
        try {
            DownstreamTls.create(config, sni, TlsProvider.best());
        } catch (IllegalArgumentException e) {
            throw settingProblem(e, path);
        }
        return Optional.of(config);
    }

    /** TLS to the target's brokers, or empty when {@code section} is absent. */
    static Optional<UpstreamTlsConfig> upstream(UpstreamTlsSection section, KeyPath path) throws ConfigException {
        if (section == null) {
            return Optional.empty();
        }
        Optional<List<X509Certificate>> trusted = section.trustStore() == null
                ? Optional.empty()
                : Optional.of(trustedCertificates(section.trustStore(), path.key("trustStore")));
        Optional<KeyCredentials> key = keyCredentials(section.certificateFile(), section.keyFile(),
                section.keyPassword(), section.keyStore(), path);
        UpstreamTlsConfig config = new UpstreamTlsConfig(trusted, key,
                section.hostnameVerification() == null || section.hostnameVerification(),
                protocols(section.protocols(), path.key("protocols")),
                cipherSuites(section.cipherSuites(), path.key("cipherSuites")));
        try {
            UpstreamTls.create(config, TlsProvider.best());
        } catch (IllegalArgumentException e) {
            throw settingProblem(e, path);
        }
        return Optional.of(config);
    }

    /** SNI routing, or empty when {@code section} is absent. */
    static Optional<SniConfig> sni(SniSection section, KeyPath path) throws ConfigException {
        if (section == null) {
            return Optional.empty();
        }
        String domain = section.domain();
        if (domain != null && domain.isBlank()) {
            throw ConfigException.at(path.key("domain"), "must not be empty");
        }
        String bootstrapHost = section.bootstrapHost() != null ? section.bootstrapHost()
                : domain != null ? "bootstrap." + domain : null;
        String brokerHost = section.brokerHost() != null ? section.brokerHost()
                : domain != null ? "broker-" + SniConfig.NODE_ID + "." + domain : null;
        if (bootstrapHost == null) {
            throw ConfigException.at(path.key("bootstrapHost"), "missing: give domain, or bootstrapHost and brokerHost");
        }
        if (brokerHost == null) {
            throw ConfigException.at(path.key("brokerHost"), "missing: give domain, or bootstrapHost and brokerHost");
        }
        OptionalInt advertisedPort = section.advertisedPort() == null
                ? OptionalInt.empty()
                : OptionalInt.of(section.advertisedPort());
        try {
            return Optional.of(new SniConfig(bootstrapHost, brokerHost, advertisedPort));
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(path, e.getMessage());
        }
    }

    /**
     * The key and certificate chain from PEM files or a key store, or empty when neither is given.
     *
     * @param path the section holding the keys, e.g. {@code virtualClusters[0].tls}
     */
    private static Optional<KeyCredentials> keyCredentials(String certificateFile, String keyFile, String keyPassword,
                                                           KeyStoreSection keyStore, KeyPath path)
            throws ConfigException {
        boolean pem = certificateFile != null || keyFile != null;
        if (pem && keyStore != null) {
            throw ConfigException.at(path.key("keyStore"), "give either certificateFile and keyFile, or keyStore, "
                    + "not both");
        }
        if (keyStore != null) {
            return Optional.of(keyStoreEntry(keyStore, path.key("keyStore")));
        }
        if (!pem) {
            if (keyPassword != null) {
                throw ConfigException.at(path.key("keyPassword"), "there is no keyFile it is the password of");
            }
            return Optional.empty();
        }
        KeyPath certificatePath = path.key("certificateFile");
        KeyPath keyPath = path.key("keyFile");
        if (certificateFile == null) {
            throw ConfigException.at(certificatePath, "missing: keyFile needs the certificate it belongs to");
        }
        if (keyFile == null) {
            throw ConfigException.at(keyPath, "missing: certificateFile needs its private key");
        }
        Path certificates = file(certificateFile, certificatePath);
        List<X509Certificate> chain;
        try {
            chain = TlsFiles.readCertificates(certificates);
        } catch (TlsFileException e) {
            throw ConfigException.at(certificatePath, e.getMessage());
        }
        try {
            return Optional.of(TlsFiles.pair(TlsFiles.readPrivateKey(file(keyFile, keyPath), password(keyPassword)),
                    chain, certificates));
        } catch (TlsFileException e) {
            KeyPath at = e.wrongPassword() ? path.key("keyPassword")
                    : e.getMessage().contains("is not the private key's") ? certificatePath : keyPath;
            throw ConfigException.at(at, e.getMessage());
        }
    }

    private static KeyCredentials keyStoreEntry(KeyStoreSection section, KeyPath path) throws ConfigException {
        KeyPath filePath = path.key("file");
        Path file = file(required(section.file(), filePath), filePath);
        StoreType type = storeType(section.type(), file, path.key("type"));
        if (type == StoreType.PEM) {
            throw ConfigException.at(path.key("type"), "PEM key material goes in certificateFile and keyFile, not in "
                    + "keyStore");
        }
        KeyStore store;
        try {
            store = TlsFiles.readKeyStore(file, type, password(section.password()));
        } catch (TlsFileException e) {
            throw ConfigException.at(e.wrongPassword() ? path.key("password") : filePath, e.getMessage());
        }
        char[] keyPassword = password(section.keyPassword() != null ? section.keyPassword() : section.password());
        try {
            return TlsFiles.keyEntry(store, file, section.alias(), keyPassword);
        } catch (TlsFileException e) {
            KeyPath at = e.wrongPassword() ? path.key("keyPassword")
                    : section.alias() != null ? path.key("alias") : filePath;
            throw ConfigException.at(at, e.getMessage());
        }
    }

    private static List<X509Certificate> trustedCertificates(TrustStoreSection section, KeyPath path)
            throws ConfigException {
        KeyPath filePath = path.key("file");
        Path file = file(required(section.file(), filePath), filePath);
        StoreType type = storeType(section.type(), file, path.key("type"));
        try {
            if (type == StoreType.PEM) {
                if (section.password() != null) {
                    throw ConfigException.at(path.key("password"), "a PEM file has no password; leave it out");
                }
                return TlsFiles.readCertificates(file);
            }
            KeyStore store;
            try {
                store = TlsFiles.readKeyStore(file, type, password(section.password()));
            } catch (TlsFileException e) {
                throw ConfigException.at(e.wrongPassword() ? path.key("password") : filePath, e.getMessage());
            }
            return TlsFiles.trustedCertificates(store, file);
        } catch (TlsFileException e) {
            throw ConfigException.at(filePath, e.getMessage());
        }
    }

    private static ClientAuth clientAuth(String text, KeyPath path) throws ConfigException {
        if (text == null) {
            return ClientAuth.NONE;
        }
        try {
            return ClientAuth.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(path, "'" + text + "' is not one of none, requested, required");
        }
    }

    private static List<String> protocols(List<String> protocols, KeyPath path) throws ConfigException {
        if (protocols == null) {
            return TlsDefaults.PROTOCOLS;
        }
        if (protocols.isEmpty()) {
            throw ConfigException.at(path, "empty; leave it out for " + String.join(" and ", TlsDefaults.PROTOCOLS));
        }
        for (int i = 0; i < protocols.size(); i++) {
            String protocol = protocols.get(i);
            if (!TlsDefaults.ALLOWED_PROTOCOLS.contains(protocol)) {
                throw ConfigException.at(path.index(i), "'" + protocol + "' is not allowed; only "
                        + String.join(" and ", TlsDefaults.PROTOCOLS) + " are safe");
            }
        }
        return protocols;
    }

    private static List<String> cipherSuites(List<String> cipherSuites, KeyPath path) throws ConfigException {
        if (cipherSuites == null) {
            return TlsDefaults.CIPHER_SUITES;
        }
        if (cipherSuites.isEmpty()) {
            throw ConfigException.at(path, "empty; leave it out for the strong defaults");
        }
        return cipherSuites;
    }

    private static StoreType storeType(String text, Path file, KeyPath path) throws ConfigException {
        if (text == null) {
            return StoreType.guess(file);
        }
        try {
            return StoreType.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(path, "'" + text + "' is not one of " + Arrays.stream(StoreType.values())
                    .map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    private static Path file(String text, KeyPath path) throws ConfigException {
        if (text.isBlank()) {
            throw ConfigException.at(path, "must not be empty");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw ConfigException.at(path, "'" + text + "' is not a path");
        }
    }

    /** An empty password, as {@code ${VAR:-}} gives for an unset variable, counts as none. */
    private static char[] password(String text) {
        return text == null || text.isEmpty() ? null : text.toCharArray();
    }

    /**
     * A setting the TLS implementation refused; its message starts with the setting's key ({@code cipherSuites: ...}),
     * which the error names under {@code path}.
     */
    private static ConfigException settingProblem(IllegalArgumentException e, KeyPath path) {
        String message = e.getMessage();
        int colon = message.indexOf(": ");
        if (colon > 0 && message.substring(0, colon).matches("[A-Za-z]+")) {
            return ConfigException.at(path.key(message.substring(0, colon)), message.substring(colon + 2));
        }
        return ConfigException.at(path, message);
    }

    private static <T> T required(T value, KeyPath path) throws ConfigException {
        if (value == null) {
            throw ConfigException.at(path, "missing required key");
        }
        return value;
    }
}
