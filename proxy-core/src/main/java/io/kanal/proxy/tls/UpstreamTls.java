package io.kanal.proxy.tls;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.UpstreamTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.util.List;

/**
 * TLS from the proxy to one target cluster's brokers. Made once per virtual cluster; each broker connection gets its
 * own handler, which names the broker's host in the handshake (SNI) and, unless turned off, checks that the broker's
 * certificate is for that host.
 */
public final class UpstreamTls {

    /** What HTTPS checks: the certificate names the host connected to, by DNS name or IP address. */
    private static final String HOSTNAME_VERIFICATION = "HTTPS";

    private final SslContext context;

    private UpstreamTls(SslContext context) {
        this.context = context;
    }

    /**
     * @throws IllegalArgumentException naming the setting that {@code provider} cannot honour
     */
    public static UpstreamTls create(UpstreamTlsConfig config, TlsProvider provider) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .endpointIdentificationAlgorithm(config.hostnameVerification() ? HOSTNAME_VERIFICATION : null);
        // Without trusted certificates of its own, the builder uses the JVM's default trust store.
        config.trustedCertificates().ifPresent(builder::trustManager);
        config.key().ifPresent(key -> builder.keyManager(key.privateKey(), key.certificateChain()));
        return new UpstreamTls(TlsContexts.build(builder, config.protocols(), config.cipherSuites(), provider));
    }

    /** A TLS handler for a connection to the broker at {@code target}. */
    public SslHandler newHandler(ByteBufAllocator allocator, HostPort target) {
        SslHandler handler = context.newHandler(allocator, target.host(), target.port());
        String host = target.host();
        if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
            // The JDK sends SNI only for names with a dot in them; a broker behind an SNI router needs it for all.
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            engine.setSSLParameters(parameters);
        }
        return handler;
    }
}
