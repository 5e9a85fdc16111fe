package io.kanal.mesh.consume.group;

import io.kanal.mesh.async.AllOf;
import io.kanal.mesh.consume.UpstreamTimeouts;
import io.kanal.mesh.upstream.UpstreamPool;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Finds the cluster of a group whose request names no topics (a heartbeat after the mesh restarted, an admin
 * describing a group): the cluster learned before; else the only cluster; else the one cluster where the group has
 * members now, asked with DescribeGroups; else the one where it exists at all; else the default cluster.
 */
public final class GroupLocator {

    private static final Logger log = LoggerFactory.getLogger(GroupLocator.class);

    /** How a group stands in one cluster. */
    enum Presence {
        /** The cluster does not have the group. */
        ABSENT,
        /** The group exists (committed offsets, say) but has no members. */
        EMPTY,
        /** The group has members. */
        ACTIVE,
        /** The cluster could not be asked. */
        UNKNOWN
    }

    /**
     * A group in one cluster.
     *
     * @param cluster   the cluster
     * @param presence  how the group stands there
     * @param memberIds its members' ids there
     */
    record Standing(String cluster, Presence presence, Set<String> memberIds) {
    }

    private final GroupHomes homes;
    private final GroupForwarder forwarder;
    private final UpstreamPool control;
    private final ConcurrentHashMap<String, CompletableFuture<Optional<String>>> probes = new ConcurrentHashMap<>();

    public GroupLocator(GroupHomes homes, GroupForwarder forwarder, UpstreamPool control) {
        this.homes = homes;
        this.forwarder = forwarder;
        this.control = control;
    }

    /** The cluster of {@code group}, or empty when none can be told. */
    public CompletionStage<Optional<String>> locate(String group) {
        Optional<String> known = homes.known(group).or(homes::onlyCluster);
        if (known.isPresent()) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<Optional<String>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<String>> running = probes.putIfAbsent(group, mine);
        if (running != null) {
            return running;
        }
        everywhere(group).whenComplete((standings, failure) -> {
            probes.remove(group, mine);
            Optional<String> found = failure != null ? Optional.empty() : choose(standings);
            found.ifPresent(cluster -> homes.learn(group, cluster));
            Optional<String> answer = found.or(homes::defaultCluster);
            log.debug("mesh: group '{}' located in {} from {}", group, answer, standings);
            mine.complete(answer);
        });
        return mine;
    }

    private static Optional<String> choose(List<Standing> standings) {
        for (Presence wanted : List.of(Presence.ACTIVE, Presence.EMPTY)) {
            List<String> matching = standings.stream().filter(standing -> standing.presence() == wanted)
                    .map(Standing::cluster).toList();
            if (matching.size() == 1) {
                return Optional.of(matching.get(0));
            }
            if (matching.size() > 1) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** How {@code group} stands in every cluster. */
    CompletionStage<List<Standing>> everywhere(String group) {
        List<CompletableFuture<Standing>> asked = new ArrayList<>();
        for (String cluster : homes.clusterNames()) {
            asked.add(standing(cluster, group).toCompletableFuture());
        }
        return AllOf.list(asked);
    }

    /** How {@code group} stands in {@code cluster}, asked of its coordinator there. */
    CompletionStage<Standing> standing(String cluster, String group) {
        return forwarder.<DescribeGroupsResponseData>forward(control, cluster, group, ApiKeys.DESCRIBE_GROUPS,
                        ApiKeys.DESCRIBE_GROUPS.latestVersion(false),
                        version -> new DescribeGroupsRequestData().setGroups(List.of(group)), UpstreamTimeouts.DEFAULT)
                .handle((answer, failure) -> {
                    if (failure != null || answer.groups().isEmpty()) {
                        return new Standing(cluster, Presence.UNKNOWN, Set.of());
                    }
                    DescribedGroup described = answer.groups().get(0);
                    Errors error = Errors.forCode(described.errorCode());
                    Set<String> members = described.members().stream().map(DescribedGroupMember::memberId)
                            .collect(Collectors.toSet());
                    if (error == Errors.GROUP_ID_NOT_FOUND || error == Errors.NONE
                            && "Dead".equalsIgnoreCase(described.groupState())) {
                        return new Standing(cluster, Presence.ABSENT, Set.of());
                    }
                    if (error != Errors.NONE) {
                        return new Standing(cluster, Presence.UNKNOWN, Set.of());
                    }
                    return new Standing(cluster, "Empty".equalsIgnoreCase(described.groupState()) && members.isEmpty()
                            ? Presence.EMPTY : Presence.ACTIVE, members);
                });
    }
}
