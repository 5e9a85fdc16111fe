package io.kanal.proxy.protocol;

import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** Responses the proxy writes itself instead of asking the broker. */
public final class LocalResponses {

    private LocalResponses() {
    }

    /**
     * The answer to an ApiVersions request newer than this proxy understands: version 0, UNSUPPORTED_VERSION and the
     * versions the proxy does understand, exactly as a broker answers a version it does not know. The client then
     * asks again in a version both sides share, and that answer comes from the broker.
     */
    public static DecodedResponse unsupportedApiVersions(int correlationId) {
        ApiVersionsResponseData body = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        for (ApiKeys api : ApiKeys.apisForListener(ApiMessageType.ListenerType.BROKER)) {
            ApiVersionsClamp.proxyRange(api).ifPresent(version -> body.apiKeys().add(version));
        }
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        return new DecodedResponse(ApiKeys.API_VERSIONS, header, (short) 0, body, (short) 0);
    }
}
