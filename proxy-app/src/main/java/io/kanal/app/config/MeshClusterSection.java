package io.kanal.app.config;

import com.fasterxml.jackson.annotation.JsonFormat;

import java.util.List;
import java.util.Map;

/**
 * One entry of {@code mesh.clusters} as written.
 *
 * @param name             unique name that rules refer to
 * @param bootstrapServers a YAML list, or one string that may hold several comma-separated addresses
 * @param partitionCount   the most partitions advertised per topic; optional
 * @param producer         kafka-clients producer settings; optional
 */
record MeshClusterSection(
        String name,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> bootstrapServers,
        Integer partitionCount,
        Map<String, String> producer) {
}
