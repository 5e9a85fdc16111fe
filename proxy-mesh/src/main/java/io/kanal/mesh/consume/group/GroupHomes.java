package io.kanal.mesh.consume.group;

import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.cluster.UpstreamClusters;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which cluster each consumer group belongs to. A group lives in one cluster, where its coordinator keeps its members
 * and offsets; the mesh learns which from the topics the group's members name (subscriptions, committed and fetched
 * offsets), since the rules say where each topic lives. What it learned is kept for as long as the mesh runs, for
 * the most recently used groups. Safe for use from any thread.
 */
public final class GroupHomes {

    /** Groups remembered; beyond this many the least recently used is forgotten, and learned again when needed. */
    static final int MAX_GROUPS = 100_000;

    /**
     * The clusters some topics live in.
     *
     * @param topicsByCluster each cluster's topics among those asked about, in configuration order of the clusters;
     *                        topics no rule routes are left out
     */
    public record Placement(Map<String, List<String>> topicsByCluster) {

        /** The one cluster all the routed topics live in, if there is exactly one. */
        public Optional<String> single() {
            return topicsByCluster.size() == 1 ? Optional.of(topicsByCluster.keySet().iterator().next())
                    : Optional.empty();
        }

        /** Whether the topics live in more than one cluster. */
        public boolean spans() {
            return topicsByCluster.size() > 1;
        }

        /** {@code cluster1 (a, b), cluster2 (c)}: for messages. */
        public String describe() {
            return topicsByCluster.entrySet().stream()
                    .map(entry -> "'" + entry.getKey() + "' (" + String.join(", ", entry.getValue()) + ")")
                    .collect(Collectors.joining(", "));
        }
    }

    private final UpstreamClusters clusters;
    private final Optional<String> defaultCluster;
    private final Map<String, String> homes = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > MAX_GROUPS;
                }
            });

    /** @param defaultCluster the mesh's default cluster, where groups that name no topics are assumed to live */
    public GroupHomes(UpstreamClusters clusters, Optional<String> defaultCluster) {
        this.clusters = clusters;
        this.defaultCluster = defaultCluster;
    }

    /** Where {@code topics} live. */
    public Placement place(Collection<String> topics) {
        Map<String, List<String>> byCluster = new LinkedHashMap<>();
        for (UpstreamCluster cluster : clusters.all()) {
            for (String topic : topics) {
                if (clusters.route(topic).filter(owner -> owner == cluster).isPresent()) {
                    List<String> list = byCluster.computeIfAbsent(cluster.name(), name -> new ArrayList<>());
                    if (!list.contains(topic)) {
                        list.add(topic);
                    }
                }
            }
        }
        return new Placement(byCluster);
    }

    /** The cluster {@code group} was learned to live in. */
    public Optional<String> known(String group) {
        return Optional.ofNullable(homes.get(group));
    }

    public void learn(String group, String cluster) {
        homes.put(group, cluster);
    }

    public void forget(String group) {
        homes.remove(group);
    }

    /** The only cluster behind the mesh, if there is one. */
    public Optional<String> onlyCluster() {
        List<UpstreamCluster> all = clusters.all();
        return all.size() == 1 ? Optional.of(all.get(0).name()) : Optional.empty();
    }

    /** The mesh's default cluster, if it has one. */
    public Optional<String> defaultCluster() {
        return defaultCluster;
    }

    /** Every cluster's name, in configuration order. */
    public List<String> clusterNames() {
        return clusters.all().stream().map(UpstreamCluster::name).toList();
    }
}
