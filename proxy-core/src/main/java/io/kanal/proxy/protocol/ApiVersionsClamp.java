package io.kanal.proxy.protocol;

import java.util.Iterator;
import java.util.Optional;
import org.apache.kafka.common.message.ApiMessageType.ListenerType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Narrows a broker's ApiVersions response to what this proxy can also handle, so that clients never pick an API or a
 * version the proxy cannot parse.
 */
public final class ApiVersionsClamp {

    private ApiVersionsClamp() {
    }

    /**
     * Keeps, in place, only the API keys both the broker and kafka-clients know, each limited to the versions both
     * support; features and all other fields stay as the broker sent them.
     *
     * <p>The proxy's range per key is what a kafka-clients broker would advertise itself: stable versions only, since
     * an unstable latest version may still change its wire format, and Produce from version 0, which no longer parses
     * but must stay advertised because librdkafka cannot produce compressed batches otherwise (KAFKA-18659); Fetch up
     * to {@link #FETCH_MAX_VERSION}.
     *
     * @return whether anything changed, i.e. whether the response must be re-encoded
     */
    public static boolean clamp(ApiVersionsResponseData response) {
        boolean changed = false;
        for (Iterator<ApiVersion> it = response.apiKeys().iterator(); it.hasNext(); ) {
            ApiVersion broker = it.next();
            Optional<ApiVersion> proxy = proxyRange(broker.apiKey());
            if (proxy.isEmpty()) {
                it.remove();
                changed = true;
                continue;
            }
            short min = (short) Math.max(broker.minVersion(), proxy.get().minVersion());
            short max = (short) Math.min(broker.maxVersion(), proxy.get().maxVersion());
            if (min > max) {
                it.remove();
                changed = true;
            } else if (min != broker.minVersion() || max != broker.maxVersion()) {
                broker.setMinVersion(min).setMaxVersion(max);
                changed = true;
            }
        }
        return changed;
    }

    private static Optional<ApiVersion> proxyRange(short apiKey) {
        if (!ApiKeys.hasId(apiKey)) {
            return Optional.empty();
        }
        return proxyRange(ApiKeys.forId(apiKey));
    }

    /**
     * The newest Fetch version offered. Version 16 (KIP-951) adds the endpoints of moved partition leaders after every
     * partition's records; the proxy would have to read each response whole to rewrite them before sending its first
     * byte, instead of passing the records on as they arrive. Without those hints a client that meets a moved leader
     * refreshes its metadata, as clients before Kafka 3.7 always did.
     */
    public static final short FETCH_MAX_VERSION = 15;

    /** The versions of {@code api} this proxy handles, or empty when clients must not use it through a broker. */
    static Optional<ApiVersion> proxyRange(ApiKeys api) {
        Optional<ApiVersion> range = api.toApiVersionForApiResponse(false, ListenerType.BROKER);
        if (api == ApiKeys.FETCH) {
            range.ifPresent(fetch -> fetch.setMaxVersion((short) Math.min(fetch.maxVersion(), FETCH_MAX_VERSION)));
        }
        return range;
    }
}
