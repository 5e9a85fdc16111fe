package io.kanal.proxy.tls;

import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Turns a client certificate's subject into a principal name the way Kafka brokers do, with rules in the syntax of
 * Kafka's {@code ssl.principal.mapping.rules}: the subject's distinguished name in RFC 2253 form is matched against
 * each {@code RULE:pattern/replacement/[LU]} in turn, and {@code DEFAULT} takes it as it is. The principal is a user
 * principal in Kafka's form, {@code User:<name>}, as SASL termination gives it, so that filters see one form whichever
 * way a client proved who it is.
 */
final class PrincipalMapping {

    private final SslPrincipalMapper mapper;
    private final String rules;

    /** @throws IllegalArgumentException naming what is wrong with the rules */
    PrincipalMapping(String rules) {
        this.mapper = SslPrincipalMapper.fromRules(rules);
        this.rules = rules;
    }

    /**
     * The principal of the session's client certificate, such as {@code User:alice}; empty when the client presented
     * none.
     *
     * @throws SSLPeerUnverifiedException when the certificate's subject matches no rule
     */
    Optional<String> principalOf(SSLSession session) throws SSLPeerUnverifiedException {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException noCertificate) {
            return Optional.empty();
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
            return Optional.empty();
        }
        X500Principal subject = certificate.getSubjectX500Principal();
        try {
            return Optional.of(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, mapper.getName(subject.getName()))
                    .toString());
        } catch (IOException noRuleMatched) {
            throw new SSLPeerUnverifiedException("the client certificate's subject '" + subject.getName()
                    + "' matches none of the principal mapping rules " + rules);
        }
    }
}
