package io.kanal.app;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    @Test
    void runsTheEmbeddedDemoOnTheDefaultPortWithoutArguments() throws UsageException {
        CommandLine commandLine = CommandLine.parse();

        assertEquals(Optional.empty(), commandLine.configFile());
        assertEquals(9192, commandLine.embeddedPort());
        assertFalse(commandLine.help());
    }

    @Test
    void takesOptionValuesAsNextArgumentOrAfterEquals() throws UsageException {
        assertEquals(Optional.of(Path.of("a.yaml")), CommandLine.parse("--config", "a.yaml").configFile());
        assertEquals(Optional.of(Path.of("a.yaml")), CommandLine.parse("--config=a.yaml").configFile());
        assertEquals(7000, CommandLine.parse("--port", "7000").embeddedPort());
        assertEquals(OptionalInt.of(7000), CommandLine.parse("--port=7000").port());
    }

    @Test
    void recognisesHelp() throws UsageException {
        assertTrue(CommandLine.parse("--help").help());
        assertTrue(CommandLine.parse("-h").help());
    }

    @Test
    void rejectsWhatItDoesNotUnderstand() {
        assertEquals("unknown argument '--bogus'", usageError("--bogus"));
        assertEquals("unknown argument 'file.yaml'", usageError("file.yaml"));
        assertEquals("unknown argument '--help=yes'", usageError("--help=yes"));
        assertEquals("--config needs a file", usageError("--config"));
        assertEquals("--config needs a file", usageError("--config="));
        assertEquals("--config is given more than once", usageError("--config", "a", "--config", "b"));
        assertEquals("--port must be a number from 1 to 65534, not 'x'", usageError("--port", "x"));
        assertEquals("--port must be a number from 1 to 65534, not '65535'", usageError("--port=65535"));
        assertTrue(usageError("--config", "a.yaml", "--port", "1").startsWith("--port applies to the embedded"));
    }

    @Test
    void takesAPluginsDirectoryWithAConfigFileOnly() throws UsageException {
        assertEquals(Optional.of(Path.of("plugins")),
                CommandLine.parse("--config", "a.yaml", "--plugins", "plugins").pluginsDirectory());
        assertEquals(Optional.of(Path.of("p")), CommandLine.parse("--plugins=p", "--config=a.yaml").pluginsDirectory());
        assertEquals(Optional.empty(), CommandLine.parse("--config", "a.yaml").pluginsDirectory());
        assertEquals("--plugins needs a directory", usageError("--config", "a.yaml", "--plugins"));
        assertEquals("--plugins is given more than once",
                usageError("--config", "a.yaml", "--plugins", "a", "--plugins", "b"));
        assertTrue(usageError("--plugins", "p").startsWith("--plugins applies with --config only"));
    }

    private static String usageError(String... args) {
        return assertThrows(UsageException.class, () -> CommandLine.parse(args)).getMessage();
    }
}
