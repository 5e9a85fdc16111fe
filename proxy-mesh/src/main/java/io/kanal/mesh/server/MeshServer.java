package io.kanal.mesh.server;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.config.MeshListenerConfig;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.frame.KafkaFrameDecoder;
import io.kanal.proxy.limits.ConnectionLimiter;
import io.kanal.proxy.limits.IdleTimeoutHandler;
import io.kanal.proxy.metrics.ProxyMetrics;
import io.kanal.proxy.net.Transport;
import io.kanal.proxy.server.OpenConnections;
import io.kanal.proxy.server.ProxyStartException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The mesh's listening socket and the connections it accepted. Bound first, so the port it advertises is known before
 * the handlers are made; accepting starts with {@link #accept}.
 */
public final class MeshServer {

    private static final Logger log = LoggerFactory.getLogger(MeshServer.class);
    private static final int ACCEPT_BACKLOG = 1024;
    /** Pending bytes at which a client channel stops taking writes, and at which it takes them again. */
    private static final WriteBufferWaterMark WRITE_BUFFER_WATER_MARK =
            new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final ProxyConfig network;
    private final long maxPendingBytes;
    private final ProxyMetrics metrics;
    private final OpenConnections<MeshConnection> open = new OpenConnections<>(MeshConnection::drain,
            connection -> connection.forceClose("the mesh is shutting down"));
    private final Channel serverChannel;
    private volatile MeshConnectionSettings settings;

    private MeshServer(ProxyConfig network, long maxPendingBytes, ProxyMetrics metrics, Transport transport,
                       EventLoopGroup acceptGroup, EventLoopGroup workerGroup, HostPort bind) {
        this.network = network;
        this.maxPendingBytes = maxPendingBytes;
        this.metrics = metrics;
        ProxyConfig.Limits limits = network.limits();
        ConnectionLimiter limiter = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerIp());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, workerGroup)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_BUFFER_WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (!limiter.admit(channel, "mesh", metrics)) {
                            return;
                        }
                        if (!limits.idleTimeout().isZero()) {
                            channel.pipeline().addLast(new IdleTimeoutHandler(limits.idleTimeout(), "mesh", metrics));
                        }
                        MeshConnection[] self = new MeshConnection[1];
                        self[0] = new MeshConnection(channel, settings, () -> open.remove(self[0]));
                        open.add(self[0]);
                        log.debug("mesh: connection from {}", channel.remoteAddress());
                        channel.pipeline().addLast(new KafkaFrameDecoder(network.maxFrameBytes()),
                                new MeshChannelHandler(self[0]));
                    }
                });
        try {
            serverChannel = bootstrap.bind(new InetSocketAddress(bind.host(), bind.port())).syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            throw new ProxyStartException("mesh: cannot listen on " + bind + ": " + e.getMessage(), e);
        }
    }

    /**
     * Binds the mesh's listener; nothing is accepted until {@link #accept}.
     *
     * @param network         the frame limit and the connection limits every client connection is held to
     * @param maxPendingBytes request bytes one client may have outstanding before the mesh stops reading it
     * @throws ProxyStartException naming the address when it cannot be bound
     */
    public static MeshServer bind(MeshListenerConfig listener, ProxyConfig network, long maxPendingBytes,
                                  ProxyMetrics metrics, Transport transport, EventLoopGroup acceptGroup,
                                  EventLoopGroup workerGroup) {
        return new MeshServer(network, maxPendingBytes, metrics, transport, acceptGroup, workerGroup,
                listener.bind());
    }

    /** The bound address: the real port when port 0 was configured. */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Starts accepting connections, each served from {@code apis}. */
    public void accept(MeshApis apis) {
        settings = new MeshConnectionSettings(apis, new ApiVersionsResponder(apis), new FindCoordinatorResponder(apis),
                network.limits().maxInFlightRequests(), maxPendingBytes, metrics);
        serverChannel.config().setAutoRead(true);
    }

    /**
     * Stops accepting, lets every connection finish its outstanding requests for up to {@code grace}, then closes
     * what is left.
     *
     * @return how many connections had to be closed with requests outstanding
     */
    public int close(Duration grace) throws InterruptedException {
        serverChannel.close().syncUninterruptibly();
        return open.drain(grace);
    }

    /** How many client connections are open. */
    public int connections() {
        return open.size();
    }
}
