package io.kanal.app.config;

/**
 * How Kanal picks up a changed configuration file while it runs. SIGHUP always reloads it.
 *
 * @param watch whether Kanal also watches the file and reloads it when its content changes
 */
public record ReloadSettings(boolean watch) {

    /** {@code reload:} not written at all: the file is watched. */
    public static final ReloadSettings DEFAULT = new ReloadSettings(true);
}
