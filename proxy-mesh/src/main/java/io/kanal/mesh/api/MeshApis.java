package io.kanal.mesh.api;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The mesh's handler table: which {@link MeshApiHandler} answers which Kafka API, in which versions, and which
 * {@link CoordinatorResolver} answers FindCoordinator for which key type. Modules fill it through a {@link Builder}
 * when the mesh starts; it does not change afterwards.
 *
 * <p>The versions the mesh advertises in ApiVersions for an API, and accepts, are those both kafka-clients (stable
 * versions only, as a released broker advertises) and the registration allow. ApiVersions and FindCoordinator are
 * answered by the mesh itself and cannot be registered.
 */
public final class MeshApis {

    /**
     * One API's handler.
     *
     * @param api         the API
     * @param requestType the API's request body class
     * @param handler     what answers it
     * @param versions    the versions the handler accepts, asked each time ApiVersions is answered; empty while the
     *                    API cannot be served at all (it is then neither advertised nor accepted)
     */
    public record Registration<Q extends ApiMessage, R extends ApiMessage>(
            ApiKeys api, Class<Q> requestType, MeshApiHandler<Q, R> handler,
            Supplier<Optional<VersionRange>> versions) {
    }

    private static final Set<ApiKeys> ANSWERED_BY_THE_MESH = Set.of(ApiKeys.API_VERSIONS, ApiKeys.FIND_COORDINATOR);

    private final Map<ApiKeys, Registration<?, ?>> handlers;
    private final Map<CoordinatorType, CoordinatorResolver> coordinators;

    private MeshApis(Map<ApiKeys, Registration<?, ?>> handlers, Map<CoordinatorType, CoordinatorResolver> coordinators) {
        this.handlers = Collections.unmodifiableMap(new EnumMap<>(handlers));
        this.coordinators = Collections.unmodifiableMap(new EnumMap<>(coordinators));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The registration for {@code api}, if a module registered one. */
    public Optional<Registration<?, ?>> handler(ApiKeys api) {
        return Optional.ofNullable(handlers.get(api));
    }

    /** The APIs modules registered handlers for. */
    public Set<ApiKeys> registered() {
        return handlers.keySet();
    }

    /** The resolver for FindCoordinator keys of {@code type}, if a module registered one. */
    public Optional<CoordinatorResolver> coordinator(CoordinatorType type) {
        return Optional.ofNullable(coordinators.get(type));
    }

    /** The versions of {@code api} this proxy's kafka-clients can read and write: stable ones only. */
    public static Optional<VersionRange> clientRange(ApiKeys api) {
        short oldest = api.oldestVersion();
        short latest = api.latestVersion(false);
        return latest < oldest ? Optional.empty() : Optional.of(new VersionRange(oldest, latest));
    }

    /** Fills a {@link MeshApis}. */
    public static final class Builder {

        private final Map<ApiKeys, Registration<?, ?>> handlers = new EnumMap<>(ApiKeys.class);
        private final Map<CoordinatorType, CoordinatorResolver> coordinators = new EnumMap<>(CoordinatorType.class);

        private Builder() {
        }

        /** Registers {@code handler} for every version of {@code api} kafka-clients supports. */
        public <Q extends ApiMessage, R extends ApiMessage> Builder handle(ApiKeys api, Class<Q> requestType,
                                                                         MeshApiHandler<Q, R> handler) {
            return handle(api, requestType, handler, () -> clientRange(api));
        }

        /** Registers {@code handler} for the versions of {@code api} in {@code versions} that kafka-clients supports. */
        public <Q extends ApiMessage, R extends ApiMessage> Builder handle(ApiKeys api, Class<Q> requestType,
                                                                         MeshApiHandler<Q, R> handler,
                                                                         VersionRange versions) {
            Optional<VersionRange> fixed = clientRange(api).flatMap(versions::intersect);
            return handle(api, requestType, handler, () -> fixed);
        }

        /**
         * Registers {@code handler} for versions that may change while the mesh runs, such as those every upstream
         * cluster supports for an API the handler forwards; {@code versions} is asked each time, and intersected
         * with what kafka-clients supports.
         *
         * @throws IllegalStateException when {@code api} has a handler already, or is one the mesh answers itself
         * @throws IllegalArgumentException when {@code requestType} is not {@code api}'s request class
         */
        public <Q extends ApiMessage, R extends ApiMessage> Builder handle(
                ApiKeys api, Class<Q> requestType, MeshApiHandler<Q, R> handler,
                Supplier<Optional<VersionRange>> versions) {
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(versions, "versions");
            if (ANSWERED_BY_THE_MESH.contains(api)) {
                throw new IllegalStateException(api + " is answered by the mesh itself"
                        + (api == ApiKeys.FIND_COORDINATOR ? "; register a CoordinatorResolver instead" : ""));
            }
            Class<?> expected = api.messageType.newRequest().getClass();
            if (expected != requestType) {
                throw new IllegalArgumentException(api + " requests are " + expected.getSimpleName() + ", not "
                        + requestType.getSimpleName());
            }
            if (handlers.containsKey(api)) {
                throw new IllegalStateException(api + " has a handler already");
            }
            handlers.put(api, new Registration<>(api, requestType, handler,
                    () -> versions.get().flatMap(range -> clientRange(api).flatMap(range::intersect))));
            return this;
        }

        /**
         * Registers the resolver for FindCoordinator keys of {@code type}.
         *
         * @throws IllegalStateException when {@code type} has a resolver already
         */
        public Builder coordinator(CoordinatorType type, CoordinatorResolver resolver) {
            Objects.requireNonNull(resolver, "resolver");
            if (coordinators.putIfAbsent(type, resolver) != null) {
                throw new IllegalStateException(type + " coordinators have a resolver already");
            }
            return this;
        }

        public MeshApis build() {
            return new MeshApis(handlers, coordinators);
        }
    }
}
