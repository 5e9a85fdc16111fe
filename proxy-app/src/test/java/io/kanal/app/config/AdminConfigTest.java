package io.kanal.app.config;

import io.kanal.app.admin.AdminSettings;
import io.kanal.proxy.config.HostPort;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code admin} section of the configuration file. */
class AdminConfigTest {

    private static final String MINIMAL = """
            virtualClusters:
              - name: a
                bootstrap: 127.0.0.1:9192
                target:
                  bootstrapServers: kafka:9092
            """;

    private static KanalConfig load(String yaml) throws ConfigException {
        return load(yaml, Map.of());
    }

    private static KanalConfig load(String yaml, Map<String, String> environment) throws ConfigException {
        return new ConfigLoader(environment::get).parseAll(yaml);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void runsOnLoopback9190ByDefault() throws ConfigException {
        assertEquals(AdminSettings.DEFAULT, load(MINIMAL).admin());
        assertEquals(new AdminSettings(true, new HostPort("127.0.0.1", 9190)), AdminSettings.DEFAULT);
    }

    @Test
    void canBeTurnedOff() throws ConfigException {
        assertEquals(AdminSettings.DISABLED, load(MINIMAL + "admin: { enabled: false }\n").admin());
        assertEquals(AdminSettings.DISABLED, load(MINIMAL + "admin: { enabled: '${ADMIN}' }\n",
                Map.of("ADMIN", "false")).admin());
    }

    @Test
    void listensWhereItIsTold() throws ConfigException {
        KanalConfig config = load(MINIMAL + """
                admin:
                  enabled: true
                  listen: 0.0.0.0:${ADMIN_PORT:-9190}
                """, Map.of("ADMIN_PORT", "9400"));

        assertEquals(new AdminSettings(true, new HostPort("0.0.0.0", 9400)), config.admin());
        assertEquals("0.0.0.0:9400", config.document().at("/admin/listen").asText(),
                "the document is the file after substitution");
    }

    @Test
    void takesPortZeroAsAnyFreePort() throws ConfigException {
        assertEquals(new HostPort("127.0.0.1", 0), load(MINIMAL + "admin: { listen: 127.0.0.1:0 }\n").admin().listen());
    }

    @Test
    void rejectsAPortOfAVirtualClusterNamingBothKeys() {
        assertEquals("admin.listen: port 9200 of the admin server on 127.0.0.1 clashes with port range 9192-9224 of "
                        + "virtual cluster 'a' on 127.0.0.1 (virtualClusters[0].bootstrap)",
                error(MINIMAL + "admin: { listen: 127.0.0.1:9200 }\n"));
        assertTrue(error(MINIMAL + "admin: { listen: '0.0.0.0:9192' }\n").startsWith("admin.listen: port 9192 of the "
                + "admin server on 0.0.0.0 clashes with port range 9192-9224 of virtual cluster 'a'"));
    }

    @Test
    void allowsTheSamePortOnAnotherInterface() throws ConfigException {
        assertEquals(new HostPort("127.0.0.2", 9200), load(MINIMAL + "admin: { listen: 127.0.0.2:9200 }\n")
                .admin().listen());
    }

    @Test
    void saysHowToMoveTheDefaultPortWhenAVirtualClusterTakesIt() {
        String message = error(MINIMAL.replace("127.0.0.1:9192", "127.0.0.1:9180"));

        assertEquals("admin.listen: port 9190 of the admin server on 127.0.0.1 clashes with port range 9180-9212 of "
                + "virtual cluster 'a' on 127.0.0.1 (virtualClusters[0].bootstrap); 127.0.0.1:9190 is admin.listen's "
                + "default: set admin.listen to a free address, or admin.enabled to false", message);
    }

    @Test
    void ignoresTheListenAddressWhenTurnedOff() throws ConfigException {
        assertEquals(AdminSettings.DISABLED,
                load(MINIMAL + "admin: { enabled: false, listen: 127.0.0.1:9192 }\n").admin());
    }

    @Test
    void namesABadAddressOrUnknownKey() {
        assertTrue(error(MINIMAL + "admin: { listen: nohostport }\n").startsWith("admin.listen: "));
        assertTrue(error(MINIMAL + "admin: { port: 9190 }\n").startsWith("admin.port: unknown key (known: enabled, "
                + "listen)"), error(MINIMAL + "admin: { port: 9190 }\n"));
        assertTrue(error(MINIMAL + "admin: { enabled: maybe }\n").startsWith("admin.enabled: "),
                error(MINIMAL + "admin: { enabled: maybe }\n"));
    }
}
