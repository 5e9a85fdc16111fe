package io.kanal.proxy.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kanal.proxy.config.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A listening socket that never accepts and whose accept queue is full, so the kernel drops further connection
 * attempts and a connect to it stays pending: a broker that is slow to take connections.
 */
final class UnresponsiveListener implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> queued = new ArrayList<>();

    private UnresponsiveListener() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    static UnresponsiveListener start() throws IOException {
        UnresponsiveListener listener = new UnresponsiveListener();
        boolean full = false;
        for (int i = 0; i < 10 && !full; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(listener.server.getLocalSocketAddress(), 200);
                listener.queued.add(socket);
            } catch (SocketTimeoutException dropped) {
                socket.close();
                full = true;
            }
        }
        if (!full) {
            listener.close();
        }
        assumeTrue(full, "this kernel does not drop connections to a listener with a full accept queue");
        return listener;
    }

    HostPort address() {
        return new HostPort(server.getInetAddress().getHostAddress(), server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : queued) {
            socket.close();
        }
        server.close();
    }
}
