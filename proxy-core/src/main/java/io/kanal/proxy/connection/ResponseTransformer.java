package io.kanal.proxy.connection;

import io.kanal.proxy.protocol.DecodedResponse;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.concurrent.CompletionStage;

/**
 * Changes decoded responses before they reach the client. A connection asks {@link #wants} for every response and
 * decodes only those it says yes to; the rest are forwarded as they arrived.
 */
public interface ResponseTransformer {

    /** Whether responses of this API and version must be decoded and passed to {@link #transform}. */
    boolean wants(ApiKeys api, short version);

    /**
     * Changes the response in place.
     *
     * @return completes with {@code true} when the response changed and must be re-encoded, {@code false} to forward
     *         the original bytes; completes exceptionally to close the connection
     */
    CompletionStage<Boolean> transform(DecodedResponse response);
}
