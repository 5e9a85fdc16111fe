package io.kanal.mesh.consume;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;

/** The answers a broker gives a request it cannot serve, made by kafka-clients' own request classes. */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /**
     * {@code api}'s own error response to {@code request}: {@code error} for everything the request names, with
     * {@code message} where the response has room for one.
     */
    public static ApiMessage of(ApiKeys api, short version, ApiMessage request, Errors error, String message) {
        AbstractRequest parsed = AbstractRequest.parseRequest(api, version,
                MessageUtil.toByteBufferAccessor(request, version)).request;
        return parsed.getErrorResponse(0, error.exception(message)).data();
    }
}
