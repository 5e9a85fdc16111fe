package io.kanal.mesh.upstream;

import io.kanal.proxy.net.OffLoopResolverGroup;
import io.kanal.proxy.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Opens {@link UpstreamConnection}s: connects, then asks the broker for its API versions, as every Kafka client does
 * first. Owns the event loops the connections run on; {@link #close} stops them.
 */
public final class UpstreamConnector implements AutoCloseable {

    /** The ApiVersions version the handshake asks in: 3, the first to name the client software, since Kafka 2.4. */
    private static final short API_VERSIONS_VERSION = 3;
    private static final String SOFTWARE_NAME = "kanal-mesh";

    private final Transport transport;
    private final EventLoopGroup group;
    private final Duration connectTimeout;
    private final int maxResponseBytes;
    private final int maxInFlight;
    private final String softwareVersion;

    /**
     * @param threads          event loop threads; 0 for Netty's default
     * @param connectTimeout   how long connecting and the ApiVersions handshake may take together
     * @param maxResponseBytes the largest response a broker may send; a larger one closes its connection
     * @param maxInFlight      requests one connection may have waiting for answers
     */
    public UpstreamConnector(Transport transport, int threads, Duration connectTimeout, int maxResponseBytes,
                             int maxInFlight) {
        this.transport = transport;
        this.group = transport.newEventLoopGroup(threads);
        this.connectTimeout = connectTimeout;
        this.maxResponseBytes = maxResponseBytes;
        this.maxInFlight = maxInFlight;
        String version = UpstreamConnector.class.getPackage().getImplementationVersion();
        this.softwareVersion = version != null ? version : "dev";
    }

    /**
     * Connects to {@code broker} and learns its API versions.
     *
     * @param clientId the client id the connection's requests carry
     * @return the connection; fails with {@link UpstreamException} when the broker cannot be reached or does not
     *         answer ApiVersions within the connect timeout
     */
    public CompletionStage<UpstreamConnection> connect(BrokerAddress broker, String clientId) {
        CompletableFuture<UpstreamConnection> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannelClass())
                .resolver(OffLoopResolverGroup.INSTANCE)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new ResponseFrameAssembler(maxResponseBytes));
                    }
                });
        ChannelFuture connecting;
        try {
            connecting = bootstrap.connect(broker.address().toSocketAddress());
        } catch (RuntimeException e) {
            result.completeExceptionally(new UpstreamException("cannot connect to " + broker + ": " + e, e));
            return result;
        }
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                result.completeExceptionally(new UpstreamException("cannot connect to " + broker + ": "
                        + describe(done.cause()), done.cause()));
                return;
            }
            handshake(connecting.channel(), broker, clientId, result);
        });
        return result;
    }

    private void handshake(Channel channel, BrokerAddress broker, String clientId,
                           CompletableFuture<UpstreamConnection> result) {
        UpstreamConnection connection = new UpstreamConnection(channel, broker, clientId, maxInFlight);
        connection.<ApiVersionsResponseData>send(ApiKeys.API_VERSIONS, API_VERSIONS_VERSION,
                        new ApiVersionsRequestData().setClientSoftwareName(SOFTWARE_NAME)
                                .setClientSoftwareVersion(softwareVersion), connectTimeout)
                .whenComplete((answer, failure) -> {
                    try {
                        if (failure != null) {
                            throw failure instanceof UpstreamException upstream ? upstream
                                    : new UpstreamException("ApiVersions to " + broker + " failed", failure);
                        }
                        connection.learnVersions(answer.body());
                        result.complete(connection);
                    } catch (UpstreamException e) {
                        connection.close();
                        result.completeExceptionally(e);
                    }
                });
    }

    private static String describe(Throwable cause) {
        return cause == null ? "unknown reason" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /** Stops the event loops, which closes every connection still open. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
