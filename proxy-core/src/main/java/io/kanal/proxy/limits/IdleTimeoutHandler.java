package io.kanal.proxy.limits;

import io.kanal.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection on which no byte has gone either way for the idle timeout, as Kafka brokers do after
 * {@code connections.max.idle.ms}. Placed first in the client's pipeline, so every byte read counts, whole frame or
 * not. Closing the client channel closes its broker connection too.
 */
public final class IdleTimeoutHandler extends IdleStateHandler {

    /** Metric reason of an idle close. */
    public static final String IDLE = "idle";

    private static final Logger log = LoggerFactory.getLogger(IdleTimeoutHandler.class);

    private final Duration timeout;
    private final String virtualCluster;
    private final ProxyMetrics metrics;

    /** @param timeout longer than zero */
    public IdleTimeoutHandler(Duration timeout, String virtualCluster, ProxyMetrics metrics) {
        super(0, 0, timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
        this.timeout = timeout;
        this.virtualCluster = virtualCluster;
        this.metrics = metrics;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
        if (event.state() != IdleState.ALL_IDLE || !ctx.channel().isActive()) {
            return;
        }
        metrics.connectionTimedOut(IDLE);
        log.info("{}: closing connection from {}: idle for {} ms (network.idleTimeout)", virtualCluster,
                ctx.channel().remoteAddress(), timeout.toMillis());
        ctx.close();
    }
}
