package io.kanal.mesh.consume.group;

import io.kanal.mesh.async.AllOf;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Asks about a group in its cluster when known, else in every cluster, and keeps the most telling answer: admin
 * requests (describe, delete) name a group only, and after a restart the mesh may not know where it lives.
 */
final class GroupFanOut {

    private final GroupHomes homes;

    GroupFanOut(GroupHomes homes) {
        this.homes = homes;
    }

    /**
     * @param ask  asks one cluster
     * @param rank how telling an answer is: the highest wins, the first cluster's on a tie
     */
    <A> CompletionStage<A> best(String group, Function<String, CompletionStage<A>> ask, ToIntFunction<A> rank) {
        Optional<String> known = homes.known(group).or(homes::onlyCluster);
        if (known.isPresent()) {
            return ask.apply(known.get());
        }
        return everywhere(ask).thenApply(answers -> {
            A best = answers.get(0);
            for (A answer : answers) {
                if (rank.applyAsInt(answer) > rank.applyAsInt(best)) {
                    best = answer;
                }
            }
            return best;
        });
    }

    /**
     * {@link #best} for each of {@code groups}, asked at once, answered in the order the groups were named.
     *
     * @param ask asks one cluster about one group: {@code (cluster, group)}
     */
    <A> CompletionStage<List<A>> bestForEach(List<String> groups, BiFunction<String, String, CompletionStage<A>> ask,
                                             ToIntFunction<A> rank) {
        List<CompletableFuture<A>> answers = new ArrayList<>();
        for (String group : groups) {
            answers.add(best(group, cluster -> ask.apply(cluster, group), rank).toCompletableFuture());
        }
        return AllOf.list(answers);
    }

    /** Every cluster's answer, in configuration order. */
    <A> CompletionStage<List<A>> everywhere(Function<String, CompletionStage<A>> ask) {
        List<CompletableFuture<A>> asked = new ArrayList<>();
        for (String cluster : homes.clusterNames()) {
            asked.add(ask.apply(cluster).toCompletableFuture());
        }
        return AllOf.list(asked);
    }
}
