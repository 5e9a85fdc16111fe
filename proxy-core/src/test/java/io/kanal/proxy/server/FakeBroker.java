package io.kanal.proxy.server;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.protocol.KafkaMessages;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A stand-in for a Kafka broker on 127.0.0.1: it reads request frames and answers each as the test's {@link Script}
 * says, one thread per connection and plain blocking sockets, so a script can delay, misbehave or block on a full
 * socket exactly as the test needs.
 */
final class FakeBroker implements AutoCloseable {

    /** What the broker does with one request; runs on that connection's thread, which reads nothing meanwhile. */
    @FunctionalInterface
    interface Script {
        void answer(Request request, Peer peer) throws Exception;
    }

    /** Answers every request with its own bytes behind the request's correlation id; see {@link #echoOf}. */
    static final Script ECHO = (request, peer) -> peer.send(echoOf(request.frame()));

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fake-broker");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<Request> received = new LinkedBlockingQueue<>();
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private volatile Script script = ECHO;
    private boolean closed;

    private FakeBroker(ServerSocket server) {
        this.server = server;
        threads.execute(this::acceptLoop);
    }

    static FakeBroker start() throws IOException {
        return new FakeBroker(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    /**
     * A broker that speaks TLS with the identity and trust of {@code context}.
     *
     * @param needClientAuth whether clients, the proxy here, must present a certificate
     */
    static FakeBroker startTls(SSLContext context, boolean needClientAuth) throws IOException {
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(needClientAuth);
        return new FakeBroker(server);
    }

    HostPort address() {
        return new HostPort(server.getInetAddress().getHostAddress(), server.getLocalPort());
    }

    void script(Script script) {
        this.script = script;
    }

    /** The next request any connection received, waiting up to the client read timeout for it. */
    Request nextRequest() throws InterruptedException {
        Request request = received.poll(RawKafkaClient.READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(request, "the broker received no request");
        return request;
    }

    /** The requests received and not yet taken by {@link #nextRequest}. */
    List<Request> pendingRequests() {
        return List.copyOf(received);
    }

    /** The {@code index}-th connection the broker accepted, 0 first. */
    Peer peer(int index) {
        return peers.get(index);
    }

    /** How many connections the broker has accepted so far. */
    int connectionCount() {
        return peers.size();
    }

    /** The response {@link #ECHO} sends: the request's correlation id, then the request without its size prefix. */
    static byte[] echoOf(byte[] requestFrame) {
        int correlationId = ByteBuffer.wrap(requestFrame, 8, 4).getInt();
        return KafkaMessages.opaqueResponse(correlationId, Arrays.copyOfRange(requestFrame, 4, requestFrame.length));
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Peer peer;
                // A connection accepted while close() runs must be closed by one of the two, never by neither.
                synchronized (peers) {
                    if (closed) {
                        socket.close();
                        return;
                    }
                    peer = new Peer(socket);
                    peers.add(peer);
                }
                threads.execute(peer::serve);
            } catch (IOException | RejectedExecutionException closedNow) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (peers) {
            closed = true;
        }
        server.close();
        for (Peer peer : peers) {
            peer.close();
        }
        threads.shutdownNow();
    }

    /** A request as it arrived, with the header fields tests look at. */
    record Request(byte[] frame) {

        ApiKeys api() {
            return ApiKeys.forId(ByteBuffer.wrap(frame, 4, 2).getShort());
        }

        short apiVersion() {
            return ByteBuffer.wrap(frame, 6, 2).getShort();
        }

        int correlationId() {
            return ByteBuffer.wrap(frame, 8, 4).getInt();
        }

        /** The body, read past the header with kafka-clients' own header parser. */
        ByteBuffer body() {
            ByteBuffer buffer = ByteBuffer.wrap(frame, 4, frame.length - 4).slice();
            RequestHeader.parse(buffer);
            return buffer;
        }
    }

    /** One accepted connection, as the broker sees it. */
    final class Peer {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        Socket socket() {
            return socket;
        }

        /** Writes bytes and blocks, as a real socket does, while the other side does not take them. */
        synchronized void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void close() throws IOException {
            socket.close();
        }

        /** Reads requests until the connection ends, and has the script answer each in turn. */
        private void serve() {
            try (socket) {
                while (true) {
                    int size = in.readInt();
                    byte[] frame = new byte[4 + size];
                    ByteBuffer.wrap(frame).putInt(size);
                    in.readFully(frame, 4, size);
                    Request request = new Request(frame);
                    received.add(request);
                    script.answer(request, this);
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            } catch (Exception ended) {
                // The proxy closed the connection, or the script did: either way this connection is done.
            }
        }
    }
}
