package io.kanal.mesh.async;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AllOfTest {

    @Test
    void aListCompletesWithTheLastFutureAndKeepsTheOrderOfTheFuturesNotOfTheirCompletion() throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        CompletableFuture<List<String>> all = AllOf.list(List.of(first, second));

        second.complete("b");
        assertFalse(all.isDone());
        Thread[] completedOn = new Thread[1];
        all.thenRun(() -> completedOn[0] = Thread.currentThread());
        Thread last = new Thread(() -> first.complete("a"), "last-to-complete");
        last.start();
        last.join();

        assertEquals(List.of("a", "b"), all.join());
        assertSame(last, completedOn[0], "completes on the thread that completed the last future");
    }

    @Test
    void aMapKeepsEachResultUnderItsKeyInTheOrderOfTheMap() {
        Map<String, CompletableFuture<Integer>> futures = new LinkedHashMap<>();
        futures.put("z", CompletableFuture.completedFuture(1));
        futures.put("a", CompletableFuture.completedFuture(2));

        Map<String, Integer> all = AllOf.map(futures).join();

        assertEquals(List.of("z", "a"), List.copyOf(all.keySet()));
        assertEquals(Map.of("z", 1, "a", 2), all);
    }

    @Test
    void oneFailureFailsTheWhole() {
        IllegalStateException broken = new IllegalStateException("broken");
        CompletableFuture<List<String>> all = AllOf.list(List.of(CompletableFuture.completedFuture("fine"),
                CompletableFuture.failedFuture(broken)));

        CompletionException thrown = assertThrows(CompletionException.class, all::join);
        assertSame(broken, thrown.getCause());
    }
}
