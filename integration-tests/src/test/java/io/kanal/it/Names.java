package io.kanal.it;

import java.util.UUID;

/** Unique topic, group and transactional ids, so tests sharing one cluster never see each other's data. */
public final class Names {

    private Names() {
    }

    public static String unique(String purpose) {
        return purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
