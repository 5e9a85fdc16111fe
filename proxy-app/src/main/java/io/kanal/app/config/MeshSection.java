package io.kanal.app.config;

import java.util.List;

/**
 * The optional {@code mesh} section as written: one listener in front of several Kafka clusters.
 *
 * @param listener                where the mesh listens and how it names itself
 * @param clusters                the clusters behind it, at least one
 * @param rules                   which topic lives in which cluster, first match wins
 * @param defaultCluster          where topics no rule matches live; optional
 * @param metadataRefreshInterval how often known topics are described again upstream, a duration; optional
 * @param produceTimeout          the longest a produce waits for upstream acknowledgement, a duration; optional
 * @param maxPendingProduceBytes  produce bytes one client may have waiting before the mesh stops reading it; optional
 */
record MeshSection(
        MeshListenerSection listener,
        List<MeshClusterSection> clusters,
        List<MeshRuleSection> rules,
        String defaultCluster,
        String metadataRefreshInterval,
        String produceTimeout,
        Long maxPendingProduceBytes) {
}
