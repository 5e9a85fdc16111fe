package io.kanal.mesh.api;

import java.util.Objects;
import java.util.function.Function;

/**
 * Names one kind of per-connection state and says how to make it; see {@link MeshSession#state}. Keys compare by
 * identity: make each once, as a constant.
 *
 * @param <T> the state's type
 */
public final class SessionKey<T> {

    private final String name;
    private final Function<MeshSession, T> factory;

    /**
     * @param name    what logs call it
     * @param factory makes the state for a session, on that session's event loop, the first time it is asked for
     */
    public SessionKey(String name, Function<MeshSession, T> factory) {
        this.name = Objects.requireNonNull(name, "name");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** Makes the state for {@code session}. */
    public T create(MeshSession session) {
        return factory.apply(session);
    }

    @Override
    public String toString() {
        return name;
    }
}
