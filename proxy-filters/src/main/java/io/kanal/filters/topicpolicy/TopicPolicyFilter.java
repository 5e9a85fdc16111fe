package io.kanal.filters.topicpolicy;

import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterHooks;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.RequestAction;
import io.kanal.proxy.filter.RequestContext;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Refuses produce requests to topics no allowed pattern matches; see {@link TopicPolicyFactory}. Made only by its
 * factory, from a validated configuration.
 */
public final class TopicPolicyFilter implements Filter {

    /** A topic of a request that is answered by the filter rather than the broker. */
    private record Refused(TopicProduceData topic, Errors error, String message) {
    }

    private final List<Pattern> allow;
    private final TopicIdNames topicNames = new TopicIdNames();

    TopicPolicyFilter(List<Pattern> allow) {
        this.allow = List.copyOf(allow);
    }

    @Override
    public void register(FilterHooks hooks) {
        hooks.onRequest(KafkaApi.PRODUCE, this::onProduce);
    }

    /** Whether the policy lets clients produce to {@code topic}. */
    boolean allows(String topic) {
        for (Pattern pattern : allow) {
            if (pattern.matcher(topic).matches()) {
                return true;
            }
        }
        return false;
    }

    private CompletionStage<RequestAction> onProduce(RequestContext<ProduceRequestData, ProduceResponseData> context,
                                                     ProduceRequestData request) {
        Set<Uuid> unknownIds = new LinkedHashSet<>();
        for (TopicProduceData topic : request.topicData()) {
            if (usesTopicId(topic) && topicNames.cached(topic.topicId()) == null) {
                unknownIds.add(topic.topicId());
            }
        }
        if (unknownIds.isEmpty()) {
            return decide(context, request, topicNames::cached);
        }
        return topicNames.resolve(context, unknownIds).thenCompose(resolved -> decide(context, request, id -> {
            String name = resolved.get(id);
            return name != null ? name : topicNames.cached(id);
        }));
    }

    private CompletionStage<RequestAction> decide(RequestContext<ProduceRequestData, ProduceResponseData> context,
                                                  ProduceRequestData request, Function<Uuid, String> nameOfId) {
        List<Refused> answers = new ArrayList<>();
        for (TopicProduceData topic : request.topicData()) {
            String name = usesTopicId(topic) ? nameOfId.apply(topic.topicId()) : topic.name();
            if (name == null) {
                answers.add(new Refused(topic, Errors.UNKNOWN_TOPIC_ID, "topic id " + topic.topicId()
                        + " is unknown to the broker, so the proxy's topic policy cannot check it"));
            } else if (!allows(name)) {
                answers.add(new Refused(topic, Errors.TOPIC_AUTHORIZATION_FAILED,
                        "topic '" + name + "' is not allowed by this proxy's policy"));
            }
        }
        if (answers.isEmpty()) {
            return context.pass();
        }
        if (answers.size() == request.topicData().size()) {
            ProduceResponseData response = new ProduceResponseData();
            addAnswers(response, answers);
            return context.respond(response);
        }
        Set<TopicProduceData> refused = Collections.newSetFromMap(new IdentityHashMap<>());
        answers.forEach(answer -> refused.add(answer.topic()));
        request.topicData().removeIf(refused::contains);
        if (!context.expectsResponse()) {
            return context.forward(request);
        }
        return context.forward(request, (responseContext, response) -> {
            addAnswers(response, answers);
            return responseContext.forward(response);
        });
    }

    private static boolean usesTopicId(TopicProduceData topic) {
        return !Uuid.ZERO_UUID.equals(topic.topicId());
    }

    /** Adds an error entry for every partition of the refused topics, partition indexes as the client sent them. */
    private static void addAnswers(ProduceResponseData response, List<Refused> answers) {
        for (Refused answer : answers) {
            TopicProduceResponse topic = new TopicProduceResponse()
                    .setName(answer.topic().name())
                    .setTopicId(answer.topic().topicId());
            for (PartitionProduceData partition : answer.topic().partitionData()) {
                topic.partitionResponses().add(new PartitionProduceResponse()
                        .setIndex(partition.index())
                        .setErrorCode(answer.error().code())
                        .setErrorMessage(answer.message())
                        .setBaseOffset(-1L)
                        .setLogAppendTimeMs(-1L)
                        .setLogStartOffset(-1L)
                        .setRecordErrors(Collections.emptyList()));
            }
            response.responses().add(topic);
        }
    }
}
