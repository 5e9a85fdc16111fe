package io.kanal.proxy.server;

import io.kanal.proxy.config.NamedFilter;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.tls.TlsProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The proxies a test starts, each closed with its fake broker after the test. A test class registers one as an
 * instance field with {@code @RegisterExtension} and starts its proxies through it; see {@link ProxyFixture#start}.
 */
final class StartedProxies implements AfterEachCallback {

    private final List<ProxyFixture> started = new ArrayList<>();

    ProxyFixture start(UnaryOperator<ProxyConfig> configure, NamedFilter... filters) throws IOException {
        return remember(ProxyFixture.start(configure, filters));
    }

    ProxyFixture start(FakeBroker broker, UnaryOperator<VirtualClusterConfig> cluster, TlsProvider tlsProvider,
                       NamedFilter... filters) {
        return remember(ProxyFixture.start(broker, cluster, tlsProvider, filters));
    }

    private ProxyFixture remember(ProxyFixture fixture) {
        started.add(fixture);
        return fixture;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            for (ProxyFixture fixture : started) {
                fixture.close();
            }
        } finally {
            started.clear();
        }
    }
}
