package io.kanal.filters.headerinject;

import io.kanal.proxy.filter.ConnectionInfo;
import io.kanal.proxy.filter.Filter;
import io.kanal.proxy.filter.FilterHooks;
import io.kanal.proxy.filter.KafkaApi;
import io.kanal.proxy.filter.RequestAction;
import io.kanal.proxy.filter.RequestContext;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Appends configured headers to every record of every produce request; see {@link HeaderInjectFactory}. Made only by
 * its factory, from a validated configuration.
 */
public final class HeaderInjectFilter implements Filter {

    private static final Logger LOG = LoggerFactory.getLogger(HeaderInjectFilter.class);

    /** One configured header: a fixed value, or a connection fact. */
    record Source(String key, byte[] value, ConnectionFact fact) {

        Optional<Header> header(ConnectionInfo connection) {
            if (value != null) {
                return Optional.of(new RecordHeader(key, value));
            }
            return fact.of(connection).map(v -> new RecordHeader(key, v.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private final String name;
    private final List<Source> sources;
    private final AtomicBoolean oldMagicLogged = new AtomicBoolean();

    HeaderInjectFilter(String name, List<Source> sources) {
        this.name = name;
        this.sources = List.copyOf(sources);
    }

    @Override
    public void register(FilterHooks hooks) {
        hooks.onRequest(KafkaApi.PRODUCE, this::onProduce);
    }

    private CompletionStage<RequestAction> onProduce(RequestContext<ProduceRequestData, ProduceResponseData> context,
                                                     ProduceRequestData request) {
        Header[] extra = headersFor(context.connection());
        if (extra.length == 0) {
            return context.pass();
        }
        boolean changed = false;
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                BaseRecords records = partition.records();
                if (!(records instanceof MemoryRecords memoryRecords)) {
                    continue;
                }
                RecordHeaderAppender.Result result = RecordHeaderAppender.appendHeaders(memoryRecords, extra);
                if (result.records() != null) {
                    partition.setRecords(result.records());
                    changed = true;
                } else {
                    logUntouched(context, topic, partition, result.untouched());
                }
            }
        }
        // Nothing rewritten (old formats, corrupt batches): the bytes that arrived go on, not a re-encoding.
        return changed ? context.forward(request) : context.pass();
    }

    private Header[] headersFor(ConnectionInfo connection) {
        List<Header> headers = new ArrayList<>(sources.size());
        for (Source source : sources) {
            source.header(connection).ifPresent(headers::add);
        }
        return headers.toArray(new Header[0]);
    }

    private void logUntouched(RequestContext<?, ?> context, ProduceRequestData.TopicProduceData topic,
                              ProduceRequestData.PartitionProduceData partition,
                              RecordHeaderAppender.Untouched why) {
        String where = "topic " + describe(topic) + " partition " + partition.index() + " from client "
                + context.connection().clientId() + " at " + context.connection().clientAddress();
        if (why == RecordHeaderAppender.Untouched.OLD_MAGIC) {
            if (oldMagicLogged.compareAndSet(false, true)) {
                LOG.warn("Filter {}: records older than magic v2 have no headers; forwarding them without the "
                        + "configured headers ({}; logged once)", name, where);
            }
        } else {
            LOG.debug("Filter {}: a record batch {}; forwarding the partition unchanged for the broker to judge ({})",
                    name, why == RecordHeaderAppender.Untouched.INVALID_BATCH ? "failed its CRC check" : "is unreadable",
                    where);
        }
    }

    private static String describe(ProduceRequestData.TopicProduceData topic) {
        return topic.name() == null || topic.name().isEmpty() ? "id " + topic.topicId() : "'" + topic.name() + "'";
    }
}
