package io.kanal.mesh.consume.group;

import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The topics a classic group member subscribes to, as its JoinGroup carries them. */
final class Subscriptions {

    private Subscriptions() {
    }

    /**
     * The topics in the consumer-protocol subscriptions of {@code join}, every protocol (assignor) together; empty
     * when the member is not a consumer (Kafka Connect workers, say) or its subscriptions cannot be read.
     */
    static Optional<List<String>> topics(JoinGroupRequestData join) {
        if (!ConsumerProtocol.PROTOCOL_TYPE.equals(join.protocolType())) {
            return Optional.empty();
        }
        Set<String> topics = new LinkedHashSet<>();
        boolean read = false;
        for (JoinGroupRequestProtocol protocol : join.protocols()) {
            try {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(protocol.metadata())).topics());
                read = true;
            } catch (RuntimeException unreadable) {
                // A subscription this kafka-clients cannot read says nothing about where the group lives.
            }
        }
        return read ? Optional.of(new ArrayList<>(topics)) : Optional.empty();
    }
}
