package io.kanal.proxy.tls;

import io.kanal.proxy.config.DownstreamTlsConfig;
import io.kanal.proxy.config.SniConfig;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AttributeKey;

import java.util.Optional;

/**
 * TLS for the clients of one virtual cluster: what it adds to each client channel, and what it learns of the client
 * there. Made once per virtual cluster; the same instance serves every connection.
 */
public final class DownstreamTls {

    /** The name of the TLS handler in a client channel's pipeline. */
    static final String SSL_HANDLER_NAME = "tls";
    /** The host name a client asked for by SNI, on SNI-routed channels once the handshake has begun. */
    static final AttributeKey<String> SNI_HOSTNAME = AttributeKey.valueOf(DownstreamTls.class, "sniHostname");

    private final SslContext context;
    private final PrincipalMapping principals;
    private final Optional<SniConfig> sni;

    private DownstreamTls(SslContext context, PrincipalMapping principals, Optional<SniConfig> sni) {
        this.context = context;
        this.principals = principals;
        this.sni = sni;
    }

    /**
     * @param sni when present, clients are told apart by the host name they ask for, and names it does not route are
     *            refused during the handshake
     * @throws IllegalArgumentException naming the setting that {@code provider} cannot honour, or the principal mapping
     *                                  rules that cannot be parsed
     */
    public static DownstreamTls create(DownstreamTlsConfig config, Optional<SniConfig> sni, TlsProvider provider) {
        PrincipalMapping principals;
        try {
            principals = new PrincipalMapping(config.principalMappingRules());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("principalMappingRules: " + e.getMessage(), e);
        }
        SslContextBuilder builder = SslContextBuilder
                .forServer(config.key().privateKey(), config.key().certificateChain())
                .clientAuth(switch (config.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case REQUESTED -> ClientAuth.OPTIONAL;
                    case REQUIRED -> ClientAuth.REQUIRE;
                });
        if (!config.trustedCertificates().isEmpty()) {
            builder.trustManager(config.trustedCertificates());
        }
        SslContext context = TlsContexts.build(builder, config.protocols(), config.cipherSuites(), provider);
        return new DownstreamTls(context, principals, sni);
    }

    /**
     * Puts TLS in front of a client channel's handlers: the TLS handler (after reading the SNI name, when routing by
     * it) and the gate that keeps the handlers behind out until the handshake is done; see {@link TlsHandshakeGate}.
     * To be called while the channel is initialised, before the handlers that read Kafka frames are added.
     */
    public void secure(ChannelPipeline pipeline, ProxyMetrics metrics) {
        if (sni.isPresent()) {
            SniConfig names = sni.get();
            pipeline.addLast(new SniTlsHandler(context,
                    host -> names.isBootstrap(host) || names.brokerNodeId(host).isPresent(),
                    "'" + names.bootstrapHost() + "' or '" + names.brokerHost() + "'",
                    () -> metrics.tlsHandshake(TlsHandshakeGate.UNKNOWN_SNI)));
        } else {
            pipeline.addLast(SSL_HANDLER_NAME, context.newHandler(pipeline.channel().alloc()));
        }
        pipeline.addLast(new TlsHandshakeGate(principals, metrics));
    }

    /** The host name the client of {@code channel} asked for by SNI; empty before its handshake or without SNI. */
    public static Optional<String> sniHostname(Channel channel) {
        return Optional.ofNullable(channel.attr(SNI_HOSTNAME).get());
    }
}
