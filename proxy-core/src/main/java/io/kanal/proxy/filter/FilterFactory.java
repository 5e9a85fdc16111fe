package io.kanal.proxy.filter;

/**
 * Makes filters of one type from their configuration. Kanal finds factories with {@link java.util.ServiceLoader}:
 * list the class in {@code META-INF/services/io.kanal.proxy.filter.FilterFactory} of the jar that holds it, and put
 * the jar on the class path or in the plugins directory.
 *
 * <p>In the YAML configuration a filter names its factory by {@link #type()}, and its {@code config} section is bound
 * to {@link #configType()}:
 * <pre>
 * filters:
 *   - name: only-orders
 *     type: topic-policy
 *     config:
 *       allow: ["orders\\..*"]
 * </pre>
 *
 * @param <C> the configuration class: a record or bean Jackson can bind, or {@link Void} for a filter without one
 */
public interface FilterFactory<C> {

    /** The name configurations use to ask for this kind of filter, e.g. {@code topic-policy}. Unique. */
    String type();

    /** The class the filter's {@code config} section is bound to; unknown keys are configuration errors. */
    Class<C> configType();

    /**
     * Makes a filter. Called once per configured filter, at start-up, before any port opens.
     *
     * @param config the bound configuration; {@code null} when {@link #configType()} is {@link Void}
     * @throws IllegalArgumentException when the configuration is unusable; its message names the offending key and
     *                                  stops start-up
     */
    Filter create(C config, FilterFactoryContext context);
}
