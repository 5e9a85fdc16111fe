package io.kanal.mesh.route;

import io.kanal.mesh.config.RouteRule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TopicRouterTest {

    @Test
    void firstMatchingRuleWins() {
        TopicRouter router = new TopicRouter(List.of(
                RouteRule.exact("apples.special", "c3"),
                RouteRule.prefix("apples", "c1"),
                RouteRule.regex("app.*", "c2")), Optional.empty());

        assertEquals(Optional.of("c3"), router.clusterFor("apples.special"));
        assertEquals(Optional.of("c1"), router.clusterFor("apples.x"));
        assertEquals(Optional.of("c2"), router.clusterFor("appricots"));
    }

    @Test
    void regexMatchesTheWholeName() {
        TopicRouter router = new TopicRouter(List.of(RouteRule.regex("ch[a-z]+s", "c3")), Optional.empty());

        assertEquals(Optional.of("c3"), router.clusterFor("cherries"));
        assertEquals(Optional.empty(), router.clusterFor("cherries.z"));
        assertEquals(Optional.empty(), router.clusterFor("xcherries"));
        // Asked twice: the remembered answer is the same.
        assertEquals(Optional.empty(), router.clusterFor("cherries.z"));
    }

    @Test
    void exactMatchesOnlyThatName() {
        TopicRouter router = new TopicRouter(List.of(RouteRule.exact("orders", "c1")), Optional.empty());

        assertEquals(Optional.of("c1"), router.clusterFor("orders"));
        assertEquals(Optional.empty(), router.clusterFor("orders2"));
    }

    @Test
    void unmatchedTopicsGoToTheDefaultClusterWhenThereIsOne() {
        TopicRouter router = new TopicRouter(List.of(RouteRule.prefix("apples", "c1")), Optional.of("c2"));

        assertEquals(Optional.of("c1"), router.clusterFor("apples"));
        assertEquals(Optional.of("c2"), router.clusterFor("durians"));
    }
}
