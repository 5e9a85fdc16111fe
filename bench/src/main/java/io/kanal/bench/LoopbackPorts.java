package io.kanal.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free ports on the loopback address for the bench's child processes. */
final class LoopbackPorts {

    private static final String HOST = "127.0.0.1";

    private LoopbackPorts() {
    }

    /**
     * The first of {@code count} consecutive loopback ports that were all free a moment ago (held at once, then
     * released for a child process to bind).
     */
    static int consecutive(int count) throws IOException {
        InetAddress loopback = InetAddress.getByName(HOST);
        for (int attempt = 0; attempt < 100; attempt++) {
            List<ServerSocket> held = new ArrayList<>();
            try {
                ServerSocket first = new ServerSocket(0, 1, loopback);
                held.add(first);
                int port = first.getLocalPort();
                if (port + count - 1 > 65535) {
                    continue;
                }
                try {
                    for (int i = 1; i < count; i++) {
                        held.add(new ServerSocket(port + i, 1, loopback));
                    }
                    return port;
                } catch (IOException taken) {
                    // try another first port
                }
            } finally {
                for (ServerSocket socket : held) {
                    socket.close();
                }
            }
        }
        throw new IOException("found no " + count + " consecutive free ports on " + HOST);
    }
}
