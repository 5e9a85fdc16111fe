package io.kanal.it.mesh;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Kafka client over a plain socket, for what stock clients never send: a produce to a topic their metadata says
 * does not exist, an old record format, the same idempotent batch twice. Reads give up after 30 seconds, longer than
 * the mesh takes to give up on a cluster it cannot reach (10 s).
 */
final class MeshWire implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;

    private MeshWire(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static MeshWire connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
        return new MeshWire(socket);
    }

    /** Sends a request and reads its answer. */
    ApiMessage call(ApiKeys api, short version, ApiMessage body) throws IOException {
        int correlationId = nextCorrelationId++;
        RequestHeader header = new RequestHeader(api, version, "mesh-wire", correlationId);
        ByteBuffer content = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
        byte[] frame = new byte[4 + content.remaining()];
        ByteBuffer.wrap(frame).putInt(content.remaining()).put(content);
        out.write(frame);
        out.flush();
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(response));
        ResponseHeaderData responseHeader = new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
        assertEquals(correlationId, responseHeader.correlationId(), "correlation id of the answer to " + api);
        return AbstractResponse.parseResponse(api, accessor, version).data();
    }

    /** Produces {@code records} to one partition with acks=all and returns that partition's answer. */
    PartitionProduceResponse produce(short version, String topic, int partition, MemoryRecords records)
            throws IOException {
        return produce(version, new TopicProduceData().setName(topic), partition, records);
    }

    /** Produces {@code records} to one partition of the topic with id {@code topicId}, as Produce v13 names it. */
    PartitionProduceResponse produce(Uuid topicId, int partition, MemoryRecords records) throws IOException {
        return produce((short) 13, new TopicProduceData().setTopicId(topicId), partition, records);
    }

    private PartitionProduceResponse produce(short version, TopicProduceData topic, int partition,
                                             MemoryRecords records) throws IOException {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTopicData(new TopicProduceDataCollection(List.of(topic.setPartitionData(List.of(
                        new PartitionProduceData().setIndex(partition).setRecords(records)))).iterator()));
        ProduceResponseData response = (ProduceResponseData) call(ApiKeys.PRODUCE, version, request);
        return response.responses().iterator().next().partitionResponses().get(0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
