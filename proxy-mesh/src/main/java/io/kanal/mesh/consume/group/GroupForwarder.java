package io.kanal.mesh.consume.group;

import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractResponse;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Takes a group's request to the group's coordinator in a cluster, and notices when the coordinator has moved.
 */
public final class GroupForwarder {

    private final Coordinators coordinators;

    public GroupForwarder(Coordinators coordinators) {
        this.coordinators = coordinators;
    }

    /**
     * Sends the request {@code body} makes, in the newest version both {@code maxVersion} and the coordinator allow,
     * to the coordinator of {@code group} in {@code cluster} over {@code pool}. An answer saying NOT_COORDINATOR or
     * COORDINATOR_NOT_AVAILABLE makes the coordinator be looked up again next time; the answer itself is passed on,
     * for the client to retry.
     *
     * @return the answer; fails with a {@link GroupRouteException} when the coordinator cannot be found or asked
     */
    public <R extends ApiMessage> CompletionStage<R> forward(UpstreamPool pool, String cluster, String group,
                                                           ApiKeys api, short maxVersion,
                                                           Function<Short, ApiMessage> body, Duration timeout) {
        return coordinators.find(cluster, group)
                .thenCompose(coordinator -> pool.<R>send(coordinator, api, maxVersion, body, timeout)
                        .handle((answer, failure) -> {
                            if (failure != null) {
                                coordinators.forget(cluster, group);
                                Errors error = GroupRouteException.errorOf(failure);
                                throw new GroupRouteException(error, "the coordinator of group '" + group + "' in "
                                        + "cluster '" + cluster + "' did not answer " + api + ": "
                                        + GroupRouteException.messageOf(failure), failure);
                            }
                            if (saysCoordinatorMoved(api, answer.version(), answer.body())) {
                                coordinators.forget(cluster, group);
                            }
                            return answer.body();
                        }));
    }

    private static boolean saysCoordinatorMoved(ApiKeys api, short version, ApiMessage answer) {
        Map<Errors, Integer> errors = AbstractResponse.parseResponse(api,
                MessageUtil.toByteBufferAccessor(answer, version), version).errorCounts();
        return errors.containsKey(Errors.NOT_COORDINATOR) || errors.containsKey(Errors.COORDINATOR_NOT_AVAILABLE);
    }
}
