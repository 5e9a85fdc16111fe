package io.kanal.proxy.filter;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the filter engine needs from the client connection it works for. Part of the proxy's engine, not of the
 * filter API.
 */
public interface FilteredConnection {

    /** What filters may know about the connection. */
    ConnectionInfo info();

    /** The connection's event loop: every hook result is handled there, one at a time. */
    ScheduledExecutorService executor();

    /** Whether the caller runs on {@link #executor()}. */
    boolean inExecutor();

    /** Whether the connection has closed: filters' work on it stops, and its buffers are released. */
    boolean isClosed();

    /** Sends a request of the proxy's own to the connection's broker; completes on {@link #executor()}. */
    CompletionStage<ApiMessage> sendOutOfBand(ApiKeys api, short version, ApiMessage request);
}
