package io.kanal.proxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 for tests, shared by every module's tests through this module's test jar. A virtual cluster needs
 * a block of consecutive ports (its bootstrap port, then one per broker node id), so a single free port is not enough.
 *
 * <p>A port found free can be taken by another process before the proxy binds it; the range searched lies below
 * Linux's ephemeral range (32768-60999), so that outgoing connections, the usual thief, never pick these ports.
 */
public final class FreePorts {

    private static final int LOWEST = 20_000;
    private static final int HIGHEST = 32_000;
    private static final int ATTEMPTS = 200;

    private FreePorts() {
    }

    /** The first port of {@code count} consecutive ports that were all free a moment ago. */
    public static int consecutive(int count) {
        if (count < 1 || count > 1000) {
            throw new IllegalArgumentException("count " + count + " is outside 1-1000");
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST - count);
            if (allFree(first, count)) {
                return first;
            }
        }
        throw new IllegalStateException("found no " + count + " consecutive free ports on 127.0.0.1 in " + ATTEMPTS
                + " tries");
    }

    /** Whether something accepts connections on {@code port} of 127.0.0.1. */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean allFree(int first, int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            // Hold every port of the block at once, so the check sees the block as the proxy will bind it.
            for (int port = first; port < first + count; port++) {
                ServerSocket socket = new ServerSocket();
                held.add(socket);
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress("127.0.0.1", port));
            }
            return true;
        } catch (IOException inUse) {
            return false;
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing a listening socket that accepted nothing cannot lose data.
                }
            }
        }
    }
}
