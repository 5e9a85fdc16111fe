package io.kanal.it.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.kanal.app.admin.TargetProbes;
import io.kanal.it.Await;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.sasl.SaslMechanism;
import io.kanal.proxy.sasl.SaslSettings;
import io.kanal.proxy.sasl.UpstreamCredentials;

/**
 * The readiness probes behind {@code /readyz} log in to a target cluster with its virtual cluster's
 * {@code target.sasl}, with each mechanism, against a broker that requires SASL: a target whose credentials work is
 * ready, one with a wrong password stays not ready.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TargetProbesLoginTest {

    private static final String USER = "kanal";
    private static final String PASSWORD = "kanal-at-the-broker";

    private static SaslKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = SaslKafkaBroker.start(Map.of(USER, PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static VirtualClusterConfig cluster(String name, UpstreamCredentials login) {
        return new VirtualClusterConfig(name, new HostPort("127.0.0.1", 0), "127.0.0.1", NodeIdRange.DEFAULT,
                List.of(broker.saslAddress()), List.of()).withSasl(new SaslSettings(Optional.empty(), Optional.of(login)));
    }

    @Test
    void probesLogInWithEachMechanismAndAWrongPasswordKeepsTheTargetWaiting() throws Exception {
        List<VirtualClusterConfig> clusters = List.of(
                cluster("plain", UpstreamCredentials.password(SaslMechanism.PLAIN, USER, PASSWORD)),
                cluster("scram-256", UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_256, USER, PASSWORD)),
                cluster("scram-512", UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_512, USER, PASSWORD)),
                cluster("oauth", UpstreamCredentials.token(SaslClients.unsecuredJwt(USER))),
                cluster("wrong", UpstreamCredentials.password(SaslMechanism.SCRAM_SHA_512, USER, "wrong")));
        String wrong = "target cluster " + broker.saslAddress() + " of virtual cluster 'wrong'";
        try (TargetProbes probes = TargetProbes.start(clusters)) {
            Await.until(Duration.ofSeconds(60), "every target but the one with the wrong password answered",
                    () -> probes.waitingFor().equals(List.of(wrong)));
            Thread.sleep(4_000);
            assertEquals(List.of(wrong), probes.waitingFor(), "a wrong password must not make the target ready");
        }
    }
}
