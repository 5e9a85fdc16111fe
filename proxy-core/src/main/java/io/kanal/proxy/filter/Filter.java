package io.kanal.proxy.filter;

/**
 * Something that acts on the requests and responses of a virtual cluster's connections: it inspects, changes,
 * answers or refuses them, and may send requests of its own.
 *
 * <p>A filter says which APIs it wants in {@link #register}; only those are decoded for it, every other frame passes
 * it by untouched. One instance serves every connection of the virtual clusters it is attached to, so hooks run
 * concurrently for different connections and any state a filter keeps must be thread-safe. For one connection, hooks
 * are called one at a time, in the order the requests and responses travel.
 *
 * <p>A filter is made by its {@link FilterFactory}, found through {@link java.util.ServiceLoader}.
 */
public interface Filter extends AutoCloseable {

    /**
     * Registers the hooks this filter needs. Called before the first connection, once for each virtual cluster the
     * filter is attached to, and again for each virtual cluster that a configuration reload replaces while keeping
     * this filter (its connections from before the reload keep the hooks registered before).
     */
    void register(FilterHooks hooks);

    /**
     * Releases what the filter holds; called once, when the proxy stops, or after a configuration reload left no
     * virtual cluster using this filter and the connections that used it have closed.
     */
    @Override
    default void close() {
    }
}
