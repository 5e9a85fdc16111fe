package io.kanal.app.config;

/**
 * One entry of {@code mesh.rules} as written: exactly one of the three matchers, and the cluster.
 *
 * @param topicPrefix topics whose name starts with this
 * @param topic       the topic of exactly this name
 * @param topicRegex  topics whose whole name matches this regular expression
 * @param cluster     the name of the cluster the matching topics live in
 */
record MeshRuleSection(String topicPrefix, String topic, String topicRegex, String cluster) {
}
