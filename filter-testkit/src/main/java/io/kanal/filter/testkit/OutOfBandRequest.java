package io.kanal.filter.testkit;

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
}
