package io.kanal.app.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.UpstreamCredentials;
import java.util.List;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JAAS configuration a readiness probe logs in with carries the proxy's credentials exactly as configured, whatever
 * characters they hold: the proxy's own login sends them as they are, so the probe must too.
 */
class ProbeLoginTest {

    @ParameterizedTest
    @ValueSource(strings = {"plain", "with \"quotes\" and a \\ backslash", "two\nlines", "carriage\r\nreturn",
            "tab\tand ; = } { ' characters"})
    void aPasswordReachesTheLoginModuleAsItIs(String password) throws Exception {
        Map<String, Object> settings = ProbeLogin.clientSettings(
                UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_512, "kanal", password));

        AppConfigurationEntry entry = login((String) settings.get(SaslConfigs.SASL_JAAS_CONFIG));
        assertEquals("kanal", entry.getOptions().get("username"));
        assertEquals(password, entry.getOptions().get("password"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"eyJhbGciOiJub25lIn0.eyJzdWIiOiJrYW5hbCJ9.", "token\nwith a line break inside"})
    void aTokenReachesTheLoginModuleAsItIs(String token) throws Exception {
        Map<String, Object> settings = ProbeLogin.clientSettings(UpstreamCredentials.token(token));

        assertEquals(token, login((String) settings.get(SaslConfigs.SASL_JAAS_CONFIG)).getOptions()
                .get(ProbeTokenCallbackHandler.TOKEN_OPTION));
    }

    private static AppConfigurationEntry login(String jaas) {
        List<AppConfigurationEntry> entries = JaasContext.loadClientContext(
                Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas))).configurationEntries();
        assertEquals(1, entries.size());
        return entries.get(0);
    }
}
