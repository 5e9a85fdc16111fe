package io.kanal.filter.testkit;

import io.kanal.proxy.filter.KafkaApi;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A request a filter sent to the broker of its own accord.
 *
 * @param api     its API
 * @param version the version the filter chose
 * @param request the request as the broker reads it
 */
public record OutOfBandRequest(ApiKeys api, short version, ApiMessage request) {

    /**
     * The request as {@code expected}'s type.
     *
     * @throws AssertionError when the filter sent a request of another API
     */
    public <Q extends ApiMessage> Q request(KafkaApi<Q, ?> expected) {
        if (expected.key() != api) {
            throw new AssertionError("expected a " + expected.key() + " request, but the filter sent " + api + " v"
                    + version + ": " + request);
        }
        return expected.requestType().cast(request);
    }
}
