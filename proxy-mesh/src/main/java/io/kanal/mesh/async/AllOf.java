package io.kanal.mesh.async;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@link CompletableFuture#allOf} with the results: completes, on the thread that completes the last of the futures
 * (or at once when all are done), with every future's result, or exceptionally as {@code allOf} does when any of them
 * fails.
 */
public final class AllOf {

    private AllOf() {
    }

    /** The results of {@code futures}, in their order. */
    public static <T> CompletableFuture<List<T>> list(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }

    /** The result of each of {@code futures} under its key, in their order; keys are compared with equals. */
    public static <K, V> CompletableFuture<Map<K, V>> map(Map<K, CompletableFuture<V>> futures) {
        return CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<K, V> results = new LinkedHashMap<>();
            futures.forEach((key, future) -> results.put(key, future.join()));
            return results;
        });
    }
}
