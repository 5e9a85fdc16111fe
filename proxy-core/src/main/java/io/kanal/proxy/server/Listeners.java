package io.kanal.proxy.server;

import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.connection.ConnectionSettings;
import io.kanal.proxy.connection.DownstreamHandler;
import io.kanal.proxy.connection.ProxyConnection;
import io.kanal.proxy.connection.UpstreamSelector;
import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.limits.ConnectionLimiter;
import io.kanal.proxy.limits.IdleTimeoutHandler;
import io.kanal.proxy.sasl.SaslServerHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Opens listening ports whose accepted connections are proxied to the broker an {@link UpstreamSelector} names. */
final class Listeners {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private static final int ACCEPT_BACKLOG = 1024;

    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup workerGroup;
    private final ConnectionRegistry registry;
    private final ProxyConfig.Limits limits;
    /** One for every listener, so the connection limits hold over all virtual clusters and ports together. */
    private final ConnectionLimiter limiter;

    Listeners(EventLoopGroup acceptGroup, EventLoopGroup workerGroup, ConnectionRegistry registry) {
        this(acceptGroup, workerGroup, registry, ProxyConfig.Limits.DEFAULT);
    }

    Listeners(EventLoopGroup acceptGroup, EventLoopGroup workerGroup, ConnectionRegistry registry,
              ProxyConfig.Limits limits) {
        this.acceptGroup = acceptGroup;
        this.workerGroup = workerGroup;
        this.registry = registry;
        this.limits = limits;
        this.limiter = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerIp());
    }

    /**
     * Binds {@code address}, giving each accepted connection the selector {@code selectors} makes for its channel;
     * completes with the bound channel. Connections are not accepted until {@link #accept(Channel)}, so the caller
     * can finish its wiring first.
     */
    CompletableFuture<Channel> listen(InetSocketAddress address, ConnectionSettings settings,
                                      Function<Channel, UpstreamSelector> selectors) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, workerGroup)
                .channel(settings.transport().serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // Nothing is read from a client before its broker connection stands.
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, settings.writeBufferWaterMark())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (!limiter.admit(channel, settings.virtualCluster(), settings.metrics())) {
                            return;
                        }
                        if (!limits.idleTimeout().isZero()) {
                            channel.pipeline().addLast(new IdleTimeoutHandler(limits.idleTimeout(),
                                    settings.virtualCluster(), settings.metrics()));
                        }
                        ProxyConnection[] self = new ProxyConnection[1];
                        self[0] = new ProxyConnection(settings, channel, selectors.apply(channel), () -> {
                            registry.remove(self[0]);
                            log.debug("{}: connection from {} closed", settings.virtualCluster(),
                                    channel.remoteAddress());
                        });
                        registry.add(self[0]);
                        log.debug("{}: connection from {} to {}", settings.virtualCluster(), channel.remoteAddress(),
                                channel.localAddress());
                        settings.downstreamTls().ifPresent(tls -> tls.secure(channel.pipeline(), settings.metrics()));
                        channel.pipeline().addLast(new KafkaFrameDecoder(settings.maxFrameBytes()));
                        settings.sasl().clients().ifPresent(authentication -> channel.pipeline().addLast(
                                new SaslServerHandler(authentication, settings.metrics(), self[0]::authenticated)));
                        channel.pipeline().addLast(new DownstreamHandler(self[0]));
                    }
                });
        CompletableFuture<Channel> bound = new CompletableFuture<>();
        bootstrap.bind(address).addListener((ChannelFuture future) -> {
            if (future.isSuccess()) {
                bound.complete(future.channel());
            } else {
                bound.completeExceptionally(future.cause());
            }
        });
        return bound;
    }

    /** Starts accepting connections on a channel bound by {@link #listen}. */
    static void accept(Channel serverChannel) {
        serverChannel.config().setAutoRead(true);
    }
}
