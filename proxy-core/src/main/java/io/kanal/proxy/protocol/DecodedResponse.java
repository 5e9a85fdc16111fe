package io.kanal.proxy.protocol;

import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractResponse;

import java.util.Map;

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
 * @param parsed        kafka-clients' response object around {@code body}, for what it computes (error counts);
 *                      {@code null} when there is none
 */
public record DecodedResponse(
        ApiKeys api, ResponseHeaderData header, short headerVersion, ApiMessage body, short bodyVersion,
        AbstractResponse parsed) {

    /** A response without kafka-clients' response object. */
    public DecodedResponse(ApiKeys api, ResponseHeaderData header, short headerVersion, ApiMessage body,
                           short bodyVersion) {
        this(api, header, headerVersion, body, bodyVersion, null);
    }

    /** This response with another body of the same API and version, as a filter changed it. */
    public DecodedResponse withBody(ApiMessage changedBody) {
        return new DecodedResponse(api, header, headerVersion, changedBody, bodyVersion);
    }

    /**
     * How often each error code occurs in {@code current}, a body of this response's API and version, counted the
     * way kafka-clients counts them. Free when {@code current} is the decoded body; otherwise it is encoded and read
     * back once.
     */
    public Map<Errors, Integer> errorCounts(ApiMessage current) {
        if (parsed != null && parsed.data() == current) {
            return parsed.errorCounts();
        }
        return AbstractResponse.parseResponse(api, MessageUtil.toByteBufferAccessor(current, bodyVersion), bodyVersion)
                .errorCounts();
    }
}
