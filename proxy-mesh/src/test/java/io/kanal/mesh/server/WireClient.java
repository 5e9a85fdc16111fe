package io.kanal.mesh.server;

import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A client that speaks Kafka over a plain socket and nothing more, so tests choose every request and see every
 * answer as sent. Reads give up after five seconds, so a server that hangs fails the test instead of blocking it.
 */
final class WireClient implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 5_000;

    /**
     * One response.
     *
     * @param correlationId the correlation id it answers
     * @param body          the decoded body
     */
    record Response(int correlationId, ApiMessage body) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;

    private WireClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static WireClient connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        socket.connect(address, READ_TIMEOUT_MILLIS);
        return new WireClient(socket);
    }

    /** Sends a request; returns its correlation id. */
    int send(ApiKeys api, short version, ApiMessage body) throws IOException {
        int correlationId = nextCorrelationId++;
        RequestHeader header = new RequestHeader(api, version, "wire-client", correlationId);
        ByteBuffer content = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
        byte[] frame = new byte[4 + content.remaining()];
        ByteBuffer.wrap(frame).putInt(content.remaining()).put(content);
        sendRaw(frame);
        return correlationId;
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next response, which answers {@code api} at {@code version}. */
    Response receive(ApiKeys api, short version) throws IOException {
        int size = in.readInt();
        byte[] frame = new byte[size];
        in.readFully(frame);
        ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(frame));
        ResponseHeaderData header = new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
        AbstractResponse response = AbstractResponse.parseResponse(api, accessor, version);
        return new Response(header.correlationId(), response.data());
    }

    /** Sends a request and reads its answer. */
    ApiMessage call(ApiKeys api, short version, ApiMessage body) throws IOException {
        int correlationId = send(api, version, body);
        Response response = receive(api, version);
        assertEquals(correlationId, response.correlationId(), "correlation id of the answer to " + api);
        return response.body();
    }

    /** Fails unless the server closes the connection without sending anything more. */
    void assertClosedByServer() throws IOException {
        try {
            int read = in.read();
            if (read != -1) {
                fail("expected the connection to be closed, but read a byte");
            }
        } catch (SocketException | EOFException reset) {
            // closed: as expected
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
