package io.kanal.proxy.server;

import static org.junit.jupiter.api.Assertions.fail;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A client that speaks Kafka framing over a plain socket and nothing more, so tests control every byte. Every read
 * gives up after {@link #READ_TIMEOUT_MILLIS}, so a proxy that hangs fails the test instead of blocking it.
 */
final class RawKafkaClient implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 5_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawKafkaClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawKafkaClient connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** @param receiveBufferBytes the socket's receive buffer, 0 for the system's choice */
    static RawKafkaClient connect(int port, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        if (receiveBufferBytes > 0) {
            // Set before connecting, so the TCP window is agreed with it.
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
        return new RawKafkaClient(socket);
    }

    /**
     * A client that connects with TLS and completes the handshake.
     *
     * @param serverName the host name asked for by SNI, and checked against the proxy's certificate; null for none
     *                   and no check
     */
    static RawKafkaClient connectTls(int port, SSLContext context, String serverName) throws IOException {
        Socket plain = new Socket();
        plain.setSoTimeout(READ_TIMEOUT_MILLIS);
        plain.setTcpNoDelay(true);
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        SSLParameters parameters = socket.getSSLParameters();
        if (serverName != null) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        } else {
            parameters.setServerNames(List.of());
        }
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new RawKafkaClient(socket);
    }

    /** A client connecting from {@code localAddress}, such as 127.0.0.2, rather than from the system's choice. */
    static RawKafkaClient connectFrom(InetAddress localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
        return new RawKafkaClient(socket);
    }

    /** The socket, for tests that half-close it or look at its addresses. */
    Socket socket() {
        return socket;
    }

    void send(byte[]... frames) throws IOException {
        for (byte[] frame : frames) {
            out.write(frame);
        }
        out.flush();
    }

    /** The next frame, size prefix included. */
    byte[] readFrame() throws IOException {
        int size = in.readInt();
        byte[] frame = new byte[4 + size];
        ByteBuffer.wrap(frame).putInt(size);
        in.readFully(frame, 4, size);
        return frame;
    }

    /** The correlation id of the next frame, for tests that only care about order. */
    int readCorrelationId() throws IOException {
        return ByteBuffer.wrap(readFrame(), 4, 4).getInt();
    }

    /** Fails unless the proxy closes this connection, without sending anything more, within the read timeout. */
    void assertClosedByProxy() throws IOException {
        try {
            int next = in.read();
            if (next != -1) {
                fail("expected the proxy to close the connection, but it sent more bytes");
            }
        } catch (SocketTimeoutException e) {
            fail("the proxy did not close the connection within " + READ_TIMEOUT_MILLIS + " ms");
        } catch (SocketException | EOFException reset) {
            // A reset is a close too.
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
