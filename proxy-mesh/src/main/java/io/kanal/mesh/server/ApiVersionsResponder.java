package io.kanal.mesh.server;

import io.kanal.mesh.api.MeshApis;
import io.kanal.mesh.api.VersionRange;
import io.kanal.proxy.protocol.DecodedResponse;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Answers ApiVersions for the mesh: the APIs it serves, each in the versions both kafka-clients and its handler
 * accept. The mesh answers ApiVersions and FindCoordinator itself; every other API is listed only while a module has
 * a handler for it.
 *
 * <p>One exception: Fetch is always listed. librdkafka (kcat, confluent-kafka-python, ...) writes record batches of
 * magic v2 only to a broker that lists both Produce v3 and Fetch v4, and zstd only with Fetch v10; without Fetch it
 * would produce the old record formats, which the mesh refuses. While no module serves Fetch, a Fetch request gets
 * Fetch's own error response, UNSUPPORTED_VERSION.
 */
final class ApiVersionsResponder {

    private static final Set<ApiKeys> ANSWERED_BY_THE_MESH = EnumSet.of(ApiKeys.API_VERSIONS,
            ApiKeys.FIND_COORDINATOR);
    private static final Set<ApiKeys> ALWAYS_LISTED = EnumSet.of(ApiKeys.FETCH);

    private static final List<ApiKeys> BY_ID = Arrays.stream(ApiKeys.values())
            .sorted(Comparator.comparingInt(api -> api.id)).toList();

    private final MeshApis apis;

    ApiVersionsResponder(MeshApis apis) {
        this.apis = apis;
    }

    /** The answer to an ApiVersions request the mesh can read, in the request's version. */
    ApiVersionsResponseData answer(short requestVersion) {
        return new ApiVersionsResponseData().setErrorCode(Errors.NONE.code()).setApiKeys(listed());
    }

    /**
     * The answer to an ApiVersions request newer than the mesh knows: version 0, UNSUPPORTED_VERSION and the APIs,
     * as a broker answers; the client asks again in a version both know.
     */
    DecodedResponse unsupportedVersion(int correlationId) {
        ApiVersionsResponseData body = new ApiVersionsResponseData()
                .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                .setApiKeys(listed());
        return new DecodedResponse(ApiKeys.API_VERSIONS, new ResponseHeaderData().setCorrelationId(correlationId),
                (short) 0, body, (short) 0);
    }

    /** Every API the mesh lists, in API key order. */
    ApiVersionCollection listed() {
        ApiVersionCollection listed = new ApiVersionCollection();
        for (ApiKeys api : BY_ID) {
            versions(api).ifPresent(range -> listed.add(new ApiVersion()
                    .setApiKey(api.id).setMinVersion(range.min()).setMaxVersion(range.max())));
        }
        return listed;
    }

    /** The versions of {@code api} the mesh lists, or empty when it does not list it. */
    Optional<VersionRange> versions(ApiKeys api) {
        if (ANSWERED_BY_THE_MESH.contains(api)) {
            return MeshApis.clientRange(api);
        }
        Optional<MeshApis.Registration<?, ?>> registration = apis.handler(api);
        if (registration.isPresent()) {
            return registration.get().versions().get();
        }
        return ALWAYS_LISTED.contains(api) ? MeshApis.clientRange(api) : Optional.empty();
    }
}
