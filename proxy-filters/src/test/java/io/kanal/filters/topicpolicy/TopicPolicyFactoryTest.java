package io.kanal.filters.topicpolicy;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.kanal.filter.testkit.FilterHarness;
import io.kanal.filters.testing.Yaml;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicPolicyFactoryTest {

    @Test
    void bindsTheDocumentedConfiguration() throws Exception {
        TopicPolicyConfig config = Yaml.bind("allow: [\"orders\\\\..*\", \"audit\"]", TopicPolicyConfig.class);
        assertEquals(new TopicPolicyConfig(List.of("orders\\..*", "audit")), config);
        FilterHarness.builder().filter("p", new TopicPolicyFactory(), config).build().close();
    }

    @Test
    void unknownKeysAreRejectedByBinding() {
        assertThrows(UnrecognizedPropertyException.class,
                () -> Yaml.bind("allow: [a]\ndeny: [b]", TopicPolicyConfig.class));
    }

    @Test
    void anInvalidPatternIsNamedByIndex() throws Exception {
        TopicPolicyConfig config = Yaml.bind("allow: [audit, \"orders(\"]", TopicPolicyConfig.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FilterHarness.builder().filter("p", new TopicPolicyFactory(), config).build());
        assertTrue(e.getMessage().startsWith("allow[1]: invalid regular expression 'orders(': "), e.getMessage());
    }

    @Test
    void atLeastOnePatternIsRequired() throws Exception {
        assertEquals("allow: empty; give at least one topic name pattern", failure(
                Yaml.bind("allow: []", TopicPolicyConfig.class)));
        assertEquals("allow: missing; give at least one topic name pattern", failure(
                Yaml.bind("{}", TopicPolicyConfig.class)));
        assertEquals("allow: missing; give at least one topic name pattern", failure(null));
        assertEquals("allow[0]: missing or empty pattern", failure(Yaml.bind("allow: ['']", TopicPolicyConfig.class)));
    }

    private static String failure(TopicPolicyConfig config) {
        return assertThrows(IllegalArgumentException.class,
                () -> FilterHarness.builder().filter("p", new TopicPolicyFactory(), config).build()).getMessage();
    }
}
