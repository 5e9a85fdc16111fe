package io.kanal.proxy.protocol;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A request decoded into kafka-clients' generated classes. The body may reference the bytes of its frame (record
 * batches are read as views), so that frame must live until the request is encoded or dropped.
 *
 * @param api           the request's API
 * @param apiVersion    the version the client used
 * @param header        the request header, tagged fields included
 * @param headerVersion the header's version
 * @param body          the request body
 */
public record DecodedRequest(
        ApiKeys api, short apiVersion, RequestHeaderData header, short headerVersion, ApiMessage body) {
}
