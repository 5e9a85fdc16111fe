package io.kanal.mesh.consume.group;

import io.kanal.mesh.consume.group.GroupLocator.Presence;

import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides which cluster a member joining a group (JoinGroup, ConsumerGroupHeartbeat) is sent to, from the topics it
 * subscribes to: a group lives in the one cluster of its topics. A subscription spanning clusters is refused, and so
 * is one whose cluster differs from the cluster the group already has members in (another member subscribes to
 * topics elsewhere); a group with no members left may move.
 */
final class MembershipRouter {

    /**
     * Where a member goes.
     *
     * @param cluster the cluster to send it to; empty when refused or when no cluster can be told
     * @param refusal why it is refused, or {@code null}
     */
    record Decision(Optional<String> cluster, String refusal) {

        static Decision to(String cluster) {
            return new Decision(Optional.of(cluster), null);
        }

        static Decision refused(String why) {
            return new Decision(Optional.empty(), why);
        }

        static Decision unknown() {
            return new Decision(Optional.empty(), null);
        }

        boolean isRefused() {
            return refusal != null;
        }
    }

    private final GroupHomes homes;
    private final GroupLocator locator;

    MembershipRouter(GroupHomes homes, GroupLocator locator) {
        this.homes = homes;
        this.locator = locator;
    }

    /**
     * @param memberId the joining member's id, empty when it has none yet
     * @param topics   the topics it subscribes to; empty when it names none (the group is then found as a request
     *                 without topics finds it)
     */
    CompletionStage<Decision> decide(String group, String memberId, Optional<? extends Collection<String>> topics) {
        if (topics.isPresent() && !topics.get().isEmpty()) {
            GroupHomes.Placement placement = homes.place(topics.get());
            if (placement.spans()) {
                return CompletableFuture.completedFuture(Decision.refused("group '" + group + "' subscribes to "
                        + "topics of several clusters behind the Kanal mesh: " + placement.describe()
                        + "; the mesh serves a consumer group from one cluster only (use assign() to read "
                        + "partitions of several clusters, or one group per cluster)"));
            }
            Optional<String> cluster = placement.single();
            if (cluster.isPresent()) {
                return join(group, memberId, cluster.get(), placement);
            }
        }
        return locator.locate(group).thenApply(found -> found.map(Decision::to).orElseGet(Decision::unknown));
    }

    private CompletionStage<Decision> join(String group, String memberId, String cluster,
                                           GroupHomes.Placement placement) {
        Optional<String> known = homes.known(group);
        if (known.isEmpty() || known.get().equals(cluster)) {
            homes.learn(group, cluster);
            return CompletableFuture.completedFuture(Decision.to(cluster));
        }
        return locator.standing(known.get(), group).thenApply(standing -> {
            Set<String> others = new HashSet<>(standing.memberIds());
            others.remove(memberId);
            if (standing.presence() == Presence.ACTIVE && !others.isEmpty()) {
                return Decision.refused("group '" + group + "' has members consuming topics of cluster '"
                        + known.get() + "' through the Kanal mesh, and this member subscribes to topics of "
                        + placement.describe() + "; the mesh serves a consumer group from one cluster only");
            }
            homes.learn(group, cluster);
            return Decision.to(cluster);
        });
    }
}
