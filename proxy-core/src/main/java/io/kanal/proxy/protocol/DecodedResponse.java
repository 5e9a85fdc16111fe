package io.kanal.proxy.protocol;

import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A response decoded into kafka-clients' generated classes. The body may still reference the bytes of the frame it
 * was decoded from (record batches are read as views), so that frame must live until the response is encoded.
 *
 * @param api           the API the response answers
 * @param header        the response header, tagged fields included
 * @param headerVersion the header's version
 * @param body          the response body
 * @param bodyVersion   the version the body is written in; for ApiVersions this may be 0 whatever was asked,
 *                      because a broker answers an ApiVersions version it does not know in version 0
 */
public record DecodedResponse(
        ApiKeys api, ResponseHeaderData header, short headerVersion, ApiMessage body, short bodyVersion) {
}
