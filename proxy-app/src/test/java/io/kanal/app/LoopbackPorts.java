package io.kanal.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 for tests. Blocks are taken below Linux's ephemeral range, so an outgoing connection does not
 * grab them between the check and the bind; a virtual cluster needs a block (bootstrap plus one per broker).
 */
final class LoopbackPorts {

    private LoopbackPorts() {
    }

    /** The first of {@code count} consecutive ports that were all free a moment ago. */
    static int consecutive(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(20_000, 32_000 - count);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int port = first; port < first + count; port++) {
                    ServerSocket socket = new ServerSocket();
                    held.add(socket);
                    socket.setReuseAddress(false);
                    socket.bind(new InetSocketAddress("127.0.0.1", port));
                }
                return first;
            } catch (IOException inUse) {
                // try another block
            } finally {
                for (ServerSocket socket : held) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // nothing was accepted
                    }
                }
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found");
    }

    /** Whether something accepts connections on the port. */
    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
