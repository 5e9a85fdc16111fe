package io.kanal.app;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --admin-port}: where the embedded demo's admin server listens. */
class CommandLineAdminPortTest {

    @Test
    void defaultsTo9190() throws UsageException {
        assertEquals(OptionalInt.empty(), CommandLine.parse().adminPort());
        assertEquals(9190, CommandLine.parse().embeddedAdminPort());
    }

    @Test
    void takesAPortOrZeroForOff() throws UsageException {
        assertEquals(7001, CommandLine.parse("--admin-port", "7001").embeddedAdminPort());
        assertEquals(7001, CommandLine.parse("--admin-port=7001").embeddedAdminPort());
        assertEquals(0, CommandLine.parse("--admin-port", "0").embeddedAdminPort());
    }

    @Test
    void rejectsWhatItCannotUse() {
        assertEquals("--admin-port must be a number from 0 (off) to 65535, not 'x'", usageError("--admin-port", "x"));
        assertEquals("--admin-port must be a number from 0 (off) to 65535, not '65536'",
                usageError("--admin-port=65536"));
        assertEquals("--admin-port needs a port", usageError("--admin-port"));
        assertEquals("--admin-port is given more than once", usageError("--admin-port", "1", "--admin-port", "2"));
        assertTrue(usageError("--config", "a.yaml", "--admin-port", "1").startsWith("--admin-port applies to the "
                + "embedded demo only"));
    }

    @Test
    void keepsClearOfTheEmbeddedDemosPorts() throws UsageException {
        assertEquals("--admin-port 7000 is one of the embedded demo's ports 7000-7001",
                usageError("--port", "7000", "--admin-port", "7000"));
        assertEquals("--admin-port 7001 is one of the embedded demo's ports 7000-7001",
                usageError("--port", "7000", "--admin-port", "7001"));
        assertEquals("the admin server's default port 9190 is one of the embedded demo's ports 9189-9190; move it "
                + "with --admin-port", usageError("--port", "9189"));
        assertEquals(0, CommandLine.parse("--port", "9189", "--admin-port", "0").embeddedAdminPort());
    }

    private static String usageError(String... args) {
        return assertThrows(UsageException.class, () -> CommandLine.parse(args)).getMessage();
    }
}
