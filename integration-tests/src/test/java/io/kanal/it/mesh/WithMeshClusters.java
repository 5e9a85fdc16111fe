package io.kanal.it.mesh;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that runs against the three {@link MeshClusters}; declare a {@link MeshClusters} parameter to
 * receive them. They start once, for the first class that asks, and stop when the test run ends; before each class a
 * broker an earlier class left stopped is started again.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(WithMeshClusters.Extension.class)
public @interface WithMeshClusters {

    /** Keeps the clusters in the root context's store, which JUnit closes at the end of the run. */
    final class Extension implements BeforeAllCallback, ParameterResolver {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Extension.class);

        @Override
        public void beforeAll(ExtensionContext context) throws InterruptedException {
            clusters(context).ensureRunning();
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == MeshClusters.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return clusters(context);
        }

        private static MeshClusters clusters(ExtensionContext context) {
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(MeshClusters.class, key -> {
                try {
                    return MeshClusters.start();
                } catch (Exception e) {
                    throw new IllegalStateException("could not start the mesh's three clusters", e);
                }
            }, MeshClusters.class);
        }
    }
}
