package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.net.Transport;
import io.kanal.proxy.server.ProxyStartException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin HTTP server, on its own port and its own single event loop thread, so that scraping metrics never
 * competes with the proxy's connections:
 * <ul>
 *   <li>{@code GET /metrics}: every meter in the registry, in Prometheus text format 0.0.4, or OpenMetrics when the
 *       request's {@code Accept} asks for {@code application/openmetrics-text};</li>
 *   <li>{@code GET /livez}: 200 {@code ok} while the process serves;</li>
 *   <li>{@code GET /readyz}: 200 {@code ok} when {@link Readiness} says so, 503 with the reasons otherwise;</li>
 *   <li>{@code GET /config}: the effective configuration as JSON, secrets replaced by {@link SecretRedaction}.</li>
 * </ul>
 * Any other path is 404, any other method 405. Requests carry no body worth reading: one larger than
 * {@value #MAX_REQUEST_BODY_BYTES} bytes is refused, and a connection idle for {@link #IDLE_TIMEOUT} is closed.
 */
public final class AdminServer implements AutoCloseable {

    static final int MAX_REQUEST_BODY_BYTES = 8 * 1024;
    static final int MAX_INITIAL_LINE_BYTES = 4 * 1024;
    static final int MAX_HEADER_BYTES = 8 * 1024;
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code listen} and starts serving.
     *
     * @param metrics   what {@code /metrics} shows
     * @param readiness what {@code /readyz} reports
     * @param config    the effective configuration, unredacted; {@code null} while it is not known yet
     * @throws ProxyStartException when the address cannot be bound; nothing is left running
     */
    public static AdminServer start(HostPort listen, PrometheusMeterRegistry metrics, Readiness readiness,
                                    Supplier<JsonNode> config) {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(readiness, "readiness");
        Objects.requireNonNull(config, "config");
        Transport transport = Transport.best();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kanal-admin", true),
                transport.ioHandlerFactory());
        AdminHandler handler = new AdminHandler(metrics, readiness, config);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES,
                                        MAX_REQUEST_BODY_BYTES))
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BODY_BYTES))
                                .addLast(handler);
                    }
                });
        try {
            Channel channel = bootstrap.bind(new InetSocketAddress(listen.host(), listen.port()))
                    .syncUninterruptibly().channel();
            AdminServer server = new AdminServer(group, channel);
            LOG.info("admin server listening on {}", server.url());
            return server;
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            throw new ProxyStartException("the admin server cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** The bound address; the real port when port 0 was asked for. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** {@code http://host:port}, for people to copy. */
    public String url() {
        return "http://" + hostPort(address());
    }

    private static String hostPort(InetSocketAddress address) {
        return new HostPort(address.getHostString(), address.getPort()).toString();
    }

    /** Stops listening and closes every admin connection. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
