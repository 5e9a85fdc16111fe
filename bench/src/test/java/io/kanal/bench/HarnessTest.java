package io.kanal.bench;

import io.kanal.bench.Measurement.Route;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HarnessTest {

    @Test
    void everyOtherRoundRunsTheRoutesInReverse() {
        List<Route> routes = List.of(Route.DIRECT, Route.PROXIED, Route.RELAY);
        assertEquals(routes, Harness.inRoundOrder(routes, 1));
        assertEquals(List.of(Route.RELAY, Route.PROXIED, Route.DIRECT), Harness.inRoundOrder(routes, 2));
        assertEquals(routes, Harness.inRoundOrder(routes, 3));
    }
}
