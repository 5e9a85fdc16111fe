package io.kanal.proxy.connection;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Why a client connection closes when what the filters decided cannot be written back to the wire. One wording for
 * the connection and for what mirrors it (the filter test kit), so a test reads the reason the proxy logs.
 */
public final class CloseReasons {

    private CloseReasons() {
    }

    /** A request a filter changed that cannot be encoded in the client's version. */
    public static String unencodableRequest(ApiKeys api, RuntimeException failure) {
        return "cannot encode the filtered " + api + " request: " + failure;
    }

    /** An answer a filter gave in place of the broker that cannot be encoded in the request's version. */
    public static String unencodableAnswer(ApiKeys api, RuntimeException failure) {
        return "cannot encode a filter's " + api + " response: " + failure;
    }

    /** A broker's response, as the proxy or a filter changed it, that cannot be encoded in its version. */
    public static String unencodableResponse(ApiKeys api, RuntimeException failure) {
        return "cannot encode the " + api + " response: " + failure;
    }
}
