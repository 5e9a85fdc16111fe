package io.kanal.filters.headerinject;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.kanal.filter.testkit.FilterHarness;
import io.kanal.filters.testing.Yaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HeaderInjectFactoryTest {

    @Test
    void bindsTheDocumentedConfiguration() throws Exception {
        HeaderInjectConfig config = Yaml.bind("""
                headers:
                  - key: x-origin
                    value: kanal
                  - {key: x-client, from: clientId}
                """, HeaderInjectConfig.class);
        assertEquals(new HeaderInjectConfig(List.of(
                new HeaderInjectConfig.Header("x-origin", "kanal", null),
                new HeaderInjectConfig.Header("x-client", null, "clientId"))), config);
        FilterHarness.builder().filter("h", new HeaderInjectFactory(), config).build().close();
    }

    @Test
    void unknownKeysAreRejectedByBinding() {
        assertThrows(UnrecognizedPropertyException.class,
                () -> Yaml.bind("headers: [{key: a, value: b, valu: c}]", HeaderInjectConfig.class));
        assertThrows(UnrecognizedPropertyException.class,
                () -> Yaml.bind("header: [{key: a, value: b}]", HeaderInjectConfig.class));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "headers: [{key: a, value: b}, {key: '', value: c}]     | headers[1].key: missing or empty",
            "headers: [{value: c}]                                  | headers[0].key: missing or empty",
            "headers: [{key: a, value: b, from: clientId}]          | headers[0]: give either value or from, not both",
            "headers: [{key: a}]                                    | headers[0]: give a value or from (one of: clientId, principal, virtualCluster, clientAddress)",
            "headers: [{key: a, value: b}, {key: c, from: x}]       | headers[1].from: unknown connection fact 'x' (known: clientId, principal, virtualCluster, clientAddress)",
            "headers: [{key: a, from: ClientId}]                    | headers[0].from: unknown connection fact 'ClientId' (known: clientId, principal, virtualCluster, clientAddress)",
            "headers: []                                            | headers: empty; name at least one header to add",
            "headers:                                               | headers: missing; name at least one header to add",
            "'{}'                                                   | headers: missing; name at least one header to add",
    })
    void invalidConfigurationsNameTheKey(String yaml, String message) throws Exception {
        HeaderInjectConfig config = Yaml.bind(yaml, HeaderInjectConfig.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FilterHarness.builder().filter("h", new HeaderInjectFactory(), config).build());
        assertEquals(message, e.getMessage());
    }

    @Test
    void noConfigurationAtAll() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FilterHarness.builder().filter("h", new HeaderInjectFactory(), null).build());
        assertEquals("headers: missing; name at least one header to add", e.getMessage());
    }
}
