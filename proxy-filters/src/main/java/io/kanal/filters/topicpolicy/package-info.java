/**
 * The {@code topic-policy} filter: lets clients produce only to topics whose names match a list of patterns.
 *
 * <p>See {@link io.kanal.filters.topicpolicy.TopicPolicyFactory}.
 */
package io.kanal.filters.topicpolicy;
