package io.kanal.it;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes the one {@link KafkaCluster} of the test run.
 *
 * <p>The cluster lives in the root context's store: the first class that asks starts it, every later class gets the
 * same one, and JUnit closes it (it is {@link AutoCloseable}) when the whole run ends. Before each class the cluster is
 * made whole again, so a class that stopped a broker cannot break the classes after it. If starting the cluster
 * fails, JUnit remembers the failure and every class fails fast with it instead of trying again.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        sharedCluster(context).ensureWhole();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return sharedCluster(extensionContext);
    }

    static KafkaCluster sharedCluster(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(KafkaCluster.class, key -> {
            try {
                return KafkaCluster.start();
            } catch (Exception e) {
                throw new IllegalStateException("could not start the shared Kafka cluster", e);
            }
        }, KafkaCluster.class);
    }
}
