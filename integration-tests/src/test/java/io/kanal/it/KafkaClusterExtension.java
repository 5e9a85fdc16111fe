package io.kanal.it;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes the one {@link KafkaCluster} of the test run, and each test class its own {@link ProxyFixture}
 * in front of it.
 *
 * <p>The cluster lives in the root context's store: the first class that asks starts it, every later class gets the
 * same one, and JUnit closes it (it is {@link AutoCloseable}) when the whole run ends. Before each class the cluster is
 * made whole again, so a class that stopped a broker cannot break the classes after it. If starting the cluster
 * fails, JUnit remembers the failure and every class fails fast with it instead of trying again.
 *
 * <p>A proxy lives in the test class's store, so all tests of a class share it and JUnit closes it after the class.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        sharedCluster(context).ensureWhole();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == KafkaCluster.class || type == ProxyFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        KafkaCluster cluster = sharedCluster(extensionContext);
        if (parameterContext.getParameter().getType() == KafkaCluster.class) {
            return cluster;
        }
        ExtensionContext classContext = classContext(extensionContext);
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(ProxyFixture.class, key -> ProxyFixture.start(cluster), ProxyFixture.class);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestClass().isPresent() && current.getParent().flatMap(ExtensionContext::getTestClass)
                .isPresent()) {
            current = current.getParent().orElseThrow();
        }
        return current;
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
