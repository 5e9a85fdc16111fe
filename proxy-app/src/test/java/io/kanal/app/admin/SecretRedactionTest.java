package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretRedactionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void hidesKeysThatNameSecrets() {
        for (String name : List.of("password", "ssl.keystore.password", "keyPassword", "clientSecret", "secret",
                "token", "accessToken", "credentials", "credential", "awsCredentialsFile", "sasl.jaas.config",
                "SASL.JAAS.CONFIG", "authorization", "Authorization", "apiKey", "ssl.key", "private_key",
                "PRIVATEKEY", "accessKey")) {
            assertTrue(SecretRedaction.isSecret(name), name);
        }
    }

    @Test
    void leavesOrdinaryKeysAndAPlainKeyAlone() {
        for (String name : List.of("key", "Key", "value", "name", "bootstrap", "bootstrapServers", "keys",
                "keyFormat", "header", "listen", "maxFrameBytes", "")) {
            assertFalse(SecretRedaction.isSecret(name), name);
        }
    }

    @Test
    void replacesSecretValuesOfAnyTypeAtAnyDepthAndKeepsTheRest() throws Exception {
        JsonNode document = JSON.readTree("""
                {
                  "virtualClusters": [
                    { "name": "a", "target": { "bootstrapServers": ["k:9092"],
                      "sasl.jaas.config": "org.apache...PlainLoginModule required password=\\"p\\";" } }
                  ],
                  "filters": [
                    { "name": "tenant", "type": "HeaderInject",
                      "config": { "headers": [ { "key": "X-Tenant", "value": "blue" } ],
                                  "apiKey": 12345,
                                  "credentials": { "user": "u", "password": "p" },
                                  "tokens": ["t1", "t2"],
                                  "password": null } }
                  ]
                }
                """);

        JsonNode redacted = SecretRedaction.redact(document);

        assertEquals(JSON.readTree("""
                {
                  "virtualClusters": [
                    { "name": "a", "target": { "bootstrapServers": ["k:9092"],
                      "sasl.jaas.config": "[redacted]" } }
                  ],
                  "filters": [
                    { "name": "tenant", "type": "HeaderInject",
                      "config": { "headers": [ { "key": "X-Tenant", "value": "blue" } ],
                                  "apiKey": "[redacted]",
                                  "credentials": "[redacted]",
                                  "tokens": "[redacted]",
                                  "password": "[redacted]" } }
                  ]
                }
                """), redacted);
    }

    @Test
    void leavesItsArgumentUnchanged() throws Exception {
        JsonNode document = JSON.readTree("{\"password\": \"hunter2\"}");

        SecretRedaction.redact(document);

        assertEquals("hunter2", document.get("password").asText());
    }

    @Test
    void redactsNothingInADocumentWithoutSecrets() throws Exception {
        JsonNode document = JSON.readTree("[1, \"password\", {\"name\": \"token\"}]");

        assertEquals(document, SecretRedaction.redact(document));
    }
}
