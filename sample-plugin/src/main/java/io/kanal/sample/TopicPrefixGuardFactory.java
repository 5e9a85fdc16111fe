package io.kanal.sample;

import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterFactory;
import io.kanal.proxy.filter.FilterFactoryContext;
import io.kanal.proxy.filter.KafkaApi;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Filter type {@code topic-prefix-guard}: clients may only create topics whose names start with a prefix. Each other
 * topic of a CreateTopics request fails with {@code POLICY_VIOLATION}; the rest still go to the broker.
 * <pre>
 * filters:
 *   - { name: team-a-topics, type: topic-prefix-guard, config: { prefix: "team-a." } }
 * </pre>
 */
public final class TopicPrefixGuardFactory implements FilterFactory<TopicPrefixGuardFactory.Config> {

    /** @param prefix what every new topic's name must start with */
    public record Config(String prefix) {
    }

    @Override
    public String type() {
        return "topic-prefix-guard";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Filter create(Config config, FilterFactoryContext factoryContext) {
        String prefix = config.prefix();
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("prefix is required"); // reported as a config error at start-up
        }
        // A Filter only registers hooks; this one needs just the CreateTopics request hook, and keeps no state.
        return hooks -> hooks.onRequest(KafkaApi.CREATE_TOPICS, (context, request) -> {
            List<CreatableTopicResult> refused = new ArrayList<>();
            for (Iterator<CreatableTopic> topics = request.topics().iterator(); topics.hasNext(); ) {
                CreatableTopic topic = topics.next();
                if (!topic.name().startsWith(prefix)) {
                    topics.remove();
                    refused.add(new CreatableTopicResult().setName(topic.name())
                            .setErrorCode(Errors.POLICY_VIOLATION.code())
                            .setErrorMessage("topic name must start with '" + prefix + "'"));
                }
            }
            if (refused.isEmpty()) {
                return context.pass(); // unchanged: the request's own bytes go on
            }
            if (request.topics().isEmpty()) {
                CreateTopicsResponseData response = new CreateTopicsResponseData();
                response.topics().addAll(refused);
                return context.respond(response); // nothing left for the broker: answer here
            }
            // Send the allowed topics on, and add the refused ones to the broker's answer.
            return context.forward(request, (responseContext, response) -> {
                response.topics().addAll(refused);
                return responseContext.forward(response);
            });
        });
    }
}
