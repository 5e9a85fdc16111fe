package io.kanal.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLContext;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;

/**
 * The TLS implementation: BoringSSL through Netty's native OpenSSL binding when its library loads on this platform
 * (faster, and it spares the Java heap), the JDK's own otherwise. Both offer the same protocol versions and cipher
 * suites, named the Java way.
 */
public enum TlsProvider {
    OPENSSL(SslProvider.OPENSSL),
    JDK(SslProvider.JDK);

    private final SslProvider nettyProvider;

    TlsProvider(SslProvider nettyProvider) {
        this.nettyProvider = nettyProvider;
    }

    /** OpenSSL when available, the JDK otherwise. */
    public static TlsProvider best() {
        return OpenSsl.isAvailable() ? OPENSSL : JDK;
    }

    /** For logs: which implementation, and for the JDK why not OpenSSL. */
    public String describe() {
        if (this == OPENSSL) {
            return "OpenSSL (" + OpenSsl.versionString() + ")";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return "JDK" + (cause == null ? "" : " (OpenSSL unavailable: " + cause.getMessage() + ")");
    }

    SslProvider nettyProvider() {
        return nettyProvider;
    }

    /** The named cipher suites this implementation lacks, in the order given; empty when it has them all. */
    public List<String> unsupportedCipherSuites(List<String> cipherSuites) {
        Set<String> supported = supportedCipherSuites();
        return cipherSuites.stream().filter(suite -> !supported.contains(suite)).toList();
    }

    private Set<String> supportedCipherSuites() {
        if (this == OPENSSL) {
            return OpenSsl.availableJavaCipherSuites();
        }
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS implementation", e);
        }
    }
}
