package io.kanal.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RelayChildTest {

    @Test
    void offMeansNoRelayAndAGivenPathMustBeAProgram(@TempDir Path dir) {
        assertTrue(RelayChild.find("off").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> RelayChild.find(dir.resolve("haproxy").toString()));
        assertEquals(Optional.of(Path.of("/bin/sh")), RelayChild.find("/bin/sh"));
    }

    /** The configuration the bench writes is one the installed HAProxy runs, and it relays both ways. */
    @Test
    void relaysBytesBothWays(@TempDir Path dir) throws Exception {
        Optional<Path> haproxy = RelayChild.find("auto");
        if (haproxy.isEmpty()) {
            assertFalse(System.getenv("CI") != null, "HAProxy is not installed, and CI is set: .ci/run installs it");
            assumeTrue(false, "HAProxy is not installed");
        }
        int port = LoopbackPorts.consecutive(2);
        try (RelayChild relay = RelayChild.start(haproxy.get(), dir, port + 1, port);
             ServerSocket target = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
            assertTrue(relay.version().contains("HAProxy"), relay.version());
            assertEquals("127.0.0.1:" + (port + 1), relay.bootstrapServers());
            target.setSoTimeout(10_000);
            byte[] request = "ping".getBytes(StandardCharsets.US_ASCII);
            try (Socket client = new Socket("127.0.0.1", port + 1)) {
                client.getOutputStream().write(request);
                Socket server = acceptBringing(target, request);
                byte[] response = new byte[256 * 1024];
                for (int i = 0; i < response.length; i++) {
                    response[i] = (byte) i;
                }
                OutputStream out = server.getOutputStream();
                out.write(response);
                out.flush();
                assertArrayEquals(response, readFully(client.getInputStream(), response.length));
                server.close();
            }
        }
    }

    /**
     * The relayed connection that brings {@code expected}: the relay may also pass on connections of its own start-up
     * probes, retried once the target listens, which bring nothing.
     */
    private static Socket acceptBringing(ServerSocket target, byte[] expected) throws Exception {
        while (true) {
            Socket candidate = target.accept();
            candidate.setSoTimeout(10_000);
            byte[] got = candidate.getInputStream().readNBytes(expected.length);
            if (got.length == expected.length) {
                assertArrayEquals(expected, got);
                return candidate;
            }
            candidate.close();
        }
    }

    private static byte[] readFully(InputStream in, int length) throws Exception {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            fail("the relay passed " + bytes.length + " of " + length + " bytes");
        }
        return bytes;
    }
}
