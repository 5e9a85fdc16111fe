package io.kanal.filters.topicpolicy;

import java.util.List;

/**
 * Configuration of the {@code topic-policy} filter.
 *
 * <pre>
 * config:
 *   allow: ["orders\\..*", "audit"]
 * </pre>
 *
 * @param allow Java regular expressions; a topic may be produced to when its whole name matches one of them. At least
 *              one.
 */
public record TopicPolicyConfig(List<String> allow) {
}
