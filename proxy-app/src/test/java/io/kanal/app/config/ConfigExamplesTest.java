package io.kanal.app.config;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every example shipped in config-examples/ must load as it is, with only the defaults of its variables. */
class ConfigExamplesTest {

    private static final Path EXAMPLES = Path.of("..", "config-examples");

    @TestFactory
    Stream<DynamicTest> everyExampleLoads() throws IOException {
        assertTrue(Files.isDirectory(EXAMPLES), "no directory " + EXAMPLES.toAbsolutePath());
        List<Path> examples;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            examples = files.filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
        assertFalse(examples.isEmpty(), "no examples in " + EXAMPLES.toAbsolutePath());
        return examples.stream().map(example -> DynamicTest.dynamicTest(example.getFileName().toString(),
                () -> new ConfigLoader(Map.<String, String>of()::get).load(example)));
    }
}
