package io.kanal.filters.topicpolicy;

import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Makes {@code topic-policy} filters, which let clients produce only to topics whose names match one of the allowed
 * patterns.
 *
 * <pre>
 * filters:
 *   - name: only-orders
 *     type: topic-policy
 *     config:
 *       allow: ["orders\\..*", "audit"]
 * </pre>
 *
 * <p>Each partition of a produce request whose topic matches no pattern (a full match, as
 * {@link java.util.regex.Matcher#matches()}) is answered with {@code TOPIC_AUTHORIZATION_FAILED} and the message
 * {@code topic 'x' is not allowed by this proxy's policy}; the Java client raises a
 * {@link org.apache.kafka.common.errors.TopicAuthorizationException} for the records sent to it. The allowed
 * partitions of the same request are forwarded and answered by the broker as usual. A request naming only denied
 * topics never reaches the broker.
 *
 * <p><b>Topic ids.</b> Produce v13 and later name topics by id only. The filter learns an id's name with a Metadata
 * request (v12) of its own, sent on the client's connection, and keeps the answer for the life of the filter: a topic
 * id is never reused for another name. A topic id the broker does not know (deleted, or too new for that broker's
 * metadata) cannot be checked, so its partitions are answered with the retriable {@code UNKNOWN_TOPIC_ID}: the client
 * refreshes its metadata and tries again, and the policy is never bypassed.
 *
 * <p>Only produce requests are checked: reading, creating or deleting topics is not restricted by this filter. For a
 * transactional producer a denied partition fails the transaction with an abortable error.
 */
public final class TopicPolicyFactory implements FilterFactory<TopicPolicyConfig> {

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public TopicPolicyFactory() {
    }

    @Override
    public String type() {
        return "topic-policy";
    }

    @Override
    public Class<TopicPolicyConfig> configType() {
        return TopicPolicyConfig.class;
    }

    /**
     * @throws IllegalArgumentException naming the key, e.g. {@code allow[1]}, when {@code allow} is missing or empty
     *                                  or a pattern is not a valid regular expression
     */
    @Override
    public Filter create(TopicPolicyConfig config, FilterFactoryContext context) {
        if (config == null || config.allow() == null) {
            throw new IllegalArgumentException("allow: missing; give at least one topic name pattern");
        }
        if (config.allow().isEmpty()) {
            throw new IllegalArgumentException("allow: empty; give at least one topic name pattern");
        }
        List<Pattern> patterns = new ArrayList<>();
        for (int i = 0; i < config.allow().size(); i++) {
            String regex = config.allow().get(i);
            if (regex == null || regex.isEmpty()) {
                throw new IllegalArgumentException("allow[" + i + "]: missing or empty pattern");
            }
            try {
                patterns.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("allow[" + i + "]: invalid regular expression '" + regex + "': "
                        + e.getDescription() + " near index " + e.getIndex(), e);
            }
        }
        return new TopicPolicyFilter(patterns);
    }
}
