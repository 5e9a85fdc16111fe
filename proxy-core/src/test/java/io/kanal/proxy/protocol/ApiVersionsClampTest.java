package io.kanal.proxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.message.ApiMessageType.ListenerType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ApiVersionsClampTest {

    private static final short UNKNOWN_API_KEY = 9999;

    @ParameterizedTest(name = "v{0}")
    @MethodSource("apiVersionsVersions")
    void brokerRangesAreNarrowedToWhatTheProxyParses(short version) {
        short metadataLatest = ApiKeys.METADATA.latestVersion(false);
        short describeClusterLatest = ApiKeys.DESCRIBE_CLUSTER.latestVersion(false);
        ApiVersionsResponseData fromBroker = response(
                range(UNKNOWN_API_KEY, 0, 3),
                range(ApiKeys.METADATA.id, 0, metadataLatest + 5),
                range(ApiKeys.FETCH.id, 0, 12),
                range(ApiKeys.DESCRIBE_CLUSTER.id, describeClusterLatest + 1, describeClusterLatest + 3),
                range(ApiKeys.API_VERSIONS.id, 0, 3));

        ApiVersionsResponseData atClient = exchange(fromBroker, version, true);

        assertEquals(List.of(
                        range(ApiKeys.METADATA.id, 0, metadataLatest),
                        range(ApiKeys.FETCH.id, ApiKeys.FETCH.oldestVersion(), 12),
                        range(ApiKeys.API_VERSIONS.id, 0, 3)),
                List.copyOf(atClient.apiKeys()));
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("apiVersionsVersions")
    void featuresAndOtherFieldsAreKept(short version) {
        ApiVersionsResponseData fromBroker = response(range(UNKNOWN_API_KEY, 0, 0));
        SupportedFeatureKeyCollection supported = new SupportedFeatureKeyCollection();
        supported.add(new SupportedFeatureKey().setName("metadata.version").setMinVersion((short) 7)
                .setMaxVersion((short) 27));
        FinalizedFeatureKeyCollection finalized = new FinalizedFeatureKeyCollection();
        finalized.add(new FinalizedFeatureKey().setName("metadata.version").setMinVersionLevel((short) 27)
                .setMaxVersionLevel((short) 27));
        fromBroker.setThrottleTimeMs(9).setSupportedFeatures(supported).setFinalizedFeaturesEpoch(1234)
                .setFinalizedFeatures(finalized).setZkMigrationReady(true);
        ApiVersionsResponseData expected = decode(encode(fromBroker, version), version).setApiKeys(apiKeys());

        assertEquals(expected, exchange(fromBroker, version, true));
    }

    @Test
    void unstableLatestVersionIsNotOffered() {
        ApiKeys unstable = ApiKeys.INIT_PRODUCER_ID;
        short stable = unstable.latestVersion(false);
        assertTrue(stable < unstable.latestVersion(true), "precondition: " + unstable + " has an unstable version");

        ApiVersionsResponseData atClient = exchange(
                response(range(unstable.id, 0, unstable.latestVersion(true))), ApiKeys.API_VERSIONS.latestVersion(),
                true);

        assertEquals(List.of(range(unstable.id, 0, stable)), List.copyOf(atClient.apiKeys()));
    }

    @Test
    void produceKeepsMinimumZeroForLibrdkafka() {
        assertTrue(ApiKeys.PRODUCE.oldestVersion() > 0, "precondition: Produce v0 no longer parses");
        short latest = ApiKeys.PRODUCE.latestVersion(false);
        // What a kafka-clients broker itself advertises (KAFKA-18659)
        assertEquals(range(ApiKeys.PRODUCE.id, 0, latest),
                ApiKeys.PRODUCE.toApiVersionForApiResponse(false, ListenerType.BROKER).orElseThrow());

        ApiVersionsResponseData atClient = exchange(response(range(ApiKeys.PRODUCE.id, 0, latest)),
                ApiKeys.API_VERSIONS.latestVersion(), false);

        assertEquals(List.of(range(ApiKeys.PRODUCE.id, 0, latest)), List.copyOf(atClient.apiKeys()));
    }

    @Test
    void fetchStopsBeforeTheVersionWhoseLeaderEndpointsWouldNeedEveryResponseReadWhole() {
        assertTrue(ApiKeys.FETCH.latestVersion(false) > ApiVersionsClamp.FETCH_MAX_VERSION,
                "precondition: kafka-clients knows newer Fetch versions");

        ApiVersionsResponseData atClient = exchange(
                response(range(ApiKeys.FETCH.id, 4, ApiKeys.FETCH.latestVersion(false))),
                ApiKeys.API_VERSIONS.latestVersion(), true);

        assertEquals(List.of(range(ApiKeys.FETCH.id, 4, 15)), List.copyOf(atClient.apiKeys()));
    }

    @Test
    void brokerAdvertisingWhatTheProxyHandlesIsUnchanged() {
        ApiVersionsResponseData fromBroker = response(
                range(ApiKeys.METADATA.id, 0, ApiKeys.METADATA.latestVersion(false)),
                range(ApiKeys.FIND_COORDINATOR.id, 1, 4));

        ApiVersionsResponseData atClient = exchange(fromBroker, ApiKeys.API_VERSIONS.latestVersion(), false);

        assertEquals(List.copyOf(fromBroker.apiKeys()), List.copyOf(atClient.apiKeys()));
    }

    static List<Short> apiVersionsVersions() {
        return ApiKeys.API_VERSIONS.allVersions();
    }

    /** Plays the proxy: decodes what the broker sent, clamps it, re-encodes it and decodes it as the client. */
    private static ApiVersionsResponseData exchange(ApiVersionsResponseData fromBroker, short version,
                                                    boolean expectChange) {
        ApiVersionsResponseData decoded = decode(encode(fromBroker, version), version);
        assertEquals(expectChange, ApiVersionsClamp.clamp(decoded), "clamp's answer");
        return decode(encode(decoded, version), version);
    }

    private static ByteBufferAccessor encode(ApiVersionsResponseData response, short version) {
        return MessageUtil.toByteBufferAccessor(response, version);
    }

    private static ApiVersionsResponseData decode(ByteBufferAccessor bytes, short version) {
        ApiVersionsResponseData response = new ApiVersionsResponseData(bytes, version);
        assertEquals(0, bytes.remaining(), "bytes left after decoding");
        return response;
    }

    private static ApiVersionsResponseData response(ApiVersion... ranges) {
        return new ApiVersionsResponseData().setApiKeys(apiKeys(ranges));
    }

    private static ApiVersionCollection apiKeys(ApiVersion... ranges) {
        ApiVersionCollection keys = new ApiVersionCollection();
        for (ApiVersion range : ranges) {
            keys.add(range);
        }
        return keys;
    }

    private static ApiVersion range(short apiKey, int min, int max) {
        return new ApiVersion().setApiKey(apiKey).setMinVersion((short) min).setMaxVersion((short) max);
    }
}
